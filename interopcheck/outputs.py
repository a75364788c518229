"""The one registry of report formats for diff, check and lint, and the one writer of
report files.

    paths = write_reports(report, ["html", "json"], "reports/")   # reports/report.html, ...
    text = render(check_result, "text")

A result's kind comes from its type: a diff :class:`~interopcheck.report.Report`, a
:class:`~interopcheck.check.run.CheckResult`, a :class:`~interopcheck.lint.engine.LintResult`.
Each kind has its formats (name -> file extension and renderer) and a file stem
(``report.*``, ``guidelines.*``, ``lint.*``). Renderers are named as ``module:function``
and imported on first use, so that this module (and ``interopcheck.render``, which reads
its diff formats from here) imports no stage of the pipeline; a new format is one
:func:`register` line. Lint renderers take ``RenderOptions``; :func:`render` builds them
from keyword options (``tool_version``, ``junit_failures``); the other renderers get the
keyword options they take (``verbose`` for the diff's text), the rest is ignored.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interopcheck.errors import ReportError, UsageError

__all__ = ["KINDS", "Format", "formats", "kind_of", "register", "render", "write_reports"]


@dataclass(frozen=True, slots=True)
class Format:
    """One output format of one kind of result."""

    kind: str
    name: str
    extension: str
    #: ``module:function``; the function takes the result (and, for lint, ``options``).
    target: str

    def renderer(self) -> Callable[..., str]:
        module, _, name = self.target.partition(":")
        function: Callable[..., str] = getattr(importlib.import_module(module), name)
        return function


#: kind -> (type name of its result, file stem, ``module:class`` of its options or "")
KINDS: dict[str, tuple[str, str, str]] = {
    "diff": ("Report", "report", ""),
    "check": ("CheckResult", "guidelines", ""),
    "lint": ("LintResult", "lint", "interopcheck.lint.render._options:RenderOptions"),
}
_FORMATS: dict[str, dict[str, Format]] = {kind: {} for kind in KINDS}


def register(kind: str, name: str, extension: str, target: str) -> None:
    """Add (or replace) the format ``name`` of ``kind``."""
    _FORMATS[kind][name] = Format(kind, name, extension, target)


for _name, _ext in (("text", "txt"), ("json", "json"), ("markdown", "md"), ("html", "html"),
                    ("junit", "xml")):
    register("diff", _name, _ext, f"interopcheck.render.{_name}:render")
register("check", "text", "txt", "interopcheck.check.report:to_text")
register("check", "json", "json", "interopcheck.check.report:to_json")
for _name, _ext in (("text", "txt"), ("json", "json"), ("sarif", "sarif"), ("junit", "xml"),
                    ("github", "github.txt")):
    register("lint", _name, _ext, f"interopcheck.lint.render.{_name}:render")


def formats(kind: str) -> dict[str, Format]:
    """The formats of ``kind`` (``diff``, ``check``, ``lint``), in registration order."""
    return dict(_FORMATS[kind])


def kind_of(result: object) -> str:
    """``diff``, ``check`` or ``lint``: the kind of a result, from its type."""
    names = {cls.__name__ for cls in type(result).__mro__}
    for kind, (type_name, _stem, _options) in KINDS.items():
        if type_name in names:
            return kind
    raise TypeError(f"not a diff, check or lint result: {type(result).__name__}")


def _options(kind: str, renderer: Callable[..., str], options: dict[str, Any]
             ) -> dict[str, Any]:
    target = KINDS[kind][2]
    if not target:
        taken = inspect.signature(renderer).parameters
        return {k: v for k, v in options.items() if k in taken and v is not None}
    module, _, name = target.partition(":")
    factory = getattr(importlib.import_module(module), name)
    return {"options": factory(**{k: v for k, v in options.items() if v is not None})}


def render(result: Any, fmt: str, **options: Any) -> str:
    """``result`` in format ``fmt``."""
    kind = kind_of(result)
    try:
        found = _FORMATS[kind][fmt]
    except KeyError:
        raise UsageError(f"unknown {kind} format {fmt!r} (available: "
                         f"{', '.join(_FORMATS[kind])})") from None
    renderer = found.renderer()
    return renderer(result, **_options(kind, renderer, options))


def write_reports(result: Any, formats: Iterable[str] | None, directory: str | Path, *,
                  stem: str | None = None, **options: Any) -> list[Path]:
    """Write ``<stem>.<extension>`` for each format (all of the kind's when None) into
    ``directory`` (created when missing); the paths written, in order."""
    kind = kind_of(result)
    names = list(formats) if formats is not None else list(_FORMATS[kind])
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(str(directory), f"cannot create it: {exc.strerror or exc}") from None
    stem = stem or KINDS[kind][1]
    written = []
    for name in names:
        text = render(result, name, **options)
        target = path / f"{stem}.{_FORMATS[kind][name].extension}"
        try:
            # errors="replace": a lone surrogate a hostile server sent cannot stop a report
            target.write_text(text, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ReportError(str(target), exc.strerror or str(exc)) from None
        written.append(target)
    return written
