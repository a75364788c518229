"""Terminal summary: counts, then findings by scenario / call / microversion, then problems."""

from __future__ import annotations

from interopcheck.render._common import (
    cloud_label,
    finding_lines,
    ordered_findings,
    summary_line,
    version_ranges,
)
from interopcheck.report import Report

__all__ = ["render"]


def render(report: Report) -> str:
    """The report as plain text for a terminal (no colours, so it can be piped)."""
    out = [
        f"{report.tool}: {report.service_type} profile {report.profile}",
        f"  A: {cloud_label(report.cloud_a)}",
        f"  B: {cloud_label(report.cloud_b)}",
        f"  microversions: {version_ranges(report.microversions) or '(none)'}",
        "",
        summary_line(report),
    ]
    last: tuple[str, str, str] | None = None
    scenario: str | None = None
    for f in ordered_findings(report):
        if f.scenario != scenario:
            scenario = f.scenario
            out += ["", f"scenario {f.scenario}"]
        if (f.scenario, f.call, f.microversion) != last:
            last = (f.scenario, f.call, f.microversion)
            out.append(f"  {f.call}: {f.method} {f.url} @ {f.microversion}")
        out += [f"    {line}" for line in finding_lines(f)]
    if report.problems:
        out += ["", "problems:"]
        out += [f"  {p.line()}" for p in report.problems]
    if report.noise:
        out += ["", f"ignored as noise (varied within one cloud): {', '.join(report.noise)}"]
    out += ["", f"exit code {report.exit_code}"]
    return "\n".join(out) + "\n"
