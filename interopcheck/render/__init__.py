"""Report renderers: each is a pure function ``render(report) -> str`` in ``render/<format>.py``.

``FORMATS`` maps a format name (the CLI's ``--format``/``--report FORMAT=PATH``) to its
renderer. A renderer reads only the :class:`~interopcheck.report.Report` it is given:
no I/O, no console, no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from interopcheck.render import html, json, junit, markdown, text
from interopcheck.report import Report

__all__ = ["FORMATS", "Renderer"]

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "markdown": markdown.render,
    "html": html.render,
    "junit": junit.render,
}
