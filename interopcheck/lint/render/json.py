"""JSON: the findings (rule, severity, message, file, pointer, line, column, cause) and the
root causes they group into (id, rule, severity, summary, count, first place)."""

from __future__ import annotations

import json as _json
import json.encoder
from collections.abc import Iterator
from typing import TextIO

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions
from interopcheck.rules.registry import REGISTRY
from interopcheck.rules.targets import Location


def _url(rule_id: str) -> str | None:
    return REGISTRY.get(rule_id).url if rule_id in REGISTRY else None


#: reports with more findings are written without indentation, from templates (_large)
_INDENTED_UP_TO = 2000
_BATCH = 4096
#: a finding's keys up to its message (the rest: the f-string in _large)
_HEAD = '{"rule": %s, "severity": %s, "message": '
_CAUSE = ('{"id": %s, "rule": %s, "rules": %s, "severity": %s, "summary": %s, "count": %d, '
          '"first": {"file": %s, "line": %d, "column": %d}}')


class _Encoded(dict):  # type: ignore[type-arg]
    """value -> its JSON text, each distinct value encoded once (``None`` is ``null``)."""

    def __missing__(self, value: object) -> str:
        text = self[value] = "null" if value is None else _json.dumps(value)
        return text


def _large(result: LintResult) -> Iterator[str]:
    """``json.dumps`` of the report, byte for byte (its default separators, ASCII escapes), in
    pieces, without building 100,000 dicts for the encoder to walk: messages and pointers go
    through the same C string encoder, the few distinct rules, files, guidelines and causes
    are encoded once. Why not orjson: it writes other separators and raw UTF-8, and the
    report's bytes stay what they were."""
    enc = _json.encoder.encode_basestring_ascii
    e = _Encoded()
    urls = _Urls()
    spec = result.spec
    yield f'{{"spec": {e[spec]}, "files": {_json.dumps(result.files)}, "findings": ['
    violations = result.violations
    nowhere = Location(spec, "", 0, 0)
    heads: dict[tuple[str, object], str] = {}  # (rule, severity) -> the finding's first keys
    for start in range(0, len(violations), _BATCH):
        parts: list[str] = []
        add = parts.append
        for v in violations[start:start + _BATCH]:
            loc = v.location or nowhere
            head = heads.get((v.rule, v.severity))
            if head is None:
                head = heads[v.rule, v.severity] = _HEAD % (e[v.rule], e[v.severity.value])
            extra = v.extra
            # an f-string (one BUILD_STRING) rather than % on a tuple: a third quicker
            add(f'{head}{enc(v.message)}, "file": {e[loc.file]}, "pointer": '
                f'{enc(v.pointer)}, "line": {loc.line:d}, "column": {loc.column:d}, '
                f'"guideline": {urls[v.rule]}, "microversions": '
                f'{e[extra.get("microversions")]}, "cause": {e[extra.get("cause")]}}}')
        text = ", ".join(parts)
        yield text if start == 0 else ", " + text
    causes = []
    for c in result.causes:
        first = c.findings[0].location
        causes.append(_CAUSE % (
            e[c.id], e[c.rule], e[tuple(c.rules)], e[c.severity], enc(c.summary), c.count,
            e[first.file if first else spec], first.line if first else 0,
            first.column if first else 0))
    yield f'], "causes": [{", ".join(causes)}], "suppressed": {_json.dumps(result.suppressed)}}}\n'


class _Urls(dict):  # type: ignore[type-arg]
    """rule id -> its guideline URL as JSON text."""

    def __missing__(self, rule_id: str) -> str:
        text = self[rule_id] = _json.dumps(_url(rule_id))
        return text


def write(result: LintResult, options: RenderOptions | None, out: TextIO) -> None:
    """What :func:`render` returns, written to ``out`` a few thousand findings at a time
    (Graph beta's 65 MB report is never one string, nor one bytes object)."""
    if len(result.violations) > _INDENTED_UP_TO:
        for piece in _large(result):
            out.write(piece)
    else:
        out.write(render(result, options))


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    if len(result.violations) > _INDENTED_UP_TO:
        return "".join(_large(result))
    # small reports are indented (which takes the pure-Python encoder: slow on large ones)
    urls: dict[str, str | None] = {}
    findings = []
    for v in result.violations:
        url = urls.get(v.rule, "")
        if url == "":
            url = urls[v.rule] = _url(v.rule)
        loc = v.location
        findings.append({
            "rule": v.rule, "severity": v.severity.value, "message": v.message,
            "file": loc.file if loc else result.spec, "pointer": v.pointer,
            "line": loc.line if loc else 0, "column": loc.column if loc else 0,
            "guideline": url,
            "microversions": v.extra.get("microversions"),
            "cause": v.extra.get("cause"),
        })
    causes = []
    for c in result.causes:
        first = c.findings[0].location
        causes.append({"id": c.id, "rule": c.rule, "rules": c.rules, "severity": c.severity,
                       "summary": c.summary, "count": c.count,
                       "first": {"file": first.file if first else result.spec,
                                 "line": first.line if first else 0,
                                 "column": first.column if first else 0}})
    return _json.dumps({"spec": result.spec, "files": result.files, "findings": findings,
                        "causes": causes, "suppressed": result.suppressed}, indent=2) + "\n"
