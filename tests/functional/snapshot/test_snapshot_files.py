"""The snapshot file and the commands around it: record, diff, matrix, capabilities.

Snapshots are recorded through ``interopcheck record`` from in-process refclouds (plain,
``--drift extra-field``, ``--drift status-code``) over a few scenarios and versions,
once per module. What is checked: the file validates against the published schema and
holds no token, UUID, generated name or other captured value; ``diff`` takes snapshots
(and refuses one of another profile version with one line); ``matrix`` shows each
drift and only it; ``capabilities`` gives a schema-valid document and its diff.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from interopcheck.snapshot.format import reference_names, resolve, schema
from tests.functional.snapshot.conftest import (
    GENERATED,
    PLACEHOLDER,
    SCENARIOS,
    TOKEN,
    UUID_RE,
    VERSIONS,
    Recorded,
    run_cli,
)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()


def test_snapshot_is_gzip_and_valid_against_the_published_schema(recorded: Recorded) -> None:
    raw = recorded.plain.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    document = json.loads(gzip.decompress(raw))
    jsonschema.Draft202012Validator(schema()).validate(document)
    prov = document["provenance"]
    assert prov["profile"] == "placement" and prov["profile_version"] == "1"
    assert prov["profile_hash"].startswith("sha256:")
    assert prov["tool"].startswith("interopcheck ")
    assert (prov["cloud"]["min_version"], prov["cloud"]["max_version"]) == ("1.0", "1.39")
    assert prov["microversions"] == VERSIONS.split(",")
    assert set(document["jobs"]) == set(SCENARIOS)
    assert all(len(runs) == 2 for jobs in document["jobs"].values() for runs in jobs.values())


def test_no_token_or_captured_value_in_a_snapshot(recorded: Recorded) -> None:
    assert len(recorded.uuids) > 20  # the traffic did carry generated and captured UUIDs
    for path in (recorded.plain, recorded.extra_field, recorded.status_code):
        text = _text(path)
        assert TOKEN not in text
        assert "password" not in text.lower()
        leftover = {u.lower() for u in UUID_RE.findall(text) if not PLACEHOLDER.fullmatch(u)}
        assert leftover == set(), path
        assert not recorded.uuids & set(re.findall(r"[0-9a-f-]{36}", text.lower()))
        assert GENERATED.findall(text) == [], path


@pytest.mark.parametrize("name", reference_names())
def test_no_token_or_captured_value_in_a_reference_snapshot(name: str) -> None:
    path = resolve(name)
    assert path is not None
    text = _text(path)
    document = json.loads(text)
    # The schema on the head and a sample of the (large, regular) tables: fast enough here.
    sample = dict(document, exchanges=document["exchanges"][::25],
                  jobs=dict(list(document["jobs"].items())[::5]))
    jsonschema.Draft202012Validator(schema()).validate(sample)
    assert '"x-auth-token"' not in text.lower()
    assert [u for u in UUID_RE.findall(text) if not PLACEHOLDER.fullmatch(u)] == []
    assert GENERATED.findall(text) == []
    assert len(document["provenance"]["microversions"]) == 40


def test_diff_of_two_snapshots_and_of_a_snapshot_and_itself(recorded: Recorded) -> None:
    code, out, err = run_cli("diff", str(recorded.plain), str(recorded.plain), "--quiet")
    assert (code, err) == (0, "")
    code, out, err = run_cli("diff", str(recorded.plain), str(recorded.extra_field), "--quiet",
                          "--format", "json")
    assert code == 1, err
    report = json.loads(out)
    kinds = {(f["scenario"], f["kind"], f["path"].rsplit(".", 1)[-1])
             for f in report["findings"]}
    assert kinds == {("provider-lifecycle", "body-shape", "description")}
    assert report["cloud_a"]["url"] == f"snapshot:{recorded.plain}"


def test_snapshot_of_another_profile_version_is_refused(recorded: Recorded,
                                                        tmp_path: Path) -> None:
    document = json.loads(_text(recorded.plain))
    document["provenance"]["profile_version"] = "0"
    other = tmp_path / "old.json"
    other.write_text(json.dumps(document))
    code, out, err = run_cli("diff", str(other), str(recorded.plain), "--quiet")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "profile placement version 0" in err and "record the cloud again" in err
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8bnot gzip")
    code, _out, err = run_cli("matrix", str(broken), str(recorded.plain))
    assert code == 2 and err.count("\n") == 1 and "cannot read the snapshot" in err


def test_matrix_shows_each_drift_and_only_it(recorded: Recorded, tmp_path: Path) -> None:
    refs = [str(recorded.plain), str(recorded.extra_field), str(recorded.status_code)]
    code, out, err = run_cli("matrix", *refs, "--format", "json", "--report-dir",
                          str(tmp_path / "m"))
    assert code == 1, err
    data = json.loads(out)
    failing = {(p["a"], p["b"]): {(c["kind"], c["path"].rsplit(".", 1)[-1])
                                  for c in p["causes"]
                                  if c["breaks_clients"] or c["needs_version_bump"]}
               for p in data["pairs"]}
    plain, extra, status = refs
    field = ("body-shape", "description")
    assert failing[(plain, extra)] == {field}
    assert failing[(plain, status)] == {("status", "status")}
    assert failing[(extra, status)] == {field, ("status", "status")}
    # Every cause of every pair, failing or not, is one of the two drifts.
    every = {(c["kind"], c["path"].rsplit(".", 1)[-1]) for p in data["pairs"]
             for c in p["causes"]}
    assert every <= {("body-shape", "description"), ("status", "status")}
    for name in ("matrix.txt", "matrix.md", "matrix.html", "matrix.json"):
        assert (tmp_path / "m" / name).stat().st_size > 200
    text = (tmp_path / "m" / "matrix.txt").read_text()
    assert "[1] -> [2]" in text and "description" in text


def _capabilities_schema() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[3] / "interopcheck/schemas/capabilities.schema.json"
    return json.loads(path.read_text())


def test_capabilities_document_and_diff(recorded: Recorded) -> None:
    code, out, err = run_cli("capabilities", str(recorded.plain))
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.Draft202012Validator(_capabilities_schema()).validate(doc)
    assert doc["service"] == {"type": "placement", "min_version": "1.0", "max_version": "1.39"}
    routes = {(r["method"], r["path"]): r["microversions"] for r in doc["routes"]}
    # Routes are listed at the recorded microversions where a call found them.
    assert routes[("GET", "/")] == "1.0, 1.2, 1.7, 1.20, 1.39"
    assert routes[("GET", "/traits")] == "1.39"  # the traits scenario runs there only
    assert routes[("PUT", "/resource_classes/{name}")] == "1.2, 1.7, 1.39"  # from 1.2
    assert ("GET", "/traits/{name}") in routes
    assert "HW_CPU_X86_AVX2" in doc["traits"]["standard"]
    assert "VCPU" in doc["resource_classes"]["standard"]
    assert doc["traits"]["custom"] == [] and doc["resource_classes"]["custom"] == []
    assert {"nested-providers", "consumer-types"} <= {f["name"] for f in doc["features"]}
    assert len(out) < 20_000
    code, out, err = run_cli("capabilities", "diff", str(recorded.plain), str(recorded.plain))
    assert code == 0 and json.loads(out)["only_a"] == []


def test_matrix_with_the_released_references_shows_the_drifts_only(recorded: Recorded) -> None:
    """Real Placement 16.0 and 12.0 (packaged), a refcloud and two drifted refclouds.

    The refcloud snapshots hold a few scenarios at a few versions: the matrix compares
    those (``--scenario``, ``--microversions``). The whole 16.0 x 12.0 pair finds nothing
    either (``benchmarks/snapshot_diff.py`` prints the whole matrix).
    """
    refs = ["placement-16.0", "placement-12.0", str(recorded.plain),
            str(recorded.extra_field), str(recorded.status_code)]
    assert set(refs[:2]) <= set(reference_names())
    narrow = ["--microversions", VERSIONS, *(x for s in SCENARIOS for x in ("--scenario", s))]
    code, out, err = run_cli("matrix", *refs, "--format", "json", *narrow)
    assert code == 1, err
    data = json.loads(out)
    failing = {(p["a"], p["b"]): {(c["kind"], c["path"].rsplit(".", 1)[-1])
                                  for c in p["causes"]
                                  if c["breaks_clients"] or c["needs_version_bump"]}
               for p in data["pairs"]}
    real16, real12, plain, extra, status = refs
    field, code_change = ("body-shape", "description"), ("status", "status")
    for a, b in ((real16, real12), (real12, real16), (real16, plain), (plain, real16),
                 (real12, plain)):
        assert failing[(a, b)] == set(), (a, b)
    for real in (real16, real12):
        assert failing[(real, extra)] == {field}
        assert failing[(real, status)] == {code_change}
        assert failing[(extra, real)] == {field}
    assert all(p["common"] == "1.0-1.39" for p in data["pairs"])


def test_cli_diff_of_a_snapshot_and_a_live_cloud(recorded: Recorded) -> None:
    import httpx
    import refcloud

    def live() -> dict[str, httpx.BaseTransport]:
        app = refcloud.make_app(refcloud.Config(drift=("extra-field",)))
        return {"A": httpx.WSGITransport(app=app), "B": httpx.WSGITransport(app=app)}

    argv = ["--quiet", "--scenario", "provider-lifecycle", "--microversions", "1.20",
            "--format", "json"]
    code, out, err = run_cli("diff", str(recorded.plain), "http://b.example", *argv,
                             transports=live())
    assert code == 1, err
    forward = json.loads(out)["findings"]
    assert {f["b"] for f in forward} == {"str"} and forward
    code, out, err = run_cli("diff", "http://a.example", str(recorded.plain), *argv,
                             transports=live())
    assert code == 1, err
    backward = json.loads(out)["findings"]
    assert {f["a"] for f in backward} == {"str"} and all(f["breaks_clients"] for f in backward)
    assert {(f["kind"], f["path"]) for f in backward} == \
        {(f["kind"], f["path"]) for f in forward}
