"""refcloud's OpenAPI document (``openapi.yaml``) and its per-microversion views.

The document spans every microversion: ``x-openstack`` ``min-ver``/``max-ver``
mark operations, responses, parameters, properties and the per-version schemas
of a ``oneOf`` with ``x-openstack: {discriminator: microversion}``.
``at_version`` resolves all of that for one microversion, giving a plain
OpenAPI document that describes exactly what that version accepts and sends
(what schemathesis and ``interopcheck check`` test against).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).with_name("openapi.yaml")

_ABSENT = object()


@lru_cache(maxsize=1)
def _load() -> dict:
    with PATH.open() as fh:
        return yaml.safe_load(fh)


def load() -> dict:
    """The whole document (a fresh copy)."""
    return copy.deepcopy(_load())


def _minor(value: str) -> int:
    return int(value.partition(".")[2])


def in_range(node: Any, minor: int) -> bool:
    """Whether ``node``'s ``x-openstack`` range (if any) includes 1.``minor``."""
    if not isinstance(node, dict):
        return True
    ext = node.get("x-openstack")
    if not isinstance(ext, dict):
        return True
    if "min-ver" in ext and minor < _minor(ext["min-ver"]):
        return False
    return not ("max-ver" in ext and minor > _minor(ext["max-ver"]))


def _schema_at(schema: Any, minor: int, schemas: dict) -> Any:
    """Resolve a schema for one version; ``_ABSENT`` when nothing applies."""
    if isinstance(schema, list):
        return [_schema_at(s, minor, schemas) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and len(schema) == 1:
        target = schemas[schema["$ref"].rsplit("/", 1)[1]]
        ext = target.get("x-openstack")
        if isinstance(ext, dict) and ext.get("discriminator") == "microversion":
            return _schema_at(target, minor, schemas)
        return schema
    ext = schema.get("x-openstack")
    if isinstance(ext, dict) and ext.get("discriminator") == "microversion":
        for variant in schema["oneOf"]:
            target = variant
            if "$ref" in variant:
                target = schemas[variant["$ref"].rsplit("/", 1)[1]]
            if in_range(target, minor):
                return _schema_at(variant, minor, schemas)
        return _ABSENT
    out: dict[str, Any] = {}
    dropped: set[str] = set()
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            props = {}
            for name, prop in value.items():
                if in_range(prop, minor):
                    props[name] = _schema_at(prop, minor, schemas)
                else:
                    dropped.add(name)
            out[key] = props
        elif isinstance(value, (dict, list)) and key != "x-openstack":
            out[key] = _schema_at(value, minor, schemas)
        else:
            out[key] = value
    if dropped and "required" in out:
        out["required"] = [r for r in out["required"] if r not in dropped]
    return out


def at_version(minor: int, doc: dict | None = None) -> dict:
    """The document as seen at microversion 1.``minor``.

    Operations, responses, parameters and properties outside their range are
    dropped; version ``oneOf``s become their one applicable variant (a request
    body with none, e.g. PUT /resource_classes/{name} from 1.7, is removed).
    """
    doc = copy.deepcopy(doc if doc is not None else _load())
    schemas = doc["components"]["schemas"]
    for path, item in list(doc["paths"].items()):
        for method, op in list(item.items()):
            if not isinstance(op, dict) or "responses" not in op:
                continue
            if not in_range(op, minor):
                del item[method]
                continue
            op["parameters"] = [
                {**p, "schema": _schema_at(p["schema"], minor, schemas)} if "schema" in p
                else p
                for p in op.get("parameters", [])
                if in_range(p, minor)
            ]
            body = op.get("requestBody")
            if body is not None:
                media = body["content"]["application/json"]
                resolved = _schema_at(media["schema"], minor, schemas)
                if resolved is _ABSENT:
                    del op["requestBody"]
                else:
                    media["schema"] = resolved
            for status, resp in list(op["responses"].items()):
                if not in_range(resp, minor):
                    del op["responses"][status]
                    continue
                resp["headers"] = {
                    name: h for name, h in resp.get("headers", {}).items()
                    if in_range(doc["components"]["headers"].get(
                        h.get("$ref", "").rsplit("/", 1)[-1], h), minor)
                }
                for media in resp.get("content", {}).values():
                    media["schema"] = _schema_at(media["schema"], minor, schemas)
        if not any(isinstance(op, dict) and "responses" in op for op in item.values()):
            del doc["paths"][path]
    resolved_schemas = {}
    for name, schema in schemas.items():
        resolved = _schema_at(schema, minor, schemas) if in_range(schema, minor) else _ABSENT
        # a variant of another version: nothing refers to it any more
        resolved_schemas[name] = {} if resolved is _ABSENT else resolved
    doc["components"]["schemas"] = resolved_schemas
    return doc
