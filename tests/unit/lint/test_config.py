"""Disable / re-level rules from config, inline x-interopcheck-ignore, ignore file, CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from interopcheck.findings import Severity
from interopcheck.lint import lint, load_config
from interopcheck.lint.cli import main
from interopcheck.lint.config import ConfigError
from tests.unit.rules._docs import S, obj, one, op, resp

DOC = one("/things", "get", op(("200", resp("200", obj(imageRef=S, created_at=S)))))


def _spec(tmp_path: Path, doc: dict = DOC) -> Path:
    p = tmp_path / "openapi.json"
    p.write_text(json.dumps(doc, indent=1))
    return p


def _rules(result) -> set[str]:
    return {v.rule for v in result.violations}


def test_config_disables_and_relevels(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules:\n  NAME004: off\n  CACHE001: info\n  TIME001: {severity: error}\n")
    result = lint(_spec(tmp_path), load_config(cfg))
    assert "NAME004" not in _rules(result)
    sev = {v.rule: v.severity for v in result.violations}
    assert sev["CACHE001"] is Severity.INFO and sev["TIME001"] is Severity.ERROR


def test_config_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules:\n  NOPE001: off\n")
    with pytest.raises(ConfigError, match="unknown rule 'NOPE001'"):
        load_config(cfg)
    cfg.write_text("rules:\n  NAME004: loud\n")
    with pytest.raises(ConfigError, match="severity must be"):
        load_config(cfg)


def test_default_config_file_is_found(tmp_path: Path) -> None:
    (tmp_path / ".interopcheck.yaml").write_text("only: [NAME004]\n")
    assert _rules(lint(_spec(tmp_path), load_config(None, search=tmp_path))) == {"NAME004"}


def test_inline_suppression(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(DOC))
    schema = doc["paths"]["/things"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    schema["x-interopcheck-ignore"] = ["NAME004"]
    doc["paths"]["/things"]["x-interopcheck-ignore"] = "CACHE001"
    result = lint(_spec(tmp_path, doc))
    assert not _rules(result) & {"NAME004", "CACHE001"}
    assert "TIME001" in _rules(result) and result.suppressed == 2


def test_ignore_file(tmp_path: Path) -> None:
    ign = tmp_path / "ignore.yaml"
    ign.write_text("- rule: TIME001\n  pointer: '*/created_at'\n  reason: legacy\n"
                   "- {rule: NAME004, file: other.json}\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("ignore-file: ignore.yaml\n")
    result = lint(_spec(tmp_path), load_config(cfg))
    assert "TIME001" not in _rules(result) and "NAME004" in _rules(result)


def test_cli_exit_codes_and_fail_on(tmp_path: Path) -> None:
    spec = str(_spec(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    assert main([spec, "--rule", "NAME004"], stdout=out, stderr=err) == 0  # warning only
    assert main([spec, "--rule", "NAME004", "--fail-on", "warning"], stdout=out) == 1
    assert main([spec, "--rule", "CACHE001"], stdout=out) == 1  # an error
    assert main([spec, "--rule", "CACHE001", "--fail-on", "never"], stdout=out) == 0
    assert main([str(tmp_path / "missing.yaml")], stdout=out, stderr=err) == 2
    assert "cannot read" in err.getvalue()
    target = tmp_path / "out.sarif"
    assert main([spec, "-f", "sarif", "-o", str(target), "--fail-on", "never"]) == 0
    assert json.loads(target.read_text())["version"] == "2.1.0"
    listing = io.StringIO()
    assert main(["--list-rules"], stdout=listing) == 0 and "ERR002" in listing.getvalue()


def test_registered_in_the_main_command_line(tmp_path: Path) -> None:
    from interopcheck.cli import main as interopcheck_main

    out, err = io.StringIO(), io.StringIO()
    code = interopcheck_main(["lint", str(_spec(tmp_path)), "--rule", "NAME004", "-f", "json"],
                             stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert [f["rule"] for f in json.loads(out.getvalue())["findings"]] == ["NAME004"]
