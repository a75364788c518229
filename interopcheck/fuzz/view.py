"""The document's view of a microversion: an OpenAPI document resolved for one version.

A microversioned API described by one OpenAPI document marks what exists when with
``x-openstack: {min-ver: "X.Y", max-ver: "X.Y"}`` on operations, parameters,
responses, response headers, schema properties and component schemas, and gives
per-version schemas as a ``oneOf`` tagged ``x-openstack: {discriminator:
microversion}`` whose branches carry their own ranges. :func:`view_at` turns that
into a plain OpenAPI document describing exactly what one version accepts and
sends: operations, parameters, responses and properties outside their range are
dropped, each discriminated ``oneOf`` becomes its one applicable branch (a request
body none of whose branches applies is removed). A plain generator such as
schemathesis can then fuzz that version without false failures.

This works for any major version (``2.5`` < ``2.10``) and for any document that
uses these two conventions; nothing here knows about a particular service.
It is written here rather than taken from a library because no OpenAPI tool knows
the ``x-openstack`` convention.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from interopcheck.microversion import Version, VersionError, parse

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "below_minimum",
    "document_range",
    "in_range",
    "operations",
    "version_range",
    "view_at",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_ABSENT: Any = object()


def _version(value: Any) -> Version | None:
    try:
        return parse(str(value))
    except VersionError:
        return None


def version_range(node: Any) -> tuple[Version | None, Version | None]:
    """The ``x-openstack`` ``min-ver``/``max-ver`` of ``node`` (``None``: open end)."""
    ext = node.get("x-openstack") if isinstance(node, dict) else None
    if not isinstance(ext, dict):
        return None, None
    return _version(ext.get("min-ver")), _version(ext.get("max-ver"))


def in_range(node: Any, version: Version) -> bool:
    """Whether ``node``'s ``x-openstack`` range (if any) includes ``version``."""
    low, high = version_range(node)
    return (low is None or low <= version) and (high is None or version <= high)


def _is_discriminated(schema: Any) -> bool:
    ext = schema.get("x-openstack") if isinstance(schema, dict) else None
    return isinstance(ext, dict) and ext.get("discriminator") == "microversion"


