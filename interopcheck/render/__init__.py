"""Renderers: pure functions ``render(report) -> str``, one module per format.

``FORMATS`` maps a format name (what ``--format`` takes) to its render function;
``EXTENSIONS`` gives the file extension used in ``--report-dir``. To add a format,
write ``render/<name>.py`` with ``render(report: Report) -> str`` and register it
in both dicts below; the command line picks it up by name.
"""

from __future__ import annotations

from collections.abc import Callable

from interopcheck.render import html, json, junit, markdown, text
from interopcheck.report import Report

__all__ = ["EXTENSIONS", "FORMATS", "PLANNED", "Renderer"]

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,  # report.json (versioned schema: interopcheck/schemas/report.schema.json)
    "markdown": markdown.render,  # report.md (fits a PR comment)
    "html": html.render,  # report.html (self-contained, side by side, filterable)
    "junit": junit.render,  # report.xml
}
EXTENSIONS: dict[str, str] = {
    "text": "txt",
    "json": "json",
    "markdown": "md",
    "html": "html",
    "junit": "xml",
}
#: Formats the command line accepts by name even before their renderer exists, so that
#: asking for one gives a clear "not available yet" line instead of a usage error.
PLANNED = ("text", "json", "markdown", "html", "junit")
