"""Markdown for a pull-request comment (GitHub-flavoured).

A headline with the counts and both verdicts, the two clouds, the root causes (one row
each: what differs, the verdicts, how widely it was seen, an example), then a compact
table of findings (identical findings at several microversions share one row), the
problems.
Long sections fold into ``<details>``. The whole comment stays within ``limit``
characters (GitHub refuses comments over 65,536): rows that do not fit are dropped
with a note saying how many.
"""

from __future__ import annotations

import re

from interopcheck.causes import Cause
from interopcheck.render._common import (
    DASH,
    MergedFinding,
    causes,
    counts,
    example_line,
    merge_across_versions,
    plural,
    shorten,
    version_ranges,
)
from interopcheck.report import CloudInfo, Report

__all__ = ["COMMENT_LIMIT", "render"]

#: GitHub's maximum length of an issue or pull-request comment, in characters.
COMMENT_LIMIT = 65_536
#: Fold the findings table (and the problem list) into <details> past this many rows.
FOLD_AFTER = 10
_VALUE_CHARS = 60
_PATH_CHARS = 80
_TEXT_CHARS = 300

_TABLE_HEAD = (
    "| Scenario | Call | Microversion | Kind | Path | A | B | Breaks clients? | Needs bump? |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)
_CAUSES_HEAD = (
    "| # | Cause | A | B | Breaks clients? | Needs bump? | Seen |\n"
    "|---|---|---|---|---|---|---|\n"
)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _text(value: str, limit: int = _TEXT_CHARS) -> str:
    """Plain text safe in a table cell: one line, Markdown and HTML specials escaped."""
    flat = shorten(value, limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _code(value: str, limit: int = _VALUE_CHARS) -> str:
    """An inline code span holding ``value`` literally (one line, pipes escaped for tables)."""
    flat = shorten(value, limit)
    if flat == "":
        return "*(empty)*"
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat.replace('|', chr(92) + '|')}{pad}{fence}"


def _verdict(flag: bool) -> str:
    return "**yes**" if flag else "no"


def _row(item: MergedFinding, report: Report) -> str:
    f = item.finding
    versions = version_ranges(item.microversions, report.microversions)
    cells = [
        _text(f.scenario, 60),
        f"{_text(f.call, 60)} {_code(f'{f.method} {f.url}', 60)}",
        _text(versions, 80),
        _code(f.kind, 30),
        _code(f.path, _PATH_CHARS),
        _code(f.a),
        _code(f.b),
        _verdict(f.breaks_clients),
        _verdict(f.needs_version_bump),
    ]
    return "| " + " | ".join(cells) + " |\n"


def _cause_row(number: int, cause: Cause) -> str:
    example = cause.examples(1)[0]
    more = len(cause.findings) - 1
    seen = (f"{plural(len(cause.findings), 'finding')} in {plural(cause.calls, 'call')} at "
            f"{_text(cause.microversions, 80)}: {_text(example_line(example), 120)}"
            + (f" and {more} more" if more else ""))
    cells = [str(number), f"{_code(cause.kind, 30)} at {_code(cause.path, _PATH_CHARS)}"
             f" ({_text(cause.layer, 20)})", _code(cause.a), _code(cause.b),
             _verdict(cause.breaks_clients), _verdict(cause.needs_version_bump), seen]
    return "| " + " | ".join(cells) + " |\n"


def _cloud(label: str, cloud: CloudInfo) -> str:
    text = f"**{label}** {_code(cloud.name, 80)}"
    if cloud.url:
        text += f" {_text(cloud.url, 200)}"
    if cloud.min_version or cloud.max_version:
        text += f" (microversions {cloud.min_version or '?'}{DASH}{cloud.max_version or '?'})"
    return text


def _header(report: Report) -> str:
    c = counts(report)
    if report.exit_code == 0:
        verdict = "✅ no differences"
    elif c.findings:
        verdict = f"❌ {plural(c.findings, 'finding')}"
    else:
        verdict = "⚠️ the run failed"
    lines = [
        f"### {_text(report.tool, 80)} · {_text(report.service_type, 80)}: {verdict}",
        "",
        f"**{plural(c.findings, 'finding')}**: **{c.breaks_clients}** break existing clients, "
        f"**{c.needs_version_bump}** need a version bump · {plural(c.calls, 'call')}"
        f" at {plural(c.microversions, 'microversion')}"
        + (f" ({_text(version_ranges(report.microversions), 200)})" if report.microversions else "")
        + (f" · **{plural(c.problems, 'problem')}**" if c.problems else ""),
        "",
        f"{_cloud('A', report.cloud_a)} vs {_cloud('B', report.cloud_b)}"
        f" · profile {_code(report.profile, 80)}",
        "",
    ]
    return "\n".join(lines) + "\n"


def _fit(items: list[str], budget: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for item in items:
        if used + len(item) > budget:
            break
        kept.append(item)
        used += len(item)
    return kept


def _fold(summary: str, body: str, fold: bool) -> str:
    if not fold:
        return f"{body}\n"
    return f"<details><summary>{summary}</summary>\n\n{body}\n</details>\n\n"


def _tail(report: Report) -> str:
    c = counts(report)
    notes = []
    if c.baselined:
        notes.append(f"{plural(c.baselined, 'difference')} accepted by the baseline (not shown)")
    if c.noise:
        notes.append(f"{plural(c.noise, 'path')} ignored as noise (varied within one cloud)")
    notes.append(f"exit code {report.exit_code}")
    return "<sub>" + " · ".join(notes) + "</sub>\n"


def render(report: Report, *, limit: int = COMMENT_LIMIT) -> str:
    """The report as a PR comment of at most ``limit`` characters."""
    head, tail = _header(report), _tail(report)
    cause_rows = [_cause_row(i, c) for i, c in enumerate(causes(report), 1)]
    rows = [_row(m, report) for m in merge_across_versions(report)]
    problems = [f"- {_text(p.line(), 400)}\n" for p in report.problems]
    # Room for the table heads, three <details> wrappers and three truncation notes.
    budget = limit - len(head) - len(tail) - len(_TABLE_HEAD) - len(_CAUSES_HEAD) - 1400
    kept_causes = _fit(cause_rows, max(budget // 2, 0))
    budget -= sum(map(len, kept_causes))
    kept_problems = _fit(problems, min(sum(map(len, problems)), max(budget // 4, 0)))
    kept_rows = _fit(rows, budget - sum(map(len, kept_problems)))

    out = [head]
    if cause_rows:
        body = (f"**{plural(len(cause_rows), 'cause')}** (the findings grouped by what differs)"
                f":\n\n{_CAUSES_HEAD}" + "".join(kept_causes))
        if len(kept_causes) < len(cause_rows):
            body += f"\n*{len(cause_rows) - len(kept_causes)} more causes not shown.*\n"
        out.append(_fold(plural(len(cause_rows), "cause"), body, len(cause_rows) > FOLD_AFTER))
    if rows:
        body = _TABLE_HEAD + "".join(kept_rows)
        if len(kept_rows) < len(rows):
            body += (f"\n*{len(rows) - len(kept_rows)} more rows not shown: a comment holds at most"
                     f" {limit:,} characters; see the HTML or JSON report.*\n")
        summary = f"{plural(len(report.findings), 'finding')} in {plural(len(rows), 'row')}"
        out.append(_fold(summary, body, len(rows) > FOLD_AFTER))
    if problems:
        body = "**Problems** (parts of the run that did not complete):\n\n" + "".join(kept_problems)
        if len(kept_problems) < len(problems):
            body += f"- *{len(problems) - len(kept_problems)} more problems not shown*\n"
        out.append(_fold(plural(len(problems), "problem"), body, len(problems) > FOLD_AFTER))
    out.append(tail)
    text = "".join(out)
    if len(text) > limit:  # only when the head alone is enormous (huge names)
        note = "\n\n*(cut: the comment limit was reached)*\n"
        text = text[: max(limit - len(note), 0)] + note
    return text
