"""One self-contained HTML file: the report a person would rather read than the JSON.

No external assets and no network (a Content-Security-Policy forbids both): the CSS
and the filtering script are inline, and every value from the report is escaped, so
a finding whose value holds ``<script>`` shows that text. Layout:

- a header with the two clouds, the microversions compared and the counts;
- a sticky filter bar: a checkbox per kind, a microversion select, a verdict select
  and a text search; the script hides non-matching findings (and emptied groups)
  and keeps the choice in the URL fragment (``#kind=status&mv=1.14&verdict=breaks``),
  which it also reads on load (the same ``apply`` code path as the controls);
- findings grouped by scenario and call, each a card with the path, method + URL,
  microversion, rule, summary and the two clouds' values side by side;
- the problems, then (folded) every compared call, baselined findings and noise.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence

from interopcheck.findings import Finding
from interopcheck.render import html_context
from interopcheck.render._assets import SCRIPT, STYLE
from interopcheck.render._common import (
    ABSENT,
    DASH,
    EXAMPLES,
    MergedFinding,
    causes,
    counts,
    example_line,
    merge_across_versions,
    ordered_findings,
    plural,
    severity_text,
    shorten,
    summary_line,
    version_key,
    version_ranges,
)
from interopcheck.report import REPORT_SCHEMA_VERSION, CloudInfo, Report

__all__ = ["render"]

#: How a finding records a call sent without a version header (ScenarioVersion NONE).
NO_VERSION_HEADER = "none"
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'")
_SUMMARY_CHARS = 400
_VERDICTS = (("", "any"), ("breaks", "breaks clients"), ("bump", "needs version bump"),
             ("either", "breaks clients or needs bump"), ("neither", "neither"))


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _value(value: str) -> str:
    if value == ABSENT:
        return '<span class="absent">(absent)</span>'
    if value == "":
        return '<span class="absent">(empty)</span>'
    shown = value
    if len(value) > 60 and value[:1] in "{[":
        try:
            shown = json.dumps(json.loads(value), indent=2, ensure_ascii=False)
        except ValueError:
            shown = value
    return f"<pre>{e(shown)}</pre>"


def _cloud(tag: str, cloud: CloudInfo) -> str:
    versions = ""
    if cloud.min_version or cloud.max_version:
        versions = (f'<div class="muted">microversions {e(cloud.min_version or "?")}'
                    f'{DASH}{e(cloud.max_version or "?")}</div>')
    return (f'<div class="cloud cloud-{tag.lower()}"><div class="tag">{tag}</div><div>'
            f'<div class="cloud-name">{e(cloud.name)}</div>'
            f'<div><code>{e(cloud.url)}</code></div>{versions}</div></div>')


def _stat(n: int, label: str, cls: str = "") -> str:
    return f'<div class="stat {cls}"><span class="n">{n}</span><span>{e(label)}</span></div>'


def _header(report: Report) -> str:
    c = counts(report)
    if report.exit_code == 0:
        verdict = '<div class="banner ok">No differences</div>'
    elif c.findings:
        verdict = f'<div class="banner bad">{e(plural(c.findings, "finding"))}</div>'
    else:
        verdict = '<div class="banner warn">The run failed</div>'
    stats = "".join([
        _stat(c.findings, "findings", "bad" if c.findings else "ok"),
        _stat(c.breaks_clients, "break existing clients", "bad" if c.breaks_clients else ""),
        _stat(c.needs_version_bump, "need a version bump", "warn" if c.needs_version_bump else ""),
        _stat(c.calls, "calls compared"),
        _stat(c.microversions, "microversions"),
        _stat(c.problems, "problems", "warn" if c.problems else ""),
        _stat(c.baselined, "baselined"),
        _stat(c.noise, "noise paths"),
    ])
    versions = version_ranges(report.microversions) or "none"
    return (
        '<header class="top"><div class="wrap">'
        f'<div class="title"><h1>{e(report.tool)} <span class="muted">·</span> '
        f'{e(report.service_type)}</h1>{verdict}</div>'
        f'<div class="clouds">{_cloud("A", report.cloud_a)}<div class="vs">vs</div>'
        f'{_cloud("B", report.cloud_b)}</div>'
        f'<div class="stats">{stats}</div>'
        f'<p class="meta">profile <code>{e(report.profile)}</code> · microversions compared: '
        f'<b>{e(versions)}</b> · {e(report.started_at)} → {e(report.finished_at)}</p>'
        '</div></header>'
    )


def _filters(findings: Sequence[Finding]) -> str:
    kinds = Counter(f.kind for f in findings)
    versions = Counter(f.microversion for f in findings)
    boxes = "".join(
        f'<label class="chk kind-{e(k)}"><input type="checkbox" name="kind" value="{e(k)}" '
        f'checked> {e(k)} <span class="n">{n}</span></label>'
        for k, n in sorted(kinds.items()))
    options = '<option value="">all</option>' + "".join(
        f'<option value="{e(v)}">'
        f'{"no version header" if v == NO_VERSION_HEADER else e(v)} ({n})</option>'
        for v, n in sorted(versions.items(), key=lambda item: version_key(item[0])))
    verdicts = "".join(f'<option value="{v}">{e(label)}</option>' for v, label in _VERDICTS)
    return (
        '<nav class="filters" id="filters"><div class="wrap">'
        f'<fieldset class="kinds"><legend>Kind</legend>{boxes}'
        '<button type="button" id="kinds-all" title="check every kind">all</button>'
        '<button type="button" id="kinds-none" title="uncheck every kind">none</button>'
        '</fieldset>'
        f'<label class="sel">Microversion <select id="f-mv">{options}</select></label>'
        f'<label class="sel">Verdict <select id="f-verdict">{verdicts}</select></label>'
        '<label class="sel">Search <input type="search" id="f-text" '
        'placeholder="path, call, value…"></label>'
        f'<span id="shown" class="muted">{len(findings)} of {len(findings)} findings shown</span>'
        '<button type="button" id="f-reset">reset</button>'
        '</div></nav>'
    )


def _badge(text: str, cls: str, title: str = "") -> str:
    title_attr = f' title="{e(title)}"' if title else ""
    return f'<span class="badge {e(cls)}"{title_attr}>{e(text)}</span>'


def _versions_badge(item: MergedFinding, report: Report) -> tuple[str, str]:
    """The microversion chip's text and title; a call sent without a version header says
    so (``none`` is how the finding records it), it is not a version called "none"."""
    sent = [v for v in item.microversions if v != NO_VERSION_HEADER]
    parts = [version_ranges(sent, report.microversions)] if sent else []
    if len(sent) < len(item.microversions):
        parts.append("no version header")
    many = len(item.microversions) > 1
    title = (f"the same finding at {len(item.microversions)} microversions: "
             f"{' '.join(item.microversions)}" if many else "microversion")
    if not sent:
        title = "sent without a version header: the service answers at its minimum version"
    return ", ".join(parts), title


def _card(item: MergedFinding, index: int, report: Report) -> str:
    f = item.finding
    verdicts = (
        _badge("breaks clients" if f.breaks_clients else "no client break",
               "v-yes" if f.breaks_clients else "v-no",
               "stability: would code written against A fail on B?")
        + _badge("needs version bump" if f.needs_version_bump else "no bump needed",
                 "v-bump" if f.needs_version_bump else "v-no",
                 "interop: may this change only happen behind a new microversion?")
    )
    extra = html_context.context(f, _value)  # the differing node marked when opened
    severity = severity_text(f.severity)
    versions, title = _versions_badge(item, report)
    return (
        f'<article class="finding sev-{e(severity)}" id="f-{index}" data-kind="{e(f.kind)}" '
        f'data-mvs="{e(" ".join(item.microversions))}" data-breaks="{int(f.breaks_clients)}" '
        f'data-bump="{int(f.needs_version_bump)}">'
        '<div class="card-head">'
        f'{_badge(f.kind, "kind kind-" + f.kind)}{_badge(versions, "mv", title)}'
        f'<span class="summary">{e(shorten(f.summary, _SUMMARY_CHARS))}</span>'
        f'<span class="verdicts">{verdicts}</span></div>'
        '<div class="where">'
        f'<span class="lbl">path</span><code class="path">{e(f.path)}</code>'
        f'<span class="lbl">request</span><code>{e(f.method)} {e(f.url)}</code>'
        f'<span class="lbl">call</span><span>{e(f.call)}</span>'
        f'<span class="lbl">rule</span><span>{e(f.rule)} '
        f'<span class="sev">{e(severity)}</span></span>'
        '</div>'
        '<div class="sides">'
        f'<div class="side side-a"><div class="side-lbl"><span class="tag">A</span> '
        f'{e(report.cloud_a.name)}</div>{_value(f.a)}</div>'
        f'<div class="side side-b"><div class="side-lbl"><span class="tag">B</span> '
        f'{e(report.cloud_b.name)}</div>{_value(f.b)}</div>'
        f'</div>{extra}</article>'
    )


def _findings(report: Report, merged: Sequence[MergedFinding]) -> str:
    if not merged:
        message = ("The two clouds answered every call with the same structure."
                   if not report.problems else "No findings (but see the problems below).")
        return f'<section id="findings"><p class="none">{e(message)}</p></section>'
    out = ['<section id="findings"><h2>Findings</h2>']
    scenario = call = None
    for index, item in enumerate(merged, 1):
        f = item.finding
        if f.scenario != scenario:
            if scenario is not None:
                out.append("</div></section>")
            scenario, call = f.scenario, None
            out.append(f'<section class="scenario"><h3>scenario <b>{e(f.scenario)}</b> '
                       '<span class="count muted"></span></h3>')
        if f.call != call:
            if call is not None:
                out.append("</div>")
            call = f.call
            out.append(f'<div class="call"><h4>{e(f.call)} <code>{e(f.method)} '
                       f'{e(f.url)}</code></h4>')
        out.append(_card(item, index, report))
    out.append("</div></section>")
    out.append('<p class="none" id="none-shown" hidden>No finding matches the filters.</p>')
    out.append("</section>")
    return "".join(out)


def _causes(report: Report, merged: Sequence[MergedFinding]) -> str:
    """The root causes first: what differs, the verdicts, how widely, links to examples."""
    found = causes(report)
    if not found:
        return ""
    card: dict[tuple[str, str, str, str, str, str, str], int] = {}
    for index, item in enumerate(merged, 1):
        f = item.finding
        for version in item.microversions:
            card.setdefault((f.scenario, f.call, version, f.kind, f.path, f.a, f.b), index)
    rows = []
    for number, cause in enumerate(found, 1):
        shown = cause.examples(EXAMPLES)
        anchors = [card.get((f.scenario, f.call, f.microversion, f.kind, f.path, f.a, f.b), 0)
                   for f in shown]
        links = "".join(f'<li><a href="#f-{anchor}">{e(example_line(f))}</a></li>'
                        for anchor, f in zip(anchors, shown, strict=True))
        more = len(cause.findings) - len(shown)
        if more:
            links += f'<li class="muted">… and {more} more</li>'
        verdicts = (_badge("breaks clients" if cause.breaks_clients else "no client break",
                           "v-yes" if cause.breaks_clients else "v-no")
                    + _badge("needs version bump" if cause.needs_version_bump
                             else "no bump needed",
                             "v-bump" if cause.needs_version_bump else "v-no"))
        rows.append(
            f'<tr class="cause sev-{e(severity_text(cause.severity))}"><td>{number}</td>'
            f'<td><span class="badge kind kind-{e(cause.kind)}">{e(cause.kind)}</span> '
            f'<code class="path">{e(cause.path)}</code> <span class="muted">{e(cause.layer)}'
            f'</span><div>{e(cause.summary)}</div></td><td>{_value(cause.a)}</td>'
            f'<td>{_value(cause.b)}</td><td>{verdicts} {e(cause.rule)}</td>'
            f'<td>{e(plural(len(cause.findings), "finding"))} in '
            f'{e(plural(cause.calls, "call"))} at {e(cause.microversions)}'
            f'<ul class="examples">{links}</ul></td></tr>')
    return (f'<section id="causes"><h2>Causes ({len(found)})</h2><p class="muted">The findings '
            'grouped by what differs (kind, path and what each cloud sent).</p>'
            '<table class="grid"><thead><tr><th>#</th><th>cause</th><th>A</th><th>B</th>'
            f'<th>verdicts</th><th>seen</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></section>")


def _problems(report: Report) -> str:
    if not report.problems:
        return ""
    rows = "".join(f"<tr><td>{e(p.cloud)}</td><td>{e(p.where)}</td><td>{e(p.what)}</td>"
                   f"<td>{e(p.what_to_do)}</td></tr>" for p in report.problems)
    return ('<section id="problems"><h2>Problems</h2><p class="muted">Parts of the run that did '
            'not complete; the findings above are partial.</p><table class="grid"><thead><tr>'
            '<th>cloud</th><th>where</th><th>what</th><th>what to do</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>")


def _calls(report: Report, merged: Sequence[MergedFinding]) -> str:
    if not report.calls:
        return ""
    first: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(merged, 1):
        for version in item.microversions:
            first.setdefault((item.finding.scenario, item.finding.call, version), index)
    rows = []
    for c in report.calls:
        anchor = first.get((c.scenario, c.call, c.microversion))
        found = f'<a href="#f-{anchor}">{c.findings}</a>' if anchor else str(c.findings)
        cls = ' class="has"' if anchor else (' class="skip"' if c.skipped else "")
        rows.append(
            f"<tr{cls}><td>{e(c.scenario)}</td><td>{e(c.call)}</td><td>{e(c.microversion)}</td>"
            f"<td><code>{e(c.method)} {e(c.url)}</code></td><td>{e(c.status_a)}</td>"
            f"<td>{e(c.status_b)}</td><td>{found}</td><td>{e(c.skipped or '')}</td></tr>")
    return (f'<section id="calls"><details><summary>Every compared call ({len(report.calls)})'
            '</summary><table class="grid"><thead><tr><th>scenario</th><th>call</th>'
            '<th>microversion</th><th>request</th><th>A</th><th>B</th><th>findings</th>'
            f'<th>skipped</th></tr></thead><tbody>{"".join(rows)}</tbody></table></details>'
            "</section>")


def _more(report: Report) -> str:
    out = []
    if report.baselined:
        rows = "".join(
            f"<tr><td>{e(f.scenario)}</td><td>{e(f.call)}</td><td>{e(f.microversion)}</td>"
            f"<td>{e(f.kind)}</td><td><code>{e(f.path)}</code></td><td>{e(f.summary)}</td></tr>"
            for f in report.baselined)
        out.append(f'<section id="baselined"><details><summary>Accepted by the baseline '
                   f'({len(report.baselined)})</summary><table class="grid"><thead><tr>'
                   '<th>scenario</th><th>call</th><th>microversion</th><th>kind</th><th>path</th>'
                   f'<th>summary</th></tr></thead><tbody>{rows}</tbody></table></details></section>')
    if report.noise:
        items = "".join(f"<li><code>{e(p)}</code></li>" for p in report.noise)
        out.append(f'<section id="noise"><details><summary>Ignored as noise: varied within one '
                   f'cloud ({len(report.noise)})</summary><ul>{items}</ul></details></section>')
    return "".join(out)


def render(report: Report) -> str:
    """The report as one HTML document (UTF-8)."""
    findings = ordered_findings(report)
    merged = merge_across_versions(report)
    title = f"{report.tool} · {report.service_type} · {summary_line(report)}"
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{e(title)}</title><style>{STYLE}{html_context.STYLE}</style></head><body>"
        f"{_header(report)}"
        f"{_filters(findings) if findings else ''}"
        f'<main class="wrap">{_causes(report, merged)}{_findings(report, merged)}'
        f"{_problems(report)}"
        f"{_calls(report, merged)}{_more(report)}</main>"
        f"{html_context.store(m.finding for m in merged)}"
        f'<footer class="wrap muted">{e(report.tool)} · report schema '
        f'{e(REPORT_SCHEMA_VERSION)} · {e(summary_line(report))} · exit code '
        f"{report.exit_code}</footer>"
        f"<script>{SCRIPT}{html_context.SCRIPT}</script></body></html>\n"
    )
