"""Lint renderers: pure functions ``render(result, *, options) -> str``, one module per format."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render import github, json, junit, sarif, text
from interopcheck.lint.render._options import RenderOptions

__all__ = ["FORMATS", "WRITERS", "RenderOptions", "Renderer"]

Renderer = Callable[..., str]

FORMATS: dict[str, Callable[[LintResult, RenderOptions], str]] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}

#: formats that can also be written piece by piece to a file: ``write(result, options, fh)``
WRITERS: dict[str, Callable[[LintResult, RenderOptions, TextIO], None]] = {
    "json": json.write,
}
