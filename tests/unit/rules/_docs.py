"""Builders for small OpenAPI documents used by the per-rule tests."""

from __future__ import annotations

import copy
from typing import Any

S = {"type": "string"}
MV_PARAM = {"name": "OpenStack-API-Version", "in": "header", "schema": S}
MV_HEADERS = {"OpenStack-API-Version": {"schema": S}, "Vary": {"schema": S}}
ERRORS = {
    "type": "object",
    "properties": {"errors": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "properties": {k: S for k in ("code", "title", "detail")}
        | {"status": {"type": "integer"},
           "links": {"type": "array", "items": {"type": "object", "properties": {
               "rel": S, "href": S}}}}}}},
}


def json_body(schema: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def resp(status: str = "200", schema: Any = None, headers: dict[str, Any] | None = None,
         ) -> dict[str, Any]:
    out: dict[str, Any] = {"description": status}
    if schema is not None:
        out.update(json_body(schema))
    if headers:
        out["headers"] = headers
    return out


def op(*responses: tuple[str, dict[str, Any]], params: list[Any] | None = None,
       body: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"description": "an operation",
                           "responses": {s: r for s, r in responses}}
    if params:
        out["parameters"] = params
    if body is not None:
        out["requestBody"] = json_body(body)
    out.update(extra)
    return out


def doc(paths: dict[str, dict[str, Any]], schemas: dict[str, Any] | None = None,
        ) -> dict[str, Any]:
    d: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1.0"},
                         "paths": copy.deepcopy(paths)}
    if schemas:
        d["components"] = {"schemas": copy.deepcopy(schemas)}
    return d


def one(path: str, method: str, operation: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return doc({path: {method: operation}}, **kw)


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "additionalProperties": False}


def mv_op(headers: dict[str, Any] | None = MV_HEADERS, params: list[Any] | None = None,
          statuses: tuple[str, ...] = ("200", "400", "406"), **kw: Any) -> dict[str, Any]:
    """A microversioned GET operation (x-openstack bounds) with the given pieces."""
    responses = [(s, resp(s, None, headers if s.startswith("2") else None)) for s in statuses]
    return op(*responses, params=[MV_PARAM] if params is None else params,
              **{"x-openstack": {"min-ver": "1.0", "max-ver": "1.5"}}, **kw)


def schema_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return doc({}, schemas={"Thing": schema})
