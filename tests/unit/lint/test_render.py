"""Output formats: SARIF validates against the SARIF 2.1.0 schema; JUnit, GitHub, JSON, text."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from interopcheck.findings import Severity
from interopcheck.lint import LintConfig, lint
from interopcheck.lint.engine import LintResult
from interopcheck.lint.render import FORMATS, RenderOptions
from tests.unit.rules._docs import S, obj, one, op, resp

SCHEMA = Path(__file__).parents[2] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def result(tmp_path: Path) -> LintResult:
    d = one("/resource_providers", "get", op(("200", resp("200", obj(imageRef=S,
                                                                    created_at=S)))))
    p = tmp_path / "openapi.json"
    p.write_text(json.dumps(d, indent=2))
    return lint(p, LintConfig(severities={"TIME001": Severity.INFO}))


def test_sarif_validates(result: LintResult) -> None:
    log = json.loads(FORMATS["sarif"](result, RenderOptions()))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    res = log["runs"][0]["results"]
    assert {r["ruleId"] for r in res} >= {"NAME003", "NAME004", "TIME001", "CACHE001"}
    for r in res:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    assert {r["level"] for r in res} >= {"error", "warning", "note"}


def test_sarif_empty_run_validates(tmp_path: Path) -> None:
    empty = LintResult("x.yaml", [])
    log = json.loads(FORMATS["sarif"](empty, RenderOptions()))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)


def test_junit_failure_mapping(result: LintResult) -> None:
    errors_only = ET.fromstring(FORMATS["junit"](result, RenderOptions()))
    everything = ET.fromstring(FORMATS["junit"](result, RenderOptions(
        junit_failures=(Severity.ERROR, Severity.WARNING, Severity.INFO))))
    n = len(result.violations)
    n_err = sum(1 for v in result.violations if v.severity is Severity.ERROR)
    assert int(errors_only.get("failures")) == n_err < n
    assert int(everything.get("failures")) == n == len(everything.findall(".//testcase"))


def test_github_annotations(result: LintResult) -> None:
    lines = FORMATS["github"](result, RenderOptions()).splitlines()
    assert len(lines) == len(result.violations)
    v = result.violations[0]
    assert lines[0].startswith(f"::{'notice' if v.severity.value == 'info' else v.severity.value}"
                               f" file=openapi.json,line={v.location.line},col=")
    assert any(line.startswith("::error ") for line in lines)


def test_json_and_text(result: LintResult) -> None:
    data = json.loads(FORMATS["json"](result, RenderOptions()))
    assert len(data["findings"]) == len(result.violations)
    assert all(f["line"] > 0 and f["guideline"] for f in data["findings"])
    text = FORMATS["text"](result, RenderOptions())
    assert text.startswith("openapi.json\n") and "problems" in text.splitlines()[-1]


def _as_json_dumps(result: LintResult, indent: int | None) -> str:
    """The report as json.dumps writes it from dicts (what the JSON format always wrote)."""
    from interopcheck.rules.registry import REGISTRY

    findings = [{"rule": v.rule, "severity": v.severity.value, "message": v.message,
                 "file": v.location.file if v.location else result.spec, "pointer": v.pointer,
                 "line": v.location.line if v.location else 0,
                 "column": v.location.column if v.location else 0,
                 "guideline": REGISTRY.get(v.rule).url if v.rule in REGISTRY else None,
                 "microversions": v.extra.get("microversions"), "cause": v.extra.get("cause")}
                for v in result.violations]
    causes = [{"id": c.id, "rule": c.rule, "rules": c.rules, "severity": c.severity,
               "summary": c.summary, "count": c.count,
               "first": {"file": c.findings[0].location.file,
                         "line": c.findings[0].location.line,
                         "column": c.findings[0].location.column}} for c in result.causes]
    return json.dumps({"spec": result.spec, "files": result.files, "findings": findings,
                       "causes": causes, "suppressed": result.suppressed},
                      indent=indent) + "\n"


def test_large_json_report_is_json_dumps_byte_for_byte(tmp_path: Path) -> None:
    """Past 2,000 findings the report is written without dicts; its bytes are still those
    of json.dumps: escapes of quotes, controls and non-ASCII names, null microversions,
    several rules per cause, locations from $ref'd schemas."""
    names = {f"fieldNäme{i}\"\t\u2028{'😀' if i % 7 == 0 else ''}": S for i in range(2100)}
    d = one("/v2.1/servers", "get", op(("200", resp("200", obj(**names)))))
    d["paths"]["/v2.1/servers"]["get"]["x-openstack"] = {"min-ver": "2.1", "max-ver": "2.9"}
    p = tmp_path / "big.json"
    p.write_text(json.dumps(d))
    result = lint(p)
    assert len(result.violations) > 2000
    assert any(v.extra.get("microversions") for v in result.violations)
    assert any(not v.extra.get("microversions") for v in result.violations)
    assert any(len(c.rules) > 1 for c in result.causes)
    assert FORMATS["json"](result, RenderOptions()) == _as_json_dumps(result, None)
    # lint -o writes it piece by piece: the same bytes
    from interopcheck.lint.cli import main

    out = tmp_path / "report.json"
    assert main([str(p), "-f", "json", "-o", str(out), "--fail-on", "never",
                 "--base-dir", str(tmp_path)]) == 0
    assert out.read_text(encoding="utf-8") == _as_json_dumps(
        lint(p, base_dir=tmp_path), None)
    result.violations = result.violations[:2000]
    assert FORMATS["json"](result, RenderOptions()) == _as_json_dumps(result, 2)
