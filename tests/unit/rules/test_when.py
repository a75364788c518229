"""``when``: a rule that declares the keys a target must hold (or a predicate on it) runs
only on targets that meet it, so it must find nothing on the others. Each such rule is run
anyway on every target that does not, in the eight OpenStack documents
(``../shared/specs``) and in a document built to tempt it (``allOf``-only, ``$ref``-only and
keyless schemas, a document without microversions)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from interopcheck.lint import Loader
from interopcheck.lint.engine import _targets, check_document
from interopcheck.lint.sources import api_document
from interopcheck.rules.registry import REGISTRY, Rule, RuleContext
from interopcheck.rules.targets import Operation, Parameter, Schema
from tests.unit.rules._docs import ERRORS, S, json_body, obj, one, op, resp

SHARED = Path(os.environ.get("INTEROPCHECK_SHARED",
                             Path(__file__).resolve().parents[3].parent / "shared"))
SPECS = sorted((SHARED / "specs").glob("openstack-*.yaml"))
TEMPTING = one("/v2/things/{id}", "post", op(
    ("200", resp("200", {"allOf": [ERRORS, obj(tags={"type": "array", "items": S},
                                               created_at=S, isDisabled={"type": "boolean"},
                                               tenant_id=S, links=S)]})),
    ("400", resp("400", {"$ref": "#/components/schemas/Err"})),
    ("404", resp("404", {"type": "object", "additionalProperties": obj(metadata=S)})),
    ("409", resp("409", {"items": {"properties": {"x": S}}, "x-openstack": "oops"}))))
TEMPTING["components"] = {"schemas": {"Err": ERRORS, "Free": {"description": "anything"},
                                      "Odd": {"type": "objekt", "properties": {"a": S}}}}
TEMPTING["paths"]["/v2/things/{id}"]["post"]["requestBody"] = json_body(
    {"oneOf": [obj(enableThing={"type": "boolean"}), {"$ref": "#/components/schemas/Free"}]})

WHEN = [(r, kind) for r in REGISTRY for kind in (Operation, Parameter, Schema)
        if "static" in r.modes and r.fn_for(kind) is not None and r.when_for(kind)]


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, object]]:
    """(document name, target) for every target of every document, loaded once."""
    built = tmp_path_factory.mktemp("when") / "tempting.json"
    built.write_text(json.dumps(TEMPTING))
    out: list[tuple[str, object]] = []
    for path in (built, *SPECS):
        root = Loader().load(path)
        check_document(root, {r.id for r in REGISTRY})
        out.extend((path.name, t) for t in _targets(api_document(root)))
    return out


def test_the_schema_field_rules_declare_when() -> None:
    assert {r.id for r, kind in WHEN if kind is Schema} >= {
        "LINK001", "TIME001", "TAG001", "TAG002", "META001", "INTEROP015", "LINK002",
        "NAME004", "NAME005", "NAME006", "NAME008", "ACT006", "ERR002", "ERR004", "ERR006",
        "MV013", "OAS001"}
    assert {r.id for r, kind in WHEN if kind is Parameter} >= {
        "HDR001", "HDR002", "HDR004", "MV002", "MV003", "MV013", "MV018"}
    assert {r.id for r, kind in WHEN if kind is Operation} >= {
        "MV001", "MV006", "MV007", "MV008", "MV010", "MV011", "MV013",  # microversioned
        "ACT003", "HTTP003", "CACHE001", "TAG004", "PAGE001",  # GET
        "HTTP009", "TAG007",  # DELETE
        "HTTP002", "HTTP006", "HTTP015", "HTTP017"}  # requestBody


@pytest.mark.parametrize(("rule", "kind"), WHEN, ids=[f"{r.id}-{k.__name__}" for r, k in WHEN])
def test_a_rule_finds_nothing_where_its_when_keys_are_absent(
        targets: list[tuple[str, Any]], rule: Rule, kind: type) -> None:
    if not SPECS:
        pytest.fail(f"no OpenStack documents under {SHARED / 'specs'}")
    cond = rule.when_for(kind)
    assert cond is not None

    def met(target: Any) -> bool:  # what evaluate asks
        return cond(target) if callable(cond) else any(k in target.value for k in cond)

    fn, ctx = rule.fn_for(kind), RuleContext(rule)
    assert fn is not None
    skipped = 0
    for name, target in targets:
        if type(target) is not kind or met(target):
            continue
        skipped += 1
        assert list(fn(ctx, target)) == [], (rule.id, name, target.pointer)
    assert skipped, "no target without the keys: the test proves nothing"
