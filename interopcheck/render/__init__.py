"""Diff report renderers: pure functions ``render(report) -> str``, one module per format.

The formats are registered once, for diff, check and lint alike, in
:mod:`interopcheck.outputs` (name, file extension, renderer); ``FORMATS`` and
``EXTENSIONS`` are the diff's view of that registry, for the command line. To add a
format, write ``render/<name>.py`` with ``render(report: Report) -> str`` and register it
there; the command line picks it up by name.
"""

from __future__ import annotations

from collections.abc import Callable

from interopcheck import outputs
from interopcheck.report import Report

__all__ = ["EXTENSIONS", "FORMATS", "PLANNED", "Renderer"]

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {name: f.renderer() for name, f in
                                outputs.formats("diff").items()}
EXTENSIONS: dict[str, str] = {name: f.extension for name, f in outputs.formats("diff").items()}
#: Formats the command line accepts by name even before their renderer exists, so that
#: asking for one gives a clear "not available yet" line instead of a usage error.
PLANNED = ("text", "json", "markdown", "html", "junit")
