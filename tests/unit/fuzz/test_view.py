"""The document's view of a microversion (any major version), and the repro helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from interopcheck.fuzz.repro import curl_line, profile_step
from interopcheck.fuzz.view import below_minimum, document_range, operations, view_at
from interopcheck.fuzz.wire import Call, Connection, ValueMap
from interopcheck.microversion import Version
from interopcheck.profile.loader import profile_from_document

SPEC = Path(__file__).resolve().parents[3] / "reference-impl" / "refcloud" / "openapi.yaml"


def _doc() -> dict[str, Any]:
    """A major-2 API: /widgets from 2.3, a body whose schema changes at 2.10."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "w", "version": "2.12"},
        "paths": {
            "/widgets": {
                "get": {
                    "x-openstack": {"min-ver": "2.3"},
                    "parameters": [
                        {"$ref": "#/components/parameters/Version"},
                        {"name": "color", "in": "query", "schema": {"type": "string"},
                         "x-openstack": {"min-ver": "2.9"}},
                    ],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/W"}}}}},
                },
                "post": {
                    "x-openstack": {"min-ver": "2.0", "max-ver": "2.11"},
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/WCreate"}}}},
                    "responses": {
                        "201": {"description": "created", "x-openstack": {"max-ver": "2.9"}},
                        "200": {"description": "ok", "x-openstack": {"min-ver": "2.10"}},
                    },
                },
            },
        },
        "components": {
            "parameters": {"Version": {"name": "OpenStack-API-Version", "in": "header",
                                       "schema": {"type": "string"}}},
            "schemas": {
                "W": {"type": "object", "required": ["id", "size"], "properties": {
                    "id": {"type": "string"},
                    "size": {"type": "integer", "x-openstack": {"min-ver": "2.10"}}}},
                "WCreate": {"oneOf": [{"$ref": "#/components/schemas/WCreate_20"},
                                      {"$ref": "#/components/schemas/WCreate_210"}],
                            "x-openstack": {"discriminator": "microversion"}},
                "WCreate_20": {"type": "object", "properties": {"name": {"type": "string"}},
                               "x-openstack": {"min-ver": "2.0", "max-ver": "2.9"}},
                "WCreate_210": {"type": "object", "properties": {"label": {"type": "string"}},
                                "x-openstack": {"min-ver": "2.10"}},
            },
        },
    }


