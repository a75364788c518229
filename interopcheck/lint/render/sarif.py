"""SARIF 2.1.0 (validates against the OASIS schema; accepted by GitHub code scanning).

File URIs are relative to the base directory (``--base-dir``, default the repository root)
under ``uriBaseId`` ``%SRCROOT%``, so code scanning attaches them to the right file; a file
outside the base directory gets an absolute ``file:`` URI. ``partialFingerprints`` hash the
rule, file, pointer and message (no line numbers: stable when lines move) and are unique
within a run (a repeat gets an ordinal suffix). Each result carries its root cause
(``properties.cause``, ``causeCount``); ``run.properties.causes`` lists them.
"""

from __future__ import annotations

import hashlib
import json as _json
import os
from pathlib import Path
from urllib.parse import quote

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions
from interopcheck.lint.spec_diff import CHANGE_RULES
from interopcheck.rules.registry import REGISTRY

__all__ = ["BASE_ID", "SCHEMA", "artifact_location", "render"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_location(file: str, base_uri: str | None) -> dict[str, str]:
    """``{"uri", "uriBaseId"}`` for a path relative to the base, else an absolute URI."""
    path = file.replace("\\", "/")
    if base_uri and not path.startswith("../") and not os.path.isabs(path):
        return {"uri": quote(path), "uriBaseId": BASE_ID}
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    if base_uri:
        return {"uri": Path(base_uri.removeprefix("file://")).joinpath(path).resolve().as_uri()}
    return {"uri": quote(path)}


def _rules(used: list[str]) -> list[dict[str, object]]:
    rules: list[dict[str, object]] = []
    for rule_id in used:
        r = REGISTRY.get(rule_id) if rule_id in REGISTRY else None
        text = r.description if r else CHANGE_RULES.get(rule_id, rule_id)
        entry: dict[str, object] = {"id": rule_id, "name": rule_id,
                                    "shortDescription": {"text": text}}
        if r is not None:
            entry["helpUri"] = r.url
            entry["defaultConfiguration"] = {"level": _LEVEL[r.severity.value]}
            entry["properties"] = {"strength": r.level.value, "modes": sorted(r.modes)}
        rules.append(entry)
    return rules


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    used = sorted({v.rule for v in result.violations})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    counts = {c.id: c.count for c in result.causes}
    fingerprints: dict[str, int] = {}
    results = []
    for v in result.violations:
        loc = v.location
        file = loc.file if loc else result.spec
        physical: dict[str, object] = {"artifactLocation": artifact_location(file,
                                                                             options.base_uri)}
        if loc and loc.line:
            physical["region"] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
        digest = hashlib.sha256(
            f"{v.rule}\0{file}\0{v.pointer}\0{v.message}".encode()).hexdigest()[:32]
        n = fingerprints[digest] = fingerprints.get(digest, 0) + 1
        props: dict[str, object] = {}
        if "microversions" in v.extra:
            props["microversions"] = v.extra["microversions"]
        if "cause" in v.extra:
            props["cause"] = v.extra["cause"]
            props["causeCount"] = counts.get(v.extra["cause"], 1)
        results.append({
            "ruleId": v.rule, "ruleIndex": index[v.rule], "level": _LEVEL[v.severity.value],
            "message": {"text": v.message},
            "locations": [{"physicalLocation": physical,
                           "logicalLocations": [{"fullyQualifiedName": v.pointer or "/",
                                                 "kind": "member"}]}],
            "partialFingerprints": {"interopcheck/v2": digest if n == 1 else f"{digest}:{n}"},
            **({"properties": props} if props else {}),
        })
    run: dict[str, object] = {
        "tool": {"driver": {"name": "interopcheck", "version": options.tool_version,
                            "semanticVersion": options.tool_version,
                            "informationUri": "https://specs.openstack.org/openstack/api-sig/",
                            "rules": _rules(used)}},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"causes": [{"id": c.id, "rule": c.rule, "level": _LEVEL[c.severity],
                                   "summary": c.summary, "count": c.count}
                                  for c in result.causes]},
    }
    if options.base_uri:
        run["originalUriBaseIds"] = {BASE_ID: {"uri": options.base_uri}}
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return _json.dumps(log, indent=2 if len(results) <= 2000 else None) + "\n"
