"""``interopcheck breaking OLD NEW`` (and ``lint --baseline OLD NEW``): the changes between two
versions of an OpenAPI document (:mod:`.spec_diff`) as a lint result.

Each change becomes a :class:`~interopcheck.rules.registry.Violation` at its place in NEW (or
in OLD for what was removed), so every lint format renders it (SARIF, JUnit, GitHub, ...) and
the lint configuration applies: rule switches (``only``, ``off``), re-levelled severities,
ignore files and inline ``x-interopcheck-ignore``. NEW is validated as ``lint`` validates a
document (OAS001-OAS004), so a NEW that is not OpenAPI is a clear error, not "every operation
removed". Levels follow the verdicts (see :func:`.spec_diff._compare`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from interopcheck.findings import Severity
from interopcheck.lint.causes import group
from interopcheck.lint.config import LintConfig, is_suppressed
from interopcheck.lint.engine import LintResult, check_document
from interopcheck.lint.loader import DEFAULT_MAX_BYTES, Loader
from interopcheck.lint.render import FORMATS, RenderOptions
from interopcheck.lint.spec_diff import Change, DiffReport, diff_specs, render_diff
from interopcheck.rules.registry import Violation
from interopcheck.rules.targets import Location

__all__ = ["breaking", "run_breaking", "violation_of"]

_DOC_RULES = ("OAS001", "OAS002", "OAS003", "OAS004")


def _flags(c: Change) -> str:
    return ("breaks clients" if c.breaks_clients else "compatible") + ", " + \
        ("behind a new microversion" if c.versioned else "needs a microversion bump")


def violation_of(c: Change, severity: Severity) -> Violation:
    detail = f" ({c.detail})" if c.detail else ""
    v = Violation(c.rule, severity, f"{c.change} {c.subject}{detail} [{_flags(c)}]",
                  c.pointer, c.source,
                  Location(c.file, c.pointer, c.line, c.column) if c.file else None)
    v.extra["breaks_clients"] = "yes" if c.breaks_clients else "no"
    v.extra["behind_new_microversion"] = "yes" if c.versioned else "no"
    return v


def breaking(old: str | os.PathLike[str], new: str | os.PathLike[str],
             config: LintConfig | None = None, *, base_dir: Path | None = None,
             allow_refs: Sequence[str | os.PathLike[str]] = (),
             max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[DiffReport, LintResult]:
    """The diff report (changes kept by the configuration) and the same as a lint result
    (NEW's document problems first, then one finding per change)."""
    config = config or LintConfig()

    def loader() -> Loader:
        return Loader(base_dir, allow_refs=allow_refs, max_bytes=max_bytes)

    old_loader, new_loader = loader(), loader()
    report = diff_specs(str(old), str(new), old_loader=old_loader, new_loader=new_loader)
    new_root = next(iter(new_loader.files.values()))
    check_document(new_root, {r for r in _DOC_RULES if config.wants(r)})
    out: list[Violation] = []
    suppressed = 0
    for p in new_loader.problems:
        if config.wants(p.rule):
            v = Violation(p.rule, config.severities.get(p.rule, Severity.ERROR), p.message,
                          p.pointer, p.source, p.source.location(p.pointer))
            out.append(v)
    kept: list[Change] = []
    for c in report.changes:
        if not config.wants(c.rule):
            continue
        c.severity = config.severities.get(c.rule, c.severity)
        v = violation_of(c, c.severity)
        if (v.source is not None and is_suppressed(v)) or any(i.matches(v) for i in
                                                                config.ignores):
            suppressed += 1
            continue
        kept.append(c)
        out.append(v)
    report.changes = kept
    result = LintResult(str(new), out, suppressed, None,
                        sorted({s.name for s in (*old_loader.files.values(),
                                                 *new_loader.files.values())}), group(out))
    return report, result


def run_breaking(old: str, new: str, config: LintConfig, fmt: str, options: RenderOptions, *,
                 base: Path | None = None, allow_refs: Sequence[str] = (),
                 max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[Severity]]:
    """(the report in ``fmt``, the severities that decide the exit status)."""
    report, result = breaking(old, new, config, base_dir=base, allow_refs=allow_refs,
                              max_bytes=max_bytes)
    severities = [v.severity for v in result.violations]
    problems = [v for v in result.violations if v.rule in _DOC_RULES]
    if fmt in ("text", "json"):
        text = render_diff(report, fmt, problems=problems, suppressed=result.suppressed)
    else:
        text = FORMATS[fmt](result, options)
    return text, severities
