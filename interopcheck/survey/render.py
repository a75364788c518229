"""Survey renderers: one set of tables (:func:`tables`), written as text, Markdown or HTML;
JSON carries the counts and one example per value."""

from __future__ import annotations

import html
import json

from interopcheck.survey.analyze import CATEGORIES, DocumentSurvey, Survey

__all__ = ["FORMATS", "render", "tables"]

TITLES = {
    "single_resource": "Single-resource form (GET/PUT/PATCH on a member, create responses)",
    "collection": "Collection format (GET on a collection)",
    "action_style": "Action style",
    "error_format": "Error format (4xx/5xx responses)",
}
Table = tuple[str, list[str], list[list[str]]]


def _cell(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.0f}%)" if total and n else str(n)


def tables(survey: Survey) -> list[Table]:
    rows_of = [*survey.documents, survey.overall()]
    out: list[Table] = []
    for category, values in CATEGORIES.items():
        header = ["document", *values, "total"]
        rows = []
        for d in rows_of:
            counts = d.counts[category]
            total = sum(counts.values())
            rows.append([d.name, *(_cell(counts[v], total) for v in values), str(total)])
        out.append((TITLES[category], header, rows))
    rows = []
    for d in rows_of:
        keys = ", ".join(f"{k} ({n})" for k, n in d.fault_keys.most_common(6)) or "-"
        rows.append([d.name, keys])
    out.append(("Single-key fault wrappers (error bodies like {\"itemNotFound\": {...}})",
                ["document", "keys"], rows))
    rows = []
    for d in rows_of:
        headers = ", ".join(f"{h} ({n})" for h, n in d.mv_headers.most_common()) or "none"
        rows.append([d.name, str(d.operations), d.versions or "-", str(d.mv_bounded), headers])
    out.append(("Microversions", ["document", "operations", "version range",
                                  "operations with x-openstack bounds",
                                  "version header parameters (operations)"], rows))
    return out


def _text(survey: Survey) -> str:
    parts = []
    for title, header, rows in tables(survey):
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _markdown(survey: Survey) -> str:
    parts = [f"Survey of {len(survey.documents)} OpenAPI document(s)"]
    for title, header, rows in tables(survey):
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |",
                 "|" + "|".join(" --- " for _ in header) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _html(survey: Survey) -> str:
    body = [f"<h1>Survey of {len(survey.documents)} OpenAPI document(s)</h1>"]
    for title, header, rows in tables(survey):
        body.append(f"<h2>{html.escape(title)}</h2><table><thead><tr>"
                    + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                    + "</tr></thead><tbody>")
        for r in rows:
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
        body.append("</tbody></table>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
             "margin-bottom:2em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
             "tbody tr:last-child{font-weight:bold}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>interopcheck survey</title><style>{style}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _doc_json(d: DocumentSurvey) -> dict[str, object]:
    return {
        "document": d.name, "title": d.title, "operations": d.operations,
        "versions": d.versions or None, "operations_with_version_bounds": d.mv_bounded,
        "version_headers": dict(d.mv_headers),
        **{c: {"counts": {v: d.counts[c][v] for v in values},
               "examples": d.examples[c]} for c, values in CATEGORIES.items()},
        "collection_links": d.collection_links, "fault_keys": dict(d.fault_keys),
    }


def _json(survey: Survey) -> str:
    return json.dumps({"documents": [_doc_json(d) for d in survey.documents],
                       "overall": _doc_json(survey.overall())}, indent=2) + "\n"


FORMATS = {"text": _text, "markdown": _markdown, "json": _json, "html": _html}


def render(survey: Survey, fmt: str = "text") -> str:
    return FORMATS[fmt](survey)
