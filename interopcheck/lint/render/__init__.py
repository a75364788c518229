"""Lint renderers: pure functions ``render(result, *, options) -> str``, one module per format.

Each format's module is imported when a report in it is first rendered (the JUnit one pulls
in the diff report's XML writer): a lint run imports only the renderer it uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions

__all__ = ["FORMATS", "WRITERS", "RenderOptions", "Renderer"]

Renderer = Callable[..., str]


def _lazy(name: str) -> Callable[[LintResult, RenderOptions], str]:
    def render(result: LintResult, options: RenderOptions) -> str:
        module = importlib.import_module(f"interopcheck.lint.render.{name}")
        return module.render(result, options)  # type: ignore[no-any-return]

    render.__name__ = render.__qualname__ = f"render_{name}"
    return render


def _write_json(result: LintResult, options: RenderOptions, out: TextIO) -> None:
    from interopcheck.lint.render import json

    json.write(result, options, out)


FORMATS: dict[str, Callable[[LintResult, RenderOptions], str]] = {
    name: _lazy(name) for name in ("text", "json", "sarif", "junit", "github")}

#: formats that can also be written piece by piece to a file: ``write(result, options, fh)``
WRITERS: dict[str, Callable[[LintResult, RenderOptions, TextIO], None]] = {
    "json": _write_json,
}
