"""Helpers shared by the renderers: ordering, counts, labels, causes. Pure functions of the
Report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from interopcheck.causes import Cause, group_causes
from interopcheck.findings import Finding, Severity
from interopcheck.report import CloudInfo, Report

__all__ = [
    "ABSENT",
    "DASH",
    "EXAMPLES",
    "Counts",
    "MergedFinding",
    "cause_lines",
    "causes",
    "cloud_label",
    "counts",
    "example_line",
    "finding_lines",
    "merge_across_versions",
    "ordered_findings",
    "plural",
    "sent",
    "severity_text",
    "shorten",
    "summary_line",
    "version_key",
    "version_ranges",
    "yes_no",
]

#: Between the ends of a range of microversions.
DASH = "\u2013"
#: How the comparison writes "this side has no such property/header".
ABSENT = "(absent)"
#: Example findings shown per cause (``verbose`` shows all of them).
EXAMPLES = 3


def version_key(version: str) -> tuple[int, ...] | tuple[float, str]:
    """Sort key for ``"1.10"`` after ``"1.9"``; anything else sorts last, alphabetically."""
    if re.fullmatch(r"\d+(\.\d+)*", version):
        return tuple(int(p) for p in version.split("."))
    return (float("inf"), version)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def severity_text(severity: Severity | str) -> str:
    return str(severity.value if isinstance(severity, Severity) else severity)


def sent(value: str | None, limit: int = 200) -> str:
    """What a cloud sent, as the terminal shows it: an empty value, ``None`` or one with
    spaces at its ends is printed as JSON (``""``, ``null``, ``" x"``) so that it is seen."""
    if value is None or not value.strip() or value != value.strip():
        return shorten(json.dumps(value), limit)
    return shorten(value, limit)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def version_ranges(versions: Iterable[str], universe: Sequence[str] = ()) -> str:
    """``"1.0-1.5, 1.7"`` (en dash): runs of versions consecutive within ``universe``.

    Without a universe (or for versions outside it), versions are consecutive when they
    share the major version and their minors differ by one.
    """
    ordered = sorted(set(versions), key=version_key)
    if not ordered:
        return ""
    index = {v: i for i, v in enumerate(sorted(set(universe), key=version_key))}

    def follows(prev: str, cur: str) -> bool:
        if prev in index and cur in index:
            return index[cur] == index[prev] + 1
        kp, kc = version_key(prev), version_key(cur)
        return (len(kp) == len(kc) == 2 and kp[0] == kc[0]
                and isinstance(kp[1], int) and isinstance(kc[1], int) and kc[1] == kp[1] + 1)

    runs: list[list[str]] = [[ordered[0]]]
    for v in ordered[1:]:
        if follows(runs[-1][-1], v):
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}{DASH}{r[-1]}" for r in runs)


def cloud_label(cloud: CloudInfo) -> str:
    """``name (url, microversions min-max)``."""
    parts = [cloud.url] if cloud.url else []
    if cloud.min_version or cloud.max_version:
        parts.append(f"microversions {cloud.min_version or '?'}{DASH}{cloud.max_version or '?'}")
    return f"{cloud.name} ({', '.join(parts)})" if parts else cloud.name


@dataclass(frozen=True, slots=True)
class Counts:
    findings: int
    breaks_clients: int
    needs_version_bump: int
    calls: int
    skipped: int
    problems: int
    baselined: int
    noise: int
    microversions: int


def counts(report: Report) -> Counts:
    return Counts(
        findings=len(report.findings),
        breaks_clients=sum(1 for f in report.findings if f.breaks_clients),
        needs_version_bump=sum(1 for f in report.findings if f.needs_version_bump),
        calls=len(report.calls),
        skipped=sum(1 for c in report.calls if c.skipped),
        problems=len(report.problems),
        baselined=len(report.baselined),
        noise=len(report.noise),
        microversions=len(report.microversions),
    )


def summary_line(report: Report) -> str:
    """One line: findings with both verdict counts, calls, microversions, problems."""
    c = counts(report)
    text = (f"{plural(c.findings, 'finding')} ({c.breaks_clients} break existing clients, "
            f"{c.needs_version_bump} need a version bump) in {plural(c.calls, 'call')}")
    if c.skipped:
        text += f" ({c.skipped} skipped)"
    text += f" at {plural(c.microversions, 'microversion')}"
    if c.problems:
        text += f"; {plural(c.problems, 'problem')}"
    if c.baselined:
        text += f"; {c.baselined} baselined"
    return text


def ordered_findings(report: Report, findings: Sequence[Finding] | None = None) -> list[Finding]:
    """Findings grouped by scenario and call (in run order), microversions ascending."""
    items = list(report.findings if findings is None else findings)
    scenario_rank: dict[str, int] = {}
    call_rank: dict[tuple[str, str], int] = {}
    for c in report.calls:
        scenario_rank.setdefault(c.scenario, len(scenario_rank))
        call_rank.setdefault((c.scenario, c.call), len(call_rank))
    for f in items:
        scenario_rank.setdefault(f.scenario, len(scenario_rank))
        call_rank.setdefault((f.scenario, f.call), len(call_rank))
    return sorted(items, key=lambda f: (scenario_rank[f.scenario], call_rank[(f.scenario, f.call)],
                                        version_key(f.microversion)))


def finding_lines(f: Finding) -> list[str]:
    """A finding as the terminal shows it: what differs, what each cloud sent, the verdicts."""
    return [
        f"{f.kind} at {f.path}: A sent {sent(f.a)} | B sent {sent(f.b)}",
        f"  breaks clients: {yes_no(f.breaks_clients)} · needs version bump: "
        f"{yes_no(f.needs_version_bump)} · {f.rule} {severity_text(f.severity)}",
        f"  {f.summary}",
    ]


@dataclass(frozen=True, slots=True)
class MergedFinding:
    """Identical findings at several microversions, shown once (PR comments)."""

    finding: Finding
    microversions: tuple[str, ...]


def merge_across_versions(report: Report) -> list[MergedFinding]:
    """Findings that differ only by microversion, merged into one row each."""
    merged: dict[tuple[object, ...], list[Finding]] = {}
    for f in ordered_findings(report):
        key = (f.scenario, f.call, f.method, f.kind, f.path, f.a, f.b,
               f.breaks_clients, f.needs_version_bump, f.rule)
        merged.setdefault(key, []).append(f)
    return [MergedFinding(group[0], tuple(g.microversion for g in group))
            for group in merged.values()]


def causes(report: Report) -> list[Cause]:
    """The report's findings grouped into root causes (failing first, then by layer, size)."""
    return group_causes(ordered_findings(report))


def example_line(f: Finding) -> str:
    """Where one finding of a cause was seen."""
    return f"{f.scenario} / {f.call}: {f.method} {f.url} @ {f.microversion}"


def cause_lines(cause: Cause, examples: int = EXAMPLES) -> list[str]:
    """A cause as the terminal shows it: what differs, the verdicts, how widely it was seen,
    then up to ``examples`` findings (``examples < 0``: all) and how many more there are."""
    shown = cause.examples(examples)
    lines = [
        f"{cause.kind} at {cause.path}: A sent {sent(cause.a)} | B sent {sent(cause.b)}",
        f"  breaks clients: {yes_no(cause.breaks_clients)} · needs version bump: "
        f"{yes_no(cause.needs_version_bump)} · {cause.rule} {severity_text(cause.severity)}"
        f" · {cause.layer}",
        f"  {cause.summary}",
        f"  {plural(len(cause.findings), 'finding')} in {plural(cause.calls, 'call')} of "
        f"{plural(len(cause.scenarios), 'scenario')} at microversions {cause.microversions}",
    ]
    lines += [f"    - {example_line(f)}" for f in shown]
    if len(cause.findings) > len(shown):
        lines.append(f"    ... and {len(cause.findings) - len(shown)} more")
    return lines
