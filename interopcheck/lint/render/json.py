"""JSON: the findings (rule, severity, message, file, pointer, line, column, cause) and the
root causes they group into (id, rule, severity, summary, count, first place)."""

from __future__ import annotations

import json as _json

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions
from interopcheck.rules.registry import REGISTRY


def _url(rule_id: str) -> str | None:
    return REGISTRY.get(rule_id).url if rule_id in REGISTRY else None


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    findings = []
    urls: dict[str, str | None] = {}
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
                        "causes": causes, "suppressed": result.suppressed},
                       # indented output uses the pure-Python encoder: only for small reports
                       indent=2 if len(findings) <= 2000 else None) + "\n"
