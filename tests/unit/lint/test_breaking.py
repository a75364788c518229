"""``interopcheck breaking OLD NEW``: every format, configuration and ignores applied, NEW
validated, a status change as one change, levels that follow the verdicts."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from interopcheck.cli import main as cli_main
from interopcheck.lint.cli import main as lint_main
from tests.unit.lint.test_spec_diff import base
from tests.unit.rules._docs import resp

SCHEMA = Path(__file__).parents[2] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)  # the base directory for reported paths
    new = copy.deepcopy(base())
    post = new["paths"]["/things"]["post"]["responses"]
    post["202"] = post.pop("201")                      # status 201 -> 202: one change
    new["paths"]["/widgets"] = {"get": {"responses": {"200": resp("200")}}}  # compatible
    (tmp_path / "old.json").write_text(json.dumps(base(), indent=1))
    (tmp_path / "new.json").write_text(json.dumps(new, indent=1))
    return str(tmp_path / "old.json"), str(tmp_path / "new.json")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = cli_main(["breaking", *argv], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_status_change_is_one_change_and_levels_follow_verdicts(pair: tuple[str, str]) -> None:
    rc, out, _ = _run(*pair, "-f", "json")
    changes = json.loads(out)["changes"]
    got = {(c["change"], c["subject"], c["detail"]): (c["rule"], c["severity"])
           for c in changes}
    assert got == {
        ("changed", "POST /things 202", "status 201 -> 202"): ("INTEROP004", "error"),
        ("added", "GET /widgets", ""): ("INTEROP002", "warning"),
    }
    assert rc == 1
    assert _run(*pair, "--rule", "INTEROP002")[0] == 0  # a warning does not fail by default


def test_every_format(pair: tuple[str, str]) -> None:
    sarif = json.loads(_run(*pair, "-f", "sarif")[1])
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"INTEROP002", "INTEROP004"}
    junit = ET.fromstring(_run(*pair, "-f", "junit")[1])
    assert {c.get("classname") for c in junit.iter("testcase")} >= {"INTEROP004"}
    github = _run(*pair, "-f", "github-actions")[1]
    assert "::error file=new.json" in github and "status 201 -> 202" in github
    text = _run(*pair, "-f", "stylish")[1]
    assert "INTEROP004" in text and "breaks clients" in text


def test_config_and_ignores_apply(pair: tuple[str, str], tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("rules:\n  INTEROP004: warning\n  INTEROP002: off\n")
    rc, out, _ = _run(*pair, "-f", "json", "--config", str(tmp_path / "cfg.yaml"))
    assert [(c["rule"], c["severity"]) for c in json.loads(out)["changes"]] == [
        ("INTEROP004", "warning")]
    assert rc == 0
    (tmp_path / "ignore.yaml").write_text("- {rule: INTEROP004, reason: planned}\n")
    rc, out, _ = _run(*pair, "--ignore-file", str(tmp_path / "ignore.yaml"))
    assert "INTEROP004" not in out and "1 change(s) suppressed" in out


def test_new_is_validated(pair: tuple[str, str], tmp_path: Path) -> None:
    old, _ = pair
    (tmp_path / "notes.yaml").write_text("title: release notes\nitems: [a, b]\n")
    rc, out, err = _run(old, str(tmp_path / "notes.yaml"))
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert "not an OpenAPI 3.x document" in err
    broken = json.loads(Path(old).read_text())
    broken["paths"]["/things"]["post"]["responses"] = 5
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    rc, out, _ = _run(old, str(tmp_path / "broken.json"), "-f", "json")
    assert rc == 1 and [p["rule"] for p in json.loads(out)["problems"]] == ["OAS001"]


def test_lint_baseline_is_an_alias(pair: tuple[str, str]) -> None:
    old, new = pair
    out = io.StringIO()
    rc = lint_main([new, "--baseline", old, "-f", "json"], stdout=out)
    assert rc == 1 and json.loads(out.getvalue()) == json.loads(_run(old, new, "-f", "json")[1])
