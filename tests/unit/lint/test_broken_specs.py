"""The broken-document corpus (``tests/data/broken-specs``): every document gives a finding
or one clear error line, never a traceback, and nothing outside the spec's directory is read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from interopcheck.lint.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "data" / "broken-specs"

#: file -> the rule it must produce (exit 1)
FINDINGS = {
    "responses-not-object.yaml": ("OAS001", "5 is not of type \"object\""),
    "missing-info.yaml": ("OAS001", "\"info\" is a required property"),
    "type-objekt.yaml": ("OAS001", "\"objekt\" is not one of"),
    "type-objekt-3.1.yaml": ("OAS001", "type 'objekt' is not one of"),
    "unknown-method.yaml": ("OAS001", "'fetch' was unexpected"),
    "dangling-ref.yaml": ("OAS003", "'#/components/responses/Nope' does not resolve"),
    "duplicate-keys.yaml": ("OAS002", "duplicate key 'get'"),
    "duplicate-keys.json": ("OAS002", "duplicate key 'get'"),
    "ref-etc-passwd.yaml": ("OAS004", "outside the spec's directory"),
    "ref-proc-environ.yaml": ("OAS004", "outside the spec's directory"),
    "ref-dev-zero.yaml": ("OAS004", "outside the spec's directory"),
    "ref-outside-root.yaml": ("OAS004", "outside the spec's directory"),
    "ref-remote.yaml": ("OAS004", "is not fetched"),
}
#: file -> what the one error line says (exit 2)
ERRORS = {
    "alias-bomb.yaml": "alias bomb",
    "recursive-alias.yaml": "recursive alias",
    "deep-nesting.json": "nested too deeply",
    "not-utf8.yaml": "not UTF-8 text",
    "not-yaml.yaml": "not valid YAML or JSON at line 3",
    "not-openapi.yaml": "Swagger 2.0 is not supported",
}


def _lint(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main([*argv, "--base-dir", str(CORPUS)], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted({*FINDINGS, *ERRORS})


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_broken_document_is_a_finding(name: str) -> None:
    rule, text = FINDINGS[name]
    rc, out, err = _lint(str(CORPUS / name), "-f", "json")
    assert rc == 1 and err == ""
    hits = [f for f in json.loads(out)["findings"] if f["rule"] == rule]
    assert hits and text in hits[0]["message"], out
    assert hits[0]["file"] == name and hits[0]["line"] >= (1 if "info" in name else 2)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_unloadable_document_is_one_error_line(name: str) -> None:
    rc, out, err = _lint(str(CORPUS / name))
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and ERRORS[name] in err and "Traceback" not in err


def test_nothing_outside_the_root_is_read() -> None:
    rc, out, _ = _lint(str(CORPUS / "ref-etc-passwd.yaml"), "-f", "json")
    assert rc == 1 and "root:" not in out  # /etc/passwd's first line never shows up


def test_allow_ref_lets_a_directory_in(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "thing.yaml").write_text("type: object\nproperties: {id: {type: string}}\n")
    api = tmp_path / "api"
    api.mkdir()
    (api / "openapi.yaml").write_text(
        (CORPUS / "ref-outside-root.yaml").read_text().replace(
            "../sarif-schema-2.1.0.json", "../shared/thing.yaml"))
    spec = str(api / "openapi.yaml")
    assert "OAS004" in _lint(spec, "-f", "json", "--rule", "OAS004")[1]
    rc, out, _ = _lint(spec, "-f", "json", "--rule", "OAS004", "--allow-ref", str(shared))
    assert rc == 0 and json.loads(out)["findings"] == []


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("openapi: 3.0.3\n" + "x-pad: " + "a" * (2 * 2**20) + "\n")
    rc, _, err = _lint(str(big), "--max-size", "1")
    assert rc == 2 and "larger than the 1 MiB limit" in err


def test_alias_bomb_under_a_memory_limit() -> None:
    """The alias bomb in a child limited to 512 MB of address space: a clear error, quickly."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))\n"
        "from interopcheck.lint.cli import main\n"
        f"sys.exit(main([{str(CORPUS / 'alias-bomb.yaml')!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "alias bomb" in proc.stderr and "Traceback" not in proc.stderr
    assert "MemoryError" not in proc.stderr
