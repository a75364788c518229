"""Stylish text: findings grouped by file, ``line:col  severity  message  rule``."""

from __future__ import annotations

from collections import Counter

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    lines: list[str] = []
    current = None
    for v in result.violations:
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
        lines.append(f" {pos:>10}  {v.severity.value:<7}  {v.rule:<10}  {v.message}{suffix}")
    counts = Counter(v.severity.value for v in result.violations)
    if lines:
        lines.append("")
    total = len(result.violations)
    summary = (f"{total} problem{'s' if total != 1 else ''} ({counts['error']} errors, "
               f"{counts['warning']} warnings, {counts['info']} infos)")
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    lines.append(summary)
    return "\n".join(lines) + "\n"
