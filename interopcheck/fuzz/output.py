"""What ``interopcheck fuzz`` prints: causes first, each with a request that reproduces it."""

from __future__ import annotations

import json
from typing import Any

from interopcheck.causes import Cause
from interopcheck.fuzz.engine import FuzzResult

__all__ = ["render_json", "render_text"]


def _short(text: str, limit: int = 100) -> str:
    """One line of at most ``limit`` characters (the full value is in the JSON report)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


def _pair(a: str, b: str, limit: int = 100) -> tuple[str, str]:
    """A and B shortened around where they start to differ."""
    a, b = " ".join(str(a).split()), " ".join(str(b).split())
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    if same > 40 and max(len(a), len(b)) > limit:
        a, b = "…" + a[same - 30:], "…" + b[same - 30:]
    return _short(a, limit), _short(b, limit)


def _cause_lines(number: int, cause: Cause) -> list[str]:
    first = cause.findings[0]
    where = ", ".join(dict.fromkeys(f"{f.scenario.removeprefix('fuzz ')} ({f.call})"
                                    for f in cause.findings[:4]))
    more = len({(f.scenario, f.call) for f in cause.findings}) - min(4, len(cause.findings))
    lines = [
        f"{number}. [{cause.severity.value.upper()} {cause.rule}] {cause.summary}",
        "   {} at {}: A={}  B={}".format(cause.kind, cause.path, *_pair(cause.a, cause.b)),
        f"   seen at: {where}{f' and {more} more' if more > 0 else ''}; "
        f"microversions {cause.microversions}",
    ]
    if first.extra.get("detail"):
        lines.append("   detail: " + _short(first.extra["detail"].strip().splitlines()[0], 200))
    if first.extra.get("sequence"):
        lines.append("   after the calls:")
        lines.extend(f"     {line}" for line in first.extra["sequence"].splitlines()[:-1][-4:])
    lines.append("   reproduce:")
    lines.append(f"     {first.extra.get('curl', '')}")
    lines.append("   as a profile step:")
    lines.append(f"     - {first.extra.get('profile_step', '')}")
    return lines


def render_text(result: FuzzResult) -> str:
    """The summary: what ran, then every cause with its reproduction, then problems."""
    report = result.report
    clouds = f"A={report.cloud_a.url}" + (
        f" B={report.cloud_b.url}" if report.cloud_b.name != "document" else
        f" (one cloud, against {report.cloud_b.url})")
    operations = len({label for _v, label in result.examples})
    lines = [
        f"interopcheck fuzz: {clouds}",
        f"  microversions {', '.join(report.microversions) or '(none)'}; "
        f"{result.calls} generated calls over {operations} operations"
        + (f"; seed {result.seed}" if result.seed is not None else ""),
    ]
    if result.causes:
        lines.append(f"{len(result.causes)} causes ({len(report.findings)} findings):")
        for i, cause in enumerate(result.causes, 1):
            lines.extend(_cause_lines(i, cause))
    else:
        lines.append("No findings.")
    for problem in report.problems:
        lines.append(f"problem: {problem.line()}")
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def render_json(result: FuzzResult) -> str:
    """The report's JSON form plus the causes and the per-operation call counts."""
    data: dict[str, Any] = result.report.to_dict()
    data["causes"] = [dict(c.to_dict(), curl=c.findings[0].extra.get("curl", ""),
                           profile_step=c.findings[0].extra.get("profile_step", ""))
                      for c in result.causes]
    data["generated"] = [{"microversion": v, "operation": label, "calls": n}
                         for (v, label), n in sorted(result.examples.items())]
    data["seed"] = result.seed
    data["stopped"] = result.stopped
    data["notes"] = result.notes
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
