"""One violating and one conforming document per rule (table-driven, like Spectral's tests).

Each case lints a document with only that rule enabled: the bad document must produce the
rule, the good one must not. ``test_every_rule_has_a_case`` keeps the table complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interopcheck.lint import LintConfig, lint
from interopcheck.rules import REGISTRY
from tests.unit.rules._docs import (
    ERRORS,
    MV_HEADERS,
    MV_PARAM,
    S,
    doc,
    mv_op,
    obj,
    one,
    op,
    resp,
    schema_doc,
)

MV = {"x-openstack": {"min-ver": "1.0", "max-ver": "1.5"}}
G200 = ("200", resp("200", obj(id=S), {"Cache-Control": {"schema": S}}))



def _errors_with_links(extra: dict[str, Any]) -> dict[str, Any]:
    """An errors schema whose ``links`` array has ``extra`` (ERR006 wants minItems: 1)."""
    links = {"type": "array", "items": obj(rel=S, href=S)} | extra
    item = obj(code=S, status={"type": "integer"}, title=S, detail=S, links=links)
    return {"type": "object", "properties": {"errors": {"type": "array", "items": item}}}


_REF = "#/components/schemas/"
_DUPLICATE_GET = """openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    get:
      responses: {"200": {description: a}}
  /things:
    get:
      responses: {"200": {description: b}}
