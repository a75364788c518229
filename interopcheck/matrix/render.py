"""The matrix as text, Markdown, JSON and HTML.

A cell reads ``B/V``: causes that break clients written against the row's cloud / causes
that need a version bump (``·`` when both are 0, ``—`` on the diagonal). Below the grid,
every failing cause of every pair with the microversions it shows at.
"""

from __future__ import annotations

import html
import json
from typing import Any

from interopcheck.causes import Cause
from interopcheck.matrix.compute import Matrix, Pair

__all__ = ["FORMATS", "to_html", "to_json", "to_markdown", "to_text"]


def _cell(matrix: Matrix, i: int, j: int) -> str:
    if i == j:
        return "—"
    pair = matrix.pair(i, j)
    if pair.problems and not pair.causes:
        return "!"
    if not pair.breaking and not pair.bumps:
        return "·"
    return f"{len(pair.breaking)}/{len(pair.bumps)}"


def _cause_line(cause: Cause) -> str:
    verdicts = [v for v, on in (("breaks clients", cause.breaks_clients),
                                ("needs a version bump", cause.needs_version_bump)) if on]
    return (f"{cause.kind} at {cause.path}: A={cause.a} B={cause.b} [{cause.rule}; "
            f"{', '.join(verdicts)}] at {cause.microversions} ({len(cause.findings)} findings "
            f"in {', '.join(cause.scenarios[:3])}{', ...' if len(cause.scenarios) > 3 else ''})")


def _legend(matrix: Matrix) -> list[str]:
    out = []
    for n, (label, snap) in enumerate(zip(matrix.labels, matrix.snapshots, strict=True)):
        cloud = snap.provenance["cloud"]
        release = f", {cloud['release']}" if cloud.get("release") else ""
        out.append(f"[{n + 1}] {label}: {cloud['min_version']}-{cloud['max_version']}"
                   f"{release}, recorded {snap.provenance['recorded_at']}")
    return out


def _pairs(matrix: Matrix) -> list[Pair]:
    return [matrix.pairs[k] for k in sorted(matrix.pairs)]


def to_text(matrix: Matrix) -> str:
    n = len(matrix.labels)
    width = 7
    lines = [f"interopcheck matrix: profile {matrix.profile}, {n} recorded clouds "
             f"(row = A, the reference; column = B; cell = breaking/version-bump causes)", ""]
    lines.append("A \\ B".ljust(width) + "".join(f"[{j + 1}]".rjust(width) for j in range(n)))
    for i in range(n):
        lines.append(f"[{i + 1}]".ljust(width)
                     + "".join(_cell(matrix, i, j).rjust(width) for j in range(n)))
    lines += ["", *_legend(matrix), ""]
    for pair in _pairs(matrix):
        if not pair.failing and not pair.problems:
            continue
        lines.append(f"[{pair.a + 1}] -> [{pair.b + 1}] (common {pair.common}): "
                     f"{len(pair.breaking)} break clients, {len(pair.bumps)} need a version bump")
        lines += [f"  - {_cause_line(c)}" for c in pair.failing]
        lines += [f"  ! {p}" for p in pair.problems]
    if all(not p.failing and not p.problems for p in matrix.pairs.values()):
        lines.append("No pair differs in a way that breaks clients or needs a version bump.")
    return "\n".join(lines) + "\n"


def to_markdown(matrix: Matrix) -> str:
    n = len(matrix.labels)
    lines = [f"# interopcheck matrix: profile `{matrix.profile}`", "",
             "Row = A (the reference), column = B; a cell is *breaking / version-bump* causes.",
             "", "| A \\ B | " + " | ".join(f"[{j + 1}]" for j in range(n)) + " |",
             "|---|" + "---|" * n]
    for i in range(n):
        lines.append(f"| [{i + 1}] | " + " | ".join(_cell(matrix, i, j) for j in range(n))
                     + " |")
    lines += ["", *[f"- {x}" for x in _legend(matrix)], ""]
    for pair in _pairs(matrix):
        if not pair.failing and not pair.problems:
            continue
        lines += [f"## [{pair.a + 1}] → [{pair.b + 1}] (common {pair.common})", ""]
        lines += [f"- `{c.kind}` at `{c.path}`: " + _cause_line(c).split(": ", 1)[1]
                  for c in pair.failing]
        lines += [f"- problem: {p}" for p in pair.problems]
        lines.append("")
    return "\n".join(lines) + "\n"


def _json(matrix: Matrix) -> dict[str, Any]:
    return {
        "format": "interopcheck-matrix", "schema_version": 1, "profile": matrix.profile,
        "clouds": [{"label": label, **snap.provenance["cloud"],
                    "recorded_at": snap.provenance["recorded_at"]}
                   for label, snap in zip(matrix.labels, matrix.snapshots, strict=True)],
        "pairs": [{"a": matrix.labels[p.a], "b": matrix.labels[p.b], "common": p.common,
                   "breaks_clients": len(p.breaking), "needs_version_bump": len(p.bumps),
                   "causes": [c.to_dict() for c in p.causes], "problems": list(p.problems)}
                  for p in _pairs(matrix)],
    }


def to_json(matrix: Matrix) -> str:
    return json.dumps(_json(matrix), indent=1) + "\n"


def to_html(matrix: Matrix) -> str:
    n = len(matrix.labels)
    e = html.escape
    head = "".join(f"<th>[{j + 1}]</th>" for j in range(n))
    rows = []
    for i in range(n):
        cells = []
        for j in range(n):
            text = _cell(matrix, i, j)
            bad = i != j and text not in ("·", "—")
            inner = f'<a href="#p{i}-{j}">{e(text)}</a>' if bad else e(text)
            cells.append(f'<td class="{"bad" if bad else "ok"}">{inner}</td>')
        rows.append(f"<tr><th>[{i + 1}]</th>{''.join(cells)}</tr>")
    legend = "".join(f"<li>{e(x)}</li>" for x in _legend(matrix))
    details = []
    for pair in _pairs(matrix):
        if not pair.failing and not pair.problems:
            continue
        items = "".join(f"<li><code>{e(c.kind)}</code> at <code>{e(c.path)}</code>: "
                        f"{e(_cause_line(c).split(': ', 1)[1])}</li>" for c in pair.failing)
        items += "".join(f"<li>problem: {e(p)}</li>" for p in pair.problems)
        details.append(f"<h2 id=\"p{pair.a}-{pair.b}\">[{pair.a + 1}] → [{pair.b + 1}] "
                       f"(common {e(str(pair.common))})</h2><ul>{items}</ul>")
    return ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
            f"<title>interopcheck matrix: {e(matrix.profile)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:.3em .8em;text-align:center}"
            "td.bad{background:#fdd}td.ok{background:#efe}</style>"
            f"<h1>interopcheck matrix: profile {e(matrix.profile)}</h1>"
            "<p>Row = A (the reference), column = B; a cell is breaking / version-bump "
            "causes.</p>"
            f"<table><tr><th>A \\ B</th>{head}</tr>{''.join(rows)}</table>"
            f"<ul>{legend}</ul>{''.join(details)}</html>\n")


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json, "html": to_html}
