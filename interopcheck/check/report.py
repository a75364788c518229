"""Rendering a :class:`~interopcheck.check.run.CheckResult`: text (grouped) and JSON."""

from __future__ import annotations

import json
from collections import OrderedDict

from interopcheck.check.run import MODES, CheckFinding, CheckResult
from interopcheck.check.tolerance import DEPARTURES

__all__ = ["to_json", "to_text"]


def _groups(result: CheckResult) -> OrderedDict[tuple[str, str | None], list[CheckFinding]]:
    """Findings by (rule, departure), errors first."""
    groups: OrderedDict[tuple[str, str | None], list[CheckFinding]] = OrderedDict()
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(result.findings, key=lambda f: (f.departure is not None,
                                                    order[f.severity.value], f.rule)):
        groups.setdefault((f.rule, f.departure), []).append(f)
    return groups


def _mode_line(result: CheckResult, mode: str) -> str:
    failing = result.failing(mode)
    tolerated = [f for f in result.findings if f.tolerated]
    counts = {s: sum(1 for f in failing if f.severity.value == s) for s in ("error", "warning")}
    what = f"{counts['error']} errors, {counts['warning']} warnings count"
    if mode == "tolerant":
        what += f" ({len(tolerated)} findings are known departures, tolerated)"
    if result.broken:
        verdict = "NOT RUN"
    else:
        verdict = "passed" if not failing else "FAILED"
    return f"{mode}: {verdict}: {what} (fail on {result.fail_on.value})"


def to_text(result: CheckResult) -> str:
    lines = [f"interopcheck check {result.cloud} --profile {result.profile}"]
    if result.max_version is not None:
        lines.append(f"versions {result.min_version}-{result.max_version}; scenario calls at "
                     f"{', '.join(str(v) for v in result.versions)}: {result.calls} calls, "
                     f"{result.probes} negotiation probes")
    lines.append("")
    for (rule, dep), items in _groups(result).items():
        first = items[0]
        head = f"{first.severity.value:<7} {rule:<8} {first.description or first.message}"
        lines.append(head + (f"  [{len(items)} findings]" if len(items) > 1 else ""))
        if dep:
            lines.append(f"        strict only; tolerant mode accepts it ({dep}): "
                         f"{DEPARTURES.get(dep, dep)}")
        shown: set[str] = set()
        for f in items:
            if f.message in shown:
                continue
            shown.add(f.message)
            if len(shown) > 3:
                lines.append(f"        ... {len(items) - 3} more (--format json lists all)")
                break
            lines.append(f"        - {f.message}")
            if f.where:
                lines.append(f"          at {f.where}")
    if result.issues:
        lines.append("")
        lines.append("problems:")
        for issue in result.issues:
            lines.append(f"  {issue.where}: {issue.what} ({issue.what_to_do})")
    lines.append("")
    lines.extend(_mode_line(result, mode) for mode in MODES)
    return "\n".join(lines) + "\n"


def to_json(result: CheckResult) -> str:
    """The result's documented JSON form (:meth:`CheckResult.to_dict`)."""
    return json.dumps(result.to_dict(), indent=2) + "\n"
