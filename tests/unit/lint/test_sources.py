"""OpenAPI -> targets: x-openstack microversion bounds, $ref'd parameters, schema walk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interopcheck.lint import LintConfig, Loader, LoadError, lint
from interopcheck.lint.sources import api_document, iter_schemas
from tests.unit.rules._docs import MV_PARAM, S, doc, obj, op, resp


def _write(tmp_path: Path, document: dict) -> Path:
    p = tmp_path / "openapi.json"
    p.write_text(json.dumps(document, indent=2))
    return p


def test_microversion_bounds(tmp_path: Path) -> None:
    d = doc({
        "/old": {"get": op(("200", resp("200")), ("501", resp("501")),
                           **{"x-openstack": {"min-ver": "2.1", "max-ver": "2.35"}})},
        "/new": {"get": op(("200", resp("200")), params=[{"$ref": "#/components/parameters/mv"}],
                           **{"x-openstack": {"min-ver": "2.36"}})},
    })
    d["info"]["version"] = "2.96"
    d["components"] = {"parameters": {"mv": MV_PARAM}}
    api = api_document(Loader().load(_write(tmp_path, d)))
    assert api.microversioned and (api.min_version, api.max_version) == ((2, 1), (2, 96))
    old, new = api.operations
    assert (old.min_version, old.max_version) == ((2, 1), (2, 35))
    assert new.param("openstack-api-version", "header").pointer == "/components/parameters/mv"
    (v,) = lint(tmp_path / "openapi.json", LintConfig(only={"HTTP021"})).violations
    assert v.extra["microversions"] == "2.1-2.35"


def test_unversioned_document_has_no_range(tmp_path: Path) -> None:
    api = api_document(Loader().load(_write(tmp_path, doc({"/x": {"get": op(("200",
                                                                                resp("200")))}}))))
    assert not api.microversioned and api.max_version is None


def test_each_schema_once_whatever_reaches_it(tmp_path: Path) -> None:
    ref = {"$ref": "#/components/schemas/Thing"}
    d = doc({"/things/{id}": {"get": op(("200", resp("200", ref))),
                              "put": op(("200", resp("200", ref)), body=ref)}},
            schemas={"Thing": obj(id=S, child={"$ref": "#/components/schemas/Thing"})})
    api = api_document(Loader().load(_write(tmp_path, d)))
    pointers = [s.pointer for s in iter_schemas(api)]
    assert len(pointers) == len(set(pointers))
    assert "/components/schemas/Thing" in pointers
    assert "/components/schemas/Thing/properties/id" in pointers


def test_broken_and_remote_refs_do_not_crash(tmp_path: Path) -> None:
    d = doc({"/a": {"get": op(("200", resp("200", {"$ref": "#/components/schemas/Nope"})))},
             "/b": {"get": op(("200", resp("200", {"$ref": "https://x/s.json#/S"})))},
             "/c": {"$ref": "missing.yaml#/paths/c"}})
    result = lint(_write(tmp_path, d))
    assert {v.rule for v in result.violations} >= {"CACHE001"}


def test_not_an_object_document(tmp_path: Path) -> None:
    p = tmp_path / "list.yaml"
    p.write_text("- 1\n- 2\n")
    with pytest.raises(LoadError, match=r"not an OpenAPI 3\.x document"):
        lint(p)