class _Resolver:
    """Resolves schemas of one document for one version."""

    def __init__(self, doc: dict[str, Any], version: Version) -> None:
        self.doc = doc
        self.version = version

    def target(self, ref: str) -> Any:
        node: Any = self.doc
        for part in ref.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def schema(self, schema: Any) -> Any:
        """``schema`` at the version; ``_ABSENT`` when no branch applies."""
        if isinstance(schema, list):
            return [self.schema(s) for s in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema and isinstance(schema["$ref"], str):
            target = self.target(schema["$ref"])
            if _is_discriminated(target):
                return self.schema(target)
            return schema
        if _is_discriminated(schema):
            for branch in schema.get("oneOf", []):
                target = self.target(branch["$ref"]) if "$ref" in branch else branch
                if in_range(target, self.version):
                    return self.schema(branch)
            return _ABSENT
        out: dict[str, Any] = {}
        dropped: set[str] = set()
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                props = {}
                for name, prop in value.items():
                    if in_range(prop, self.version):
                        props[name] = self.schema(prop)
                    else:
                        dropped.add(name)
                out[key] = props
            elif key == "x-openstack":
                continue
            elif isinstance(value, (dict, list)):
                out[key] = self.schema(value)
            else:
                out[key] = value
        if dropped and isinstance(out.get("required"), list):
            out["required"] = [r for r in out["required"] if r not in dropped]
        return out


def _parameter_applies(resolver: _Resolver, parameter: Any, drop_headers: frozenset[str]
                       ) -> bool:
    target = parameter
    if isinstance(parameter, dict) and "$ref" in parameter:
        target = resolver.target(parameter["$ref"])
    if not isinstance(target, dict):
        return True
    if target.get("in") == "header" and str(target.get("name", "")).lower() in drop_headers:
        return False
    return in_range(target, resolver.version)


def view_at(document: dict[str, Any], version: Version,
            drop_headers: tuple[str, ...] = ()) -> dict[str, Any]:
    """``document`` as seen at ``version`` (a new dict; the input is not changed).

    ``drop_headers`` names header parameters to remove (the version and token headers,
    which the run sets itself rather than generating).
    """
    doc = copy.deepcopy(document)
    resolver = _Resolver(doc, version)
    drop = frozenset(h.lower() for h in drop_headers)
    components = doc.get("components") or {}
    for path, item in list((doc.get("paths") or {}).items()):
        if not isinstance(item, dict):
            continue
        if "parameters" in item:
            item["parameters"] = [p for p in item["parameters"]
                                  if _parameter_applies(resolver, p, drop)]
        for method in [m for m in item if m in HTTP_METHODS]:
            op = item[method]
            if not isinstance(op, dict) or not in_range(op, version):
                del item[method]
                continue
            op.pop("x-openstack", None)
            op["parameters"] = [
                {**p, "schema": resolver.schema(p["schema"])} if "schema" in p else p
                for p in op.get("parameters", []) if _parameter_applies(resolver, p, drop)
            ]
            body = op.get("requestBody")
            if isinstance(body, dict) and "$ref" in body:
                body = op["requestBody"] = copy.deepcopy(resolver.target(body["$ref"]))
            if isinstance(body, dict):
                for media_type, media in list(body.get("content", {}).items()):
                    if "schema" not in media:
                        continue
                    resolved = resolver.schema(media["schema"])
                    if resolved is _ABSENT:
                        del body["content"][media_type]
                    else:
                        media["schema"] = resolved
                if not body.get("content"):
                    del op["requestBody"]
            for status, response in list(op.get("responses", {}).items()):
                if isinstance(response, dict) and "$ref" in response:
                    response = op["responses"][status] = copy.deepcopy(
                        resolver.target(response["$ref"]))
                if not in_range(response, version):
                    del op["responses"][status]
                    continue
                response.pop("x-openstack", None)
                headers = response.get("headers") or {}
                response["headers"] = {
                    name: header for name, header in headers.items()
                    if in_range(resolver.target(header["$ref"]) if "$ref" in header else header,
                                version)
                }
                if not response["headers"]:
                    del response["headers"]
                for media in (response.get("content") or {}).values():
                    if "schema" in media:
                        resolved = resolver.schema(media["schema"])
                        media["schema"] = {} if resolved is _ABSENT else resolved
        if not any(m in item for m in HTTP_METHODS):
            del doc["paths"][path]
    schemas = components.get("schemas") or {}
    resolved_schemas: dict[str, Any] = {}
    for name, schema in schemas.items():
        resolved = resolver.schema(schema) if in_range(schema, version) else _ABSENT
        # another version's branch: nothing at this version refers to it any more
        resolved_schemas[name] = {} if resolved is _ABSENT else resolved
    if schemas:
        components["schemas"] = resolved_schemas
    for header in (components.get("headers") or {}).values():
        if isinstance(header, dict):
            header.pop("x-openstack", None)
    return doc


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the whole document, with its version range."""

    method: str
    path: str
    operation_id: str | None
    min_version: Version | None
    max_version: Version | None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def exists_at(self, version: Version) -> bool:
        return in_range({"x-openstack": {
            **({"min-ver": str(self.min_version)} if self.min_version else {}),
            **({"max-ver": str(self.max_version)} if self.max_version else {}),
        }}, version)


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    """Every operation of the document (all versions), in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                low, high = version_range(op)
                yield Operation(method, path, op.get("operationId"), low, high)


def document_range(document: dict[str, Any]) -> tuple[Version, Version] | None:
    """The lowest and highest version the document mentions (``info.version`` included)."""
    found: list[Version] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            low, high = version_range(node)
            found.extend(v for v in (low, high) if v is not None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document.get("paths"))
    walk(document.get("components"))
    info_version = _version((document.get("info") or {}).get("version"))
    if info_version is not None:
        found.append(info_version)
    if not found:
        return None
    return min(found), max(found)


def below_minimum(operation: Operation, lowest: Version) -> Version | None:
    """The version just below ``operation``'s minimum, when that is at or above ``lowest``."""
    low = operation.min_version
    if low is None or low.minor == 0 or low <= lowest:
        return None
    below = Version(low.major, low.minor - 1)
    return below if below >= lowest else None
