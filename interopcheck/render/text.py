"""Terminal summary: counts, then the findings' root causes (each with a few of its findings
as examples; ``verbose``: all of them), then problems."""

from __future__ import annotations

from interopcheck.render._common import (
    EXAMPLES,
    cause_lines,
    causes,
    cloud_label,
    plural,
    summary_line,
    version_ranges,
)
from interopcheck.report import Report

__all__ = ["render"]


def render(report: Report, *, verbose: bool = False) -> str:
    """The report as plain text for a terminal (no colours, so it can be piped)."""
    out = [
        f"{report.tool}: {report.service_type} profile {report.profile}",
        f"  A: {cloud_label(report.cloud_a)}",
        f"  B: {cloud_label(report.cloud_b)}",
        f"  microversions: {version_ranges(report.microversions) or '(none)'}",
        "",
        summary_line(report),
    ]
    found = causes(report)
    if found:
        out += ["", f"{plural(len(found), 'cause')}:"]
    for number, cause in enumerate(found, 1):
        lines = cause_lines(cause, -1 if verbose else EXAMPLES)
        out += ["", f"{number}. {lines[0]}", *(f"   {line}" for line in lines[1:])]
    if report.problems:
        out += ["", "problems:"]
        out += [f"  {p.line()}" for p in report.problems]
    if report.noise:
        out += ["", f"ignored as noise (varied within one cloud): {', '.join(report.noise)}"]
    out += ["", f"exit code {report.exit_code}"]
    return "\n".join(out) + "\n"
