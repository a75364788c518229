"""What CI needs from lint output: paths relative to the repository root (SARIF
``uriBaseId``, GitHub annotations), the real tool version, unique stable fingerprints,
Spectral's format names, and root causes counted in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import jsonschema
import pytest

from interopcheck.lint.cli import main, tool_version
from tests.unit.rules._docs import S, obj, one, op, resp

SCHEMA = Path(__file__).parents[2] / "data" / "sarif-schema-2.1.0.json"
#: three operations without the version header: one root cause (MV001) three times
MV_DOC = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "2.1"},
    "paths": {p: {"get": {"x-openstack": {"min-ver": "2.1"},
                          "responses": {"200": resp("200", obj(id=S))}}}
              for p in ("/servers", "/flavors", "/images")},
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with its spec in a subdirectory; the run starts at the repo root."""
    (tmp_path / ".git").mkdir()
    api = tmp_path / "api" / "v2"
    api.mkdir(parents=True)
    (api / "open api.json").write_text(json.dumps(MV_DOC, indent=2))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(list(argv), stdout=out, stderr=err)
    assert err.getvalue() == ""
    return rc, out.getvalue()


def test_sarif_uris_resolve_from_the_repository_root(repo: Path) -> None:
    _, text = _run("api/v2/open api.json", "-f", "sarif")
    log = json.loads(text)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert Path(unquote(urlparse(base).path)) == repo.resolve()
    assert run["tool"]["driver"]["version"] == tool_version() != "0"
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc == {"uri": "api/v2/open%20api.json", "uriBaseId": "%SRCROOT%"}
        assert Path(unquote(urlparse(urljoin(base, loc["uri"])).path)).is_file()


def test_base_dir_option(repo: Path) -> None:
    _, text = _run("api/v2/open api.json", "-f", "json", "--base-dir", "api")
    assert {f["file"] for f in json.loads(text)["findings"]} == {"v2/open api.json"}


def test_github_annotations_carry_the_repository_path(repo: Path) -> None:
    _, text = _run("api/v2/open api.json", "-f", "github-actions")
    lines = text.splitlines()
    assert lines and all("file=api/v2/open api.json," in line for line in lines)
    assert _run("api/v2/open api.json", "-f", "github")[1] == text


def test_stylish_is_text(repo: Path) -> None:
    assert _run("api/v2/open api.json", "-f", "stylish")[1] == \
        _run("api/v2/open api.json")[1]


def test_fingerprints_are_unique_and_stable(repo: Path) -> None:
    # the same rule twice at one pointer (two fields, one schema) must not collide
    doc = one("/resource_providers", "get", op(("200", resp("200", obj(
        imageRef=S, flavorRef=S, created_at=S)))))
    (repo / "api" / "two.json").write_text(json.dumps(doc))
    prints = []
    for _ in range(2):
        results = json.loads(_run("api/two.json", "-f", "sarif")[1])["runs"][0]["results"]
        prints.append([r["partialFingerprints"]["interopcheck/v2"] for r in results])
    assert prints[0] == prints[1] and len(set(prints[0])) == len(prints[0]) > 2


def test_one_cause_counted_in_every_format(repo: Path) -> None:
    spec = "api/v2/open api.json"
    rc, text = _run(spec, "--rule", "MV001")
    assert rc == 1
    assert text.count("MV001") == 1 and "(+2 more with the same cause)" in text
    assert "3 problems (3 errors, 0 warnings, 0 infos) from 1 cause" in text
    data = json.loads(_run(spec, "--rule", "MV001", "-f", "json")[1])
    assert [(c["rule"], c["count"]) for c in data["causes"]] == [("MV001", 3)]
    assert {f["cause"] for f in data["findings"]} == {data["causes"][0]["id"]}
    annotations = _run(spec, "--rule", "MV001", "-f", "github")[1].splitlines()
    assert len(annotations) == 1 and "and 2 more places with the same cause" in annotations[0]
    run = json.loads(_run(spec, "--rule", "MV001", "-f", "sarif")[1])["runs"][0]
    assert [c["count"] for c in run["properties"]["causes"]] == [3]
    assert {r["properties"]["causeCount"] for r in run["results"]} == {3}


def test_no_version_header_anywhere_is_one_cause(repo: Path) -> None:
    """Nova's case: a microversioned document that never declares the version header gets
    MV001, MV006, MV008, MV010 and MV011 at each operation; that is one cause."""
    data = json.loads(_run("api/v2/open api.json", "-f", "json")[1])
    mv = [f for f in data["findings"] if f["rule"] in {"MV001", "MV006", "MV008", "MV010",
                                                       "MV011"}]
    (cause,) = [c for c in data["causes"] if c["id"] == mv[0]["cause"]]
    assert {f["cause"] for f in mv} == {cause["id"]}
    assert cause["count"] == len(mv) >= 12 and len(cause["rules"]) >= 4
    assert "declares no OpenStack-API-Version header on any operation" in cause["summary"]
    text = _run("api/v2/open api.json")[1]
    assert f"(+{len(mv) - 1} more with the same cause)" in text
