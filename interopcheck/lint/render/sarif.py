"""SARIF 2.1.0 (validates against the OASIS schema; accepted by GitHub code scanning)."""

from __future__ import annotations

import json as _json

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions
from interopcheck.rules.registry import REGISTRY

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    used = sorted({v.rule for v in result.violations})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    rules = []
    for rule_id in used:
        r = REGISTRY.get(rule_id) if rule_id in REGISTRY else None
        entry = {"id": rule_id, "name": rule_id,
                 "shortDescription": {"text": r.description if r else rule_id}}
        if r is not None:
            entry["helpUri"] = r.url
            entry["defaultConfiguration"] = {"level": _LEVEL[r.severity.value]}
            entry["properties"] = {"strength": r.level.value, "modes": sorted(r.modes)}
        rules.append(entry)
    results = []
    for v in result.violations:
        loc = v.location
        physical: dict[str, object] = {
            "artifactLocation": {"uri": (loc.file if loc else result.spec).replace("\\", "/")}}
        if loc and loc.line:
            physical["region"] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
        results.append({
            "ruleId": v.rule, "ruleIndex": index[v.rule], "level": _LEVEL[v.severity.value],
            "message": {"text": v.message},
            "locations": [{"physicalLocation": physical,
                           "logicalLocations": [{"fullyQualifiedName": v.pointer or "/",
                                                 "kind": "member"}]}],
            "partialFingerprints": {"interopcheck/v1": f"{v.rule}|{v.pointer}"},
            **({"properties": {"microversions": v.extra["microversions"]}}
               if "microversions" in v.extra else {}),
        })
    log = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "interopcheck", "version": options.tool_version,
                                "informationUri": "https://specs.openstack.org/openstack/"
                                                  "api-sig/", "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return _json.dumps(log, indent=2 if len(results) <= 2000 else None) + "\n"
