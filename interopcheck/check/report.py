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
    judged = [f for f in result.findings if not (mode == "tolerant" and f.tolerated)]
    counts = {s: sum(1 for f in judged if f.severity.value == s) for s in ("error", "warning")}
    what = (f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')} ("
            f"{len(failing)} count with --fail-on {result.fail_on.value})")
    if mode == "tolerant":
        what += f"; {len(tolerated)} findings are known departures, tolerated"
    if result.broken:
        verdict = "NOT RUN"
    else:
        verdict = "passed" if not failing else "FAILED"
    return f"{mode}: {verdict}: {what}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _value(text: str) -> str:
    """A message or place as printed: an empty one is shown as JSON ``""``, never as nothing."""
    return text if text.strip() else json.dumps(text)


def _group_lines(items: list[CheckFinding], limit: int = 3) -> list[str]:
    """Up to ``limit`` distinct messages (with how often each was seen), then '... and N
    more', so that what is listed always adds up to the group's count."""
    by_message: OrderedDict[str, list[CheckFinding]] = OrderedDict()
    for f in items:
        by_message.setdefault(f.message, []).append(f)
    lines: list[str] = []
    listed = 0
    for message, same in list(by_message.items())[:limit]:
        times = f" ({len(same)} times)" if len(same) > 1 else ""
        lines.append(f"        - {_value(message)}{times}")
        if same[0].where:
            lines.append(f"          at {same[0].where}"
                         + (f" (and {len(same) - 1} more places)" if len(same) > 1 else ""))
        listed += len(same)
    if listed < len(items):
        lines.append(f"        ... and {len(items) - listed} more (--format json lists all)")
    return lines


def to_text(result: CheckResult, *, quiet: bool = False) -> str:
    """The grouped text report; ``quiet``: the header, problems and verdict lines only."""
    lines = [f"interopcheck check {result.cloud} --profile {result.profile}"]
    if result.max_version is not None:
        lines.append(f"versions {result.min_version}-{result.max_version}; scenario calls at "
                     f"{', '.join(str(v) for v in result.versions)}: {result.calls} calls, "
                     f"{result.probes} negotiation probes")
    lines.append("")
    for (rule, dep), items in ({} if quiet else _groups(result)).items():
        first = items[0]
        head = f"{first.severity.value:<7} {rule:<8} {first.description or first.message}"
        lines.append(head + (f"  [{len(items)} findings]" if len(items) > 1 else ""))
        if dep:
            lines.append(f"        strict only; tolerant mode accepts it ({dep}): "
                         f"{DEPARTURES.get(dep, dep)}")
        lines.extend(_group_lines(items))
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
