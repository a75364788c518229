"""``interopcheck survey SPEC...``: how OpenStack-style APIs actually shape their payloads.

The API-SIG never settled the single-resource format (``representation_structure.rst`` says
"TODO") and asked for numbers from OpenStack's own APIs. For each OpenAPI document this counts
which single-resource form each response uses (bare, wrapped, one-element list, wrapped list),
the collection format, the action style, the error format and the microversion headers, then
the same over all documents (:mod:`.analyze`); :mod:`.render` writes text, Markdown, JSON or
HTML; :mod:`.cli` is the command.
"""

from __future__ import annotations

from interopcheck.survey.analyze import DocumentSurvey, Survey, survey_document, survey_files

__all__ = ["DocumentSurvey", "Survey", "survey_document", "survey_files"]
