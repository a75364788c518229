"""--baseline OLD NEW: every change classified (breaks clients / needs a bump) and the
microversion-bump verdict."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

from interopcheck.lint.cli import main
from interopcheck.lint.spec_diff import diff_specs
from tests.unit.rules._docs import S, obj, op, resp

THING = obj(id=S, status={"type": "string", "enum": ["ACTIVE", "ERROR"]})


def base(max_version: str = "1.5") -> dict[str, Any]:
    return copy.deepcopy({
        "openapi": "3.1.0", "info": {"title": "t", "version": max_version},
        "paths": {
            "/things/{id}": {
                "get": op(("200", resp("200", THING, {"Vary": {"schema": S}})),
                          ("404", resp("404")),
                          **{"x-openstack": {"min-ver": "1.0"}}),
                "delete": op(("204", resp("204"))),
            },
            "/things": {"post": op(("201", resp("201", THING)), body=obj(name=S))},
        },
    })


def _diff(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]):
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return diff_specs(str(tmp_path / "old.json"), str(tmp_path / "new.json"))


def _by_subject(report) -> dict[str, Any]:
    return {f"{c.change} {c.subject} {c.detail}".strip(): c for c in report.changes}


def test_unversioned_changes_are_classified(tmp_path: Path) -> None:
    new = copy.deepcopy(base())
    get = new["paths"]["/things/{id}"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    schema["properties"]["name"] = S                       # added response property
    schema["properties"]["status"]["enum"].append("BUILD")  # enum widened
    del get["responses"]["200"]["headers"]                 # header removed
    del new["paths"]["/things/{id}"]["delete"]             # operation removed
    post = new["paths"]["/things"]["post"]
    post["requestBody"]["content"]["application/json"]["schema"]["properties"]["size"] = {
        "type": "integer"}
    post["requestBody"]["content"]["application/json"]["schema"]["required"] = ["size"]
    post["responses"]["202"] = resp("202")                 # status added
    report = _diff(tmp_path, base(), new)
    got = _by_subject(report)
    expect = {
        "added GET /things/{id} 200 body /name": ("INTEROP007", False),
        "changed GET /things/{id} 200 body /status enum added ['BUILD']": ("INTEROP009", True),
        "removed GET /things/{id} 200 header vary": ("INTEROP005", True),
        "removed DELETE /things/{id}": ("INTEROP003", True),
        "added POST /things request body /size": ("INTEROP007", True),
        "added POST /things 202": ("INTEROP004", False),
    }
    assert {k: (got[k].rule, got[k].breaks_clients) for k in expect} == expect
    assert all(c.needs_bump and not c.versioned for c in report.changes)
    assert report.bump_required and not report.bumped
    assert got["removed DELETE /things/{id}"].file == "old.json"
    assert got["removed DELETE /things/{id}"].line == 1


def test_changes_behind_a_new_microversion_are_fine(tmp_path: Path) -> None:
    new = base("1.6")
    new["paths"]["/widgets"] = {"get": op(("200", resp("200", obj(widgets={"type": "array"}))),
                                          **{"x-openstack": {"min-ver": "1.6"}})}
    schema = new["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    schema["properties"]["color"] = {"type": "string", "x-openstack": {"min-ver": "1.6"}}
    report = _diff(tmp_path, base(), new)
    assert report.changes and all(c.versioned for c in report.changes)
    assert {c.rule for c in report.changes} == {"INTEROP002", "INTEROP007"}
    assert not report.bump_required and report.bumped


def test_bump_without_versioning_the_change_is_still_reported(tmp_path: Path) -> None:
    new = base("1.6")
    schema = new["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    schema["properties"]["id"] = {"type": "integer"}  # type change at every version
    report = _diff(tmp_path, base(), new)
    # THING is shared by GET /things/{id} 200 and POST /things 201: both change
    assert {c.subject for c in report.changes} == {"GET /things/{id} 200 body /id",
                                                   "POST /things 201 body /id"}
    for change in report.changes:
        assert change.rule == "INTEROP008" and change.breaks_clients and not change.versioned
        assert change.detail == "type: string -> integer"
    assert report.bump_required and report.bumped


def test_identical_documents(tmp_path: Path) -> None:
    report = _diff(tmp_path, base(), base())
    assert report.changes == [] and not report.bump_required


def test_cli_baseline(tmp_path: Path) -> None:
    new = base()
    del new["paths"]["/things/{id}"]["delete"]
    (tmp_path / "old.json").write_text(json.dumps(base()))
    (tmp_path / "new.json").write_text(json.dumps(new))
    out = io.StringIO()
    rc = main([str(tmp_path / "new.json"), "--baseline", str(tmp_path / "old.json")],
              stdout=out)
    assert rc == 1 and "INTEROP003" in out.getvalue() and "breaks clients" in out.getvalue()
    out = io.StringIO()
    main([str(tmp_path / "new.json"), "--baseline", str(tmp_path / "old.json"), "-f", "json"],
         stdout=out)
    data = json.loads(out.getvalue())
    assert data["bump_required"] is True and data["changes"][0]["needs_microversion_bump"]


def test_required_changes(tmp_path: Path) -> None:
    old = base()
    new = base()
    old_get = old["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    old_get["required"] = ["id"]  # response: id was always there, now it may be missing
    body = new["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]
    body["required"] = ["name"]  # request: name was optional, now required
    got = _by_subject(_diff(tmp_path, old, new))
    response = got["changed GET /things/{id} 200 body /id required: True -> False"]
    request = got["changed POST /things request body /name required: False -> True"]
    assert response.breaks_clients and request.breaks_clients
    assert response.rule == request.rule == "INTEROP007"
