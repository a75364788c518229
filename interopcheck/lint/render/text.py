"""Stylish text: findings grouped by file, ``line:col  severity  rule  message``.

A root cause seen in many places is printed once, at its first place, with the count of the
others (``--format json`` or ``sarif`` list every place).
"""

from __future__ import annotations

from collections import Counter

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    lines: list[str] = []
    current = None
    counts = {c.id: c.count for c in result.causes}
    by_id = {c.id: c for c in result.causes}
    shown: set[str] = set()
    for v in result.violations:
        cause = v.extra.get("cause")
        if cause is not None:
            if cause in shown:
                continue
            shown.add(cause)
        loc = v.location
        file = loc.file if loc else result.spec
        if file != current:
            if current is not None:
                lines.append("")
            lines.append(file)
            current = file
        pos = f"{loc.line}:{loc.column}" if loc else "-"
        versions = v.extra.get("microversions")
        suffix = f"  [microversions {versions}]" if versions else ""
        more = counts.get(cause, 1) - 1 if cause else 0
        if more:
            suffix += f"  (+{more} more with the same cause)"
        message = by_id[cause].headline(v) if cause in by_id else v.message
        lines.append(f" {pos:>10}  {v.severity.value:<7}  {v.rule:<10}  {message}{suffix}")
    counts_sev = Counter(v.severity.value for v in result.violations)
    if lines:
        lines.append("")
    total = len(result.violations)
    summary = (f"{total} problem{'s' if total != 1 else ''} ({counts_sev['error']} errors, "
               f"{counts_sev['warning']} warnings, {counts_sev['info']} infos)")
    if result.causes and len(result.causes) != total:
        summary += f" from {len(result.causes)} cause{'s' if len(result.causes) != 1 else ''}"
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    lines.append(summary)
    return "\n".join(lines) + "\n"