def _op(view: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    return view["paths"].get(path, {}).get(method)


def test_operations_exist_only_inside_their_range() -> None:
    doc = _doc()
    assert _op(view_at(doc, Version(2, 2)), "/widgets", "get") is None
    assert _op(view_at(doc, Version(2, 3)), "/widgets", "get") is not None
    assert _op(view_at(doc, Version(2, 12)), "/widgets", "post") is None
    assert "/widgets" in view_at(doc, Version(2, 12))["paths"]
    assert view_at(doc, Version(2, 0))["paths"]["/widgets"].keys() == {"post"}


def test_discriminated_one_of_becomes_the_branch_of_the_version() -> None:
    doc = _doc()
    body_29 = _op(view_at(doc, Version(2, 9)), "/widgets", "post")["requestBody"]
    body_210 = _op(view_at(doc, Version(2, 10)), "/widgets", "post")["requestBody"]
    assert body_29["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/WCreate_20"}
    assert body_210["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/WCreate_210"}


def test_parameters_responses_and_properties_follow_the_version() -> None:
    doc = _doc()
    v9, v10 = view_at(doc, Version(2, 9)), view_at(doc, Version(2, 10))
    assert [p.get("name") for p in _op(v9, "/widgets", "get")["parameters"]] == [None, "color"]
    assert set(_op(v9, "/widgets", "post")["responses"]) == {"201"}
    assert set(_op(v10, "/widgets", "post")["responses"]) == {"200"}
    assert v9["components"]["schemas"]["W"]["required"] == ["id"]
    assert "size" not in v9["components"]["schemas"]["W"]["properties"]
    assert "size" in v10["components"]["schemas"]["W"]["properties"]
    # the version header is set by the run, not generated
    dropped = view_at(doc, Version(2, 9), drop_headers=("openstack-api-version",))
    assert [p.get("name") for p in _op(dropped, "/widgets", "get")["parameters"]] == ["color"]
    assert "x-openstack" not in str(_op(v10, "/widgets", "post"))
    assert doc == _doc()  # the input is not changed


def test_range_and_below_minimum() -> None:
    doc = _doc()
    assert document_range(doc) == (Version(2, 0), Version(2, 12))
    ops = {o.label: o for o in operations(doc)}
    assert below_minimum(ops["GET /widgets"], Version(2, 0)) == Version(2, 2)
    assert below_minimum(ops["GET /widgets"], Version(2, 3)) is None
    assert below_minimum(ops["POST /widgets"], Version(2, 0)) is None


def test_refclouds_document_views() -> None:
    doc = yaml.safe_load(SPEC.read_text())
    assert document_range(doc) == (Version(1, 0), Version(1, 39))
    assert "/allocation_candidates" not in view_at(doc, Version(1, 9))["paths"]
    assert "/allocation_candidates" in view_at(doc, Version(1, 10))["paths"]
    below = {o.label: below_minimum(o, Version(1, 0)) for o in operations(doc)}
    assert below["POST /reshaper"] == Version(1, 29)
    assert below["GET /resource_providers"] is None


def test_value_map_carries_server_generated_uuids_to_b() -> None:
    from interopcheck.compare import Exchange

    ua, ub = "11111111-2222-3333-4444-555555555555", "99999999-8888-7777-6666-555555555555"
    a = Exchange.create(method="POST", url="/r", request_headers={}, status=200,
                        headers={"location": f"http://a/r/{ua}"}, body={"uuid": ua, "n": "x"})
    b = Exchange.create(method="POST", url="/r", request_headers={}, status=200,
                        headers={"location": f"http://b/r/{ub}"}, body={"uuid": ub, "n": "x"})
    values = ValueMap()
    values.learn(a, b)
    call = Call("PUT", f"/r/{ua}", (("in_tree", ua),), body=f'{{"parent": "{ua}"}}'.encode())
    mapped = values.apply(call)
    assert mapped.path == f"/r/{ub}" and mapped.query == (("in_tree", ub),)
    assert mapped.body == f'{{"parent": "{ub}"}}'.encode()


def test_curl_line_and_profile_step() -> None:
    call = Call("POST", "/resource_classes", (("x", "1"),),
                (("Content-Type", "application/json"),), b'{"name": "CUSTOM_A"}')
    conn = Connection("placement")
    line = curl_line(call, "http://cloud:8780/", conn, "1.39")
    assert line == ("curl -i -X POST 'http://cloud:8780/resource_classes?x=1' -H "
                    "\"X-Auth-Token: $OS_TOKEN\" -H 'OpenStack-API-Version: placement 1.39' "
                    "-H 'Content-Type: application/json' --data-raw '{\"name\": \"CUSTOM_A\"}'")
    step = profile_step(call, "1.39", "fuzz-positive")
    assert yaml.safe_load(step) == {"name": "fuzz-positive", "POST": "/resource_classes?x=1",
                                    "microversion": "1.39", "body": {"name": "CUSTOM_A"}}
    raw = profile_step(Call("POST", "/r", (), (("Content-Type", "text/plain"),), b"\xff"),
                       "1.2", "n")
    parsed = yaml.safe_load(raw)
    assert parsed["data"] == "\ufffd" and parsed["headers"] == {"Content-Type": "text/plain"}
    # a pasted step is a valid profile step
    profile_from_document({
        "profile": "p", "service": {"type": "placement",
                                     "version_header": "OpenStack-API-Version"},
        "discovery": {"GET": "/", "min_version": "body.versions.0.min_version",
                      "max_version": "body.versions.0.max_version"},
        "scenarios": [{"name": "s", "calls": [yaml.safe_load(step), parsed]}],
    }, Path("p.yaml"))