"""
#: a document is a dict (written as JSON) or YAML text written as it is (duplicate keys)
STATIC: dict[str, tuple[Any, Any]] = {
    "MV001": (one("/things", "get", mv_op(params=[])), one("/things", "get", mv_op())),
    "MV006": (one("/things", "get", mv_op(statuses=("200", "400"))),
              one("/things", "get", mv_op())),
    "MV008": (one("/things", "get", mv_op(statuses=("200", "406"))),
              one("/things", "get", mv_op())),
    "MV010": (one("/things", "get", mv_op(headers={"Vary": {"schema": S}})),
              one("/things", "get", mv_op())),
    "MV011": (one("/things", "get", mv_op(headers={"OpenStack-API-Version": {"schema": S}})),
              one("/things", "get", mv_op())),
    "MV013": (one("/things", "get", op(G200, **{"x-openstack": {"min-ver": "1.9",
                                                                 "max-ver": "1.02"}})),
              one("/things", "get", op(G200, **{"x-openstack": {"min-ver": "1.2",
                                                                 "max-ver": "1.10"}}))),
    "MV018": (one("/things", "get", op(G200, params=[
                  {"name": "X-OpenStack-Nova-API-Version", "in": "header", "schema": S}])),
              one("/things", "get", op(G200, params=[MV_PARAM]))),
    "ERR001": (one("/things", "get", op(G200, ("404", resp("404", obj(message=S))))),
               one("/things", "get", op(G200, ("404", resp("404", ERRORS))))),
    "ERR002": (schema_doc({"type": "object", "properties": {"errors": {
                   "type": "array", "items": obj(status={"type": "integer"}, title=S)}}}),
               schema_doc(ERRORS)),
    "ERR004": (schema_doc({"type": "object", "properties": {"errors": {
                   "type": "array", "items": obj(code={"type": "string",
                                                       "enum": ["Compute.NotFound"]})}}}),
               schema_doc({"type": "object", "properties": {"errors": {
                   "type": "array", "items": obj(code={"type": "string",
                                                       "enum": ["compute.not_found"]})}}})),
    "HTTP002": (one("/things", "get", op(G200, body=obj(a=S))),
                one("/things", "post", op(("201", resp("201", None, {"Location": {}})),
                                          body=obj(a=S)))),
    "HTTP003": (one("/servers/{id}", "get", op(G200, operationId="reboot_server")),
                one("/servers/{id}", "get", op(G200, operationId="show_server"))),
    "HTTP004": (doc({"/things": {"head": op(("204", resp("204")))}}),
                doc({"/things": {"head": op(("204", resp("204"))), "get": op(G200)}})),
    "HTTP005": (one("/things/{id}", "post", op(("201", resp("201", None, {"Location": {}})))),
                one("/things/{id}", "put", op(("201", resp("201", None, {"Location": {}}))))),
    "HTTP007": (one("/things", "post", op(("201", resp("201", obj(id=S))))),
                one("/things", "post", op(("201", resp("201", obj(id=S),
                                                       {"Location": {"schema": S}}))))),
    "HTTP008": (one("/servers", "post", op(("202", resp("202")))),
                one("/servers", "post",
                    op(("202", resp("202", None, {"Location": {"schema": S}}))))),
    "HTTP009": (one("/things/{id}", "delete", op(("200", resp("200", obj(id=S))))),
                one("/things/{id}", "delete", op(("204", resp("204"))))),
    "HTTP010": (one("/things/{id}", "put", op(("204", resp("204")), body=obj(a=S))),
                one("/things/{id}", "put", op(G200, body=obj(a=S)))),
    "HTTP013": (one("/things", "get", op(G200, ("413", resp("413")))),
                one("/things", "get", op(G200, ("403", resp("403"))))),
    "HTTP014": (one("/things", "get", op(G200, ("422", resp("422")))),
                one("/things", "get", op(G200, ("400", resp("400"))))),
    "HTTP021": (one("/things", "get", op(G200, ("501", resp("501")))),
                one("/things", "get", op(G200, ("400", resp("400"))))),
    "HTTP017": (one("/things", "post", op(("201", resp("201")),
                                          body={"type": "object", "properties": {"a": S}})),
                one("/things", "post", op(("201", resp("201")), body=obj(a=S)))),
    "CACHE001": (one("/things", "get", op(("200", resp("200", obj(things={"type": "array"}))))),
                 one("/things", "get", op(G200))),
    "ETAG001": (one("/things/{id}", "put", op(G200, params=[
                    {"name": "If-Match", "in": "header", "schema": S}])),
                one("/things/{id}", "put", op(G200, ("412", resp("412")), params=[
                    {"name": "If-Match", "in": "header", "schema": S}]))),
    "HDR001": (one("/things", "get", op(G200, params=[
                   {"name": "X-Widget-Mode", "in": "header", "schema": S}])),
               one("/things", "get", op(G200, params=[
                   {"name": "X-Auth-Token", "in": "header", "schema": S}]))),
    "HDR004": (one("/things", "get", op(G200, params=[
                   {"name": "OpenStack-Nova-Flag", "in": "header", "schema": S}])),
               one("/things", "get", op(G200, params=[
                   {"name": "OpenStack-Compute-Flag", "in": "header", "schema": S}]))),
    "NAME001": (one("/thing/{id}", "get", op(G200)), one("/things/{id}", "get", op(G200))),
    "NAME002": (one("/Things", "get", op(G200)), one("/things", "get", op(G200))),
    "NAME003": (one("/resource_providers", "get", op(G200)),
                one("/resource-providers", "get", op(G200))),
    "NAME004": (schema_doc(obj(imageRef=S)), schema_doc(obj(image_ref=S))),
    "NAME005": (schema_doc(obj(is_enabled={"type": "boolean"})),
                schema_doc(obj(enabled={"type": "boolean"}))),
    "NAME006": (schema_doc(obj(disabled={"type": "boolean"})),
                schema_doc(obj(enabled={"type": "boolean"}))),
    "NAME008": (schema_doc(obj(tenant_id=S)), schema_doc(obj(project_id=S))),
    "URI003": (one("/things/{id}/delete", "post", op(G200)),
               one("/things/{id}", "delete", op(("204", resp("204"))))),
    "URI004": (doc({"/servers/detail": {"get": op(G200)}, "/servers/{id}": {"get": op(G200)}}),
               doc({"/servers": {"get": op(G200)}, "/servers/{id}": {"get": op(G200)}})),
    "RES001": (one("/things", "get", op(("200", resp("200", {"type": "array", "items": S})))),
               one("/things", "get", op(("200", resp("200", obj(things={"type": "array"})))))),
    "RES002": (one("/things", "get", op(("200", resp("200", obj(items={"type": "array"}))))),
               one("/things", "get", op(("200", resp("200", obj(things={"type": "array"})))))),
    "RES004": (doc({"/things/{id}": {"get": op(("200", resp("200", obj(thing=obj(id=S)))))},
                    "/widgets/{id}": {"get": op(("200", resp("200", obj(id=S, name=S))))},
                    "/gadgets/{id}": {"get": op(("200", resp("200", obj(gadget=obj(id=S)))))}}),
               doc({"/things/{id}": {"get": op(("200", resp("200", obj(thing=obj(id=S)))))},
                    "/widgets/{id}": {"get": op(("200", resp("200", obj(widget=obj(id=S)))))}})),
    "PAGE001": (one("/things", "get", op(G200, params=[
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}])),
                one("/things", "get", op(G200, params=[
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "marker", "in": "query", "schema": S}]))),
    "PAGE004": (one("/things", "get", op(("200", resp("200", obj(things={"type": "array"}))),
                                         params=[{"name": "limit", "in": "query"},
                                                 {"name": "marker", "in": "query"}])),
                one("/things", "get", op(("200", resp("200", obj(things={"type": "array"},
                                                                 links={"type": "array"}))),
                                         params=[{"name": "limit", "in": "query"},
                                                 {"name": "marker", "in": "query"}]))),
    "PAGE011": (one("/things", "get", op(G200, params=[{"name": "sort_key", "in": "query"}])),
                one("/things", "get", op(G200, params=[{"name": "sort", "in": "query"}]))),
    "PAGE012": (one("/things", "get", op(("200", resp("200", obj(things={"type": "array"}))),
                                         params=[{"name": "with_count", "in": "query"}])),
                one("/things", "get", op(("200", resp("200", obj(things={"type": "array"},
                                                                 count={"type": "integer"}))),
                                         params=[{"name": "with_count", "in": "query"}]))),
    "LINK001": (schema_doc(obj(links={"type": "array", "items": obj(url=S)})),
                schema_doc(obj(links={"type": "array", "items": obj(rel=S, href=S)}))),
    "TIME001": (schema_doc(obj(created_at=S)),
                schema_doc(obj(created_at={"type": "string", "format": "date-time"}))),
    "TAG001": (schema_doc(obj(tags={"type": "string"})),
               schema_doc(obj(tags={"type": "array", "items": S}))),
    "META001": (schema_doc(obj(metadata={"type": "array"})),
                schema_doc(obj(metadata={"type": "object"}))),
    "INTEROP015": (schema_doc(obj(**{"OS-EXT-STS:vm_state": S})), schema_doc(obj(vm_state=S))),
    "DOC001": (one("/things", "get", {"responses": {"200": resp("200")}}),
               one("/things", "get", op(G200))),
    "ACT003": (one("/servers/{id}/action", "get", op(G200)),
               one("/servers/{id}/action", "post", op(G200, body=obj(reboot=obj())))),
    "ACT004": (one("/servers/{id}/action", "post", op(G200, body=obj(action=S, type=S))),
               one("/servers/{id}/action", "post", op(G200, body={"oneOf": [
                   obj(reboot=obj(type=S)), obj(**{"os-start": {"type": "null"}})]}))),
    "ACT005": (doc({"/servers/{id}/action": {"post": op(G200, body=obj(reboot=obj()))},
                    "/images/{id}/actions/deactivate": {"post": op(("204", resp("204")))}}),
               doc({"/servers/{id}/action": {"post": op(G200, body=obj(reboot=obj()))}})),
    "ACT006": (one("/servers/{id}/action", "post", op(G200, body={"oneOf": [
                   obj(confirmResize={"type": "null"})]})),
               one("/servers/{id}/action", "post", op(G200, body={"oneOf": [
                   obj(confirm_resize={"type": "null"})]}))),
    "MV002": (one("/things", "get", op(G200, params=[
                  MV_PARAM | {"schema": {"type": "string", "example": "nova 2.1"}}])),
              one("/things", "get", op(G200, params=[
                  MV_PARAM | {"schema": {"type": "string", "example": "compute 2.1"}}]))),
    "MV003": (one("/things", "get", mv_op(params=[
                  MV_PARAM | {"schema": {"type": "string", "default": "placement 1.5"}}])),
              one("/things", "get", mv_op(params=[
                  MV_PARAM | {"schema": {"type": "string", "default": "placement 1.0"}}]))),
    "HDR002": (one("/things", "get", op(("200", resp("200", None, {"Request-Trace": {}})))),
               one("/things", "get", op(("200", resp("200", None, {
                   "OpenStack-Compute-Trace": {}, "ETag": {}}))))),
    "LINK002": (schema_doc(obj(rel={"type": "string", "enum": ["self", "inventories"]},
                               href=S)),
                schema_doc(obj(rel={"type": "string", "enum": ["self", "next"]}, href=S))),
    "TAG002": (schema_doc(obj(tags={"type": "array", "items": S})),
               schema_doc(obj(tags={"type": "array", "items": {"type": "string",
                                                               "pattern": "^[^,/]*$"}}))),
    "TAG004": (one("/servers/{id}/tags", "get", op(("200", resp("200", {
                   "type": "array", "items": S})))),
               one("/servers/{id}/tags", "get", op(("200", resp("200", obj(
                   tags={"type": "array", "items": S})))))),
    "TAG007": (one("/servers/{id}/tags", "delete", op(G200)),
               one("/servers/{id}/tags", "delete", op(("204", resp("204"))))),
    "TAG008": (one("/servers/{id}/tags/{tag}", "put", op(G200)),
               one("/servers/{id}/tags/{tag}", "put", op(("201", resp("201"))))),
    "TAG009": (one("/servers", "get", op(G200, params=[{"name": "tag", "in": "query"}])),
               one("/servers", "get", op(G200, params=[{"name": "tags", "in": "query"},
                                                       {"name": "not-tags", "in": "query"}]))),
    "META003": (one("/servers/{id}/metadata", "get", op(("200", resp("200", obj(
                    items={"type": "object"}))))),
                one("/servers/{id}/metadata", "get", op(("200", resp("200", obj(
                    metadata={"type": "object"})))))),
    "HTTP012": (one("/servers/{id}/action", "post", op(G200, body=obj(reboot=obj()))),
                one("/servers/{id}/action", "post", op(G200, ("409", resp("409")),
                                                       body=obj(reboot=obj())))),
    "HTTP015": (one("/things", "post", op(("201", resp("201")), body=obj(
                    tags={"type": "array", "maxItems": 50}))),
                one("/things", "post", op(("201", resp("201")), ("400", resp("400")),
                                          body=obj(tags={"type": "array", "maxItems": 50})))),
    "HTTP022": (one("/things/search", "post", op(G200)), one("/things", "get", op(G200))),
    "DOC002": (doc({}), {**doc({}), "info": {"title": "t", "version": "1",
                                             "description": "Concepts: ..."}}),
    "MV007": (one("/things", "get", op(G200, ("406", resp("406", ERRORS)), **MV)),
              one("/things", "get", op(G200, ("406", resp("406", {
                  "type": "object", "properties": {"errors": {"type": "array", "items": obj(
                      min_version=S, max_version=S, status={"type": "integer"})}}})), **MV))),
    "NAME009": ({**one("/os-instance-actions", "get", op(G200)),
                 "info": {"title": "Compute API", "version": "2.1"}},
                {**one("/os-server-actions", "get", op(G200)),
                 "info": {"title": "Compute API", "version": "2.1"}}),
    "HTTP006": (one("/things/{id}", "patch", op(G200, requestBody={"content": {
                    "text/plain": {"schema": S}}})),
                one("/things/{id}", "patch", op(G200, requestBody={"content": {
                    "application/merge-patch+json": {"schema": obj(a=S)}}}))),
    "TAG005": (one("/servers/{id}/tags", "put", op(("204", resp("204")))),
               one("/servers/{id}/tags", "put", op(("200", resp("200", obj(
                   tags={"type": "array", "items": S})))))),
    "META004": (one("/servers/{id}/metadata/{key}", "delete", op(G200)),
                one("/servers/{id}/metadata/{key}", "delete", op(("204", resp("204"))))),
    "HDR003": (doc({"/a": {"get": op(G200, params=[
                   {"name": "X-OpenStack-Nova-API-Version", "in": "header"}])},
                    "/b": {"get": op(G200, params=[
                        {"name": "X-OpenStack-Ironic-API-Version", "in": "header"}])}}),
               doc({"/a": {"get": op(G200, params=[MV_PARAM])}})),
    "ERR006": (schema_doc(_errors_with_links({})), schema_doc(_errors_with_links({"minItems": 1}))),
    "OAS001": (one("/things", "get", {"responses": 5}), one("/things", "get", op(G200))),
    "OAS002": (_DUPLICATE_GET,
               _DUPLICATE_GET.replace("  /things:\n    get:", "  /others:\n    get:", 1)),
    "OAS003": (one("/things", "get", op(("200", resp("200", {"$ref": _REF + "Nope"})))),
               doc({"/things": {"get": op(("200", resp("200", {"$ref": _REF + "T"})))}},
                   schemas={"T": obj(id=S)})),
    "OAS004": (one("/things", "get", op(("200", resp("200", {"$ref": "https://x.org/t.json"})))),
               one("/things", "get", op(G200))),
}
#: Rules whose "good" document still yields the rule's informational summary (form/style).
SUMMARY_ONLY = {"RES004", "ACT005"}


def _lint(tmp_path: Path, rule_id: str, document: dict[str, Any]) -> list[Any]:
    path = tmp_path / ("openapi.yaml" if isinstance(document, str) else "openapi.json")
    path.write_text(document if isinstance(document, str) else json.dumps(document),
                    encoding="utf-8")
    return lint(path, LintConfig(only={rule_id})).violations


@pytest.mark.parametrize("rule_id", sorted(STATIC))
def test_bad_document_violates(tmp_path: Path, rule_id: str) -> None:
    found = _lint(tmp_path, rule_id, STATIC[rule_id][0])
    hits = [v for v in found if v.rule == rule_id
            and (rule_id not in SUMMARY_ONLY or v.severity.value != "info")]
    assert hits, found


@pytest.mark.parametrize("rule_id", sorted(STATIC))
def test_good_document_passes(tmp_path: Path, rule_id: str) -> None:
    found = _lint(tmp_path, rule_id, STATIC[rule_id][1])
    if rule_id in SUMMARY_ONLY:
        found = [v for v in found if v.severity.value != "info"]
    assert found == []


def test_unversioned_apis_skip_microversion_rules(tmp_path: Path) -> None:
    document = one("/things", "get", op(G200, ("406", resp("406", ERRORS))))
    for rule_id in ("MV001", "MV006", "MV007", "MV008", "MV010", "MV011"):
        assert _lint(tmp_path, rule_id, document) == []


def test_action_names_are_not_fields(tmp_path: Path) -> None:
    document = one("/servers/{id}/action", "post", op(G200, body={"oneOf": [
        obj(confirmResize={"type": "null"}), obj(reboot=obj(hardType=S))]}))
    found = _lint(tmp_path, "NAME004", document)
    assert [v.message for v in found] == ["field 'hardType' is not snake_case"]


def test_static_rules_declare_static_mode() -> None:
    for rule_id in STATIC:
        assert "static" in REGISTRY.get(rule_id).modes


def test_mv_headers_fixture_is_complete() -> None:
    assert {"OpenStack-API-Version", "Vary"} <= set(MV_HEADERS)
