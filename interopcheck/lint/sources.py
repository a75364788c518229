"""OpenAPI document -> targets (Operation, Parameter, Schema, ApiDocument).

Microversion-aware: ``x-openstack: {min-ver, max-ver}`` on operations (as OpenStack's
codegenerator writes them) gives each Operation its version range; the ApiDocument gets the
API's overall range (from those bounds and ``info.version`` when it is an ``X.Y``).
Every schema reachable from the document is yielded once, whichever ``$ref`` path reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from interopcheck.lint.loader import SourceFile
from interopcheck.rules.targets import (
    ApiDocument,
    Node,
    Operation,
    Parameter,
    Response,
    Schema,
    escape,
)

__all__ = ["HTTP_METHODS", "MV_RE", "api_document", "parse_mv", "version_range"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MV_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else",
                  "propertyNames", "unevaluatedProperties")
_SUBSCHEMA_KEYS = frozenset(_SUBSCHEMA_MAPS + _SUBSCHEMA_LISTS + _SUBSCHEMA_ONE)
_SUBSCHEMA_RANK = {k: i for i, k in enumerate(_SUBSCHEMA_MAPS + _SUBSCHEMA_LISTS + _SUBSCHEMA_ONE)}


def parse_mv(value: Any) -> tuple[int, int] | None:
    m = MV_RE.match(str(value)) if value is not None else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def version_range(value: Any) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(min, max) from a node's ``x-openstack`` extension."""
    ext = value.get("x-openstack") if isinstance(value, dict) else None
    if not isinstance(ext, dict):
        return None, None
    return parse_mv(ext.get("min-ver")), parse_mv(ext.get("max-ver"))


def _json_content(content: Any) -> tuple[str | None, Any]:
    if not isinstance(content, dict) or not content:
        return None, None
    for media in ("application/json",):
        if media in content:
            return media, content[media]
    for media, value in content.items():
        if "json" in str(media):
            return media, value
    media = next(iter(content))
    return media, content[media]


def _schema_of(node: Node) -> tuple[str | None, Node | None]:
    content = node.get("content")
    if content is None:
        return None, None
    media, value = _json_content(content.value)
    if media is None or not isinstance(value, dict) or "schema" not in value:
        return media, None
    return media, content.child(media, "schema").deref()


_Parts = tuple[dict[str, Node], "str | None", "Node | None"]


def _response(status: str, node: Node, memo: dict[tuple[int, str], _Parts],
              op: Operation) -> Response:
    if isinstance(node.value, dict) and "$ref" in node.value:
        node = node.deref()
    value = node.value if isinstance(node.value, dict) else {}
    # a response object shared through $ref (Graph: one error response, 22,000 operations)
    # is read once; each Response gets its own headers dict
    key = (id(node.source), node.pointer)
    parts = memo.get(key)
    if parts is None:
        heads: dict[str, Node] = {}
        headers = node.get("headers")
        if headers is not None and isinstance(headers.value, dict):
            for name in headers.value:
                heads[str(name).lower()] = headers.child(name).deref()
        parts = memo[key] = (heads, *_schema_of(node))
    return Response(status, node.source, node.pointer, value, dict(parts[0]), parts[2],
                    parts[1], op)


_VERSION_HEADER = ("openstack-api-version", "header")


def _parameters(nodes: list[Node], op: Operation) -> tuple[list[Parameter], bool]:
    """The operation's parameters (a later one replaces an earlier one of the same name and
    place), and whether one is the OpenStack-API-Version header."""
    seen: dict[tuple[str, str], Parameter] = {}
    for raw in nodes:
        n = raw.deref() if isinstance(raw.value, dict) and "$ref" in raw.value else raw
        value = n.value
        if not isinstance(value, dict) or "name" not in value:
            continue
        name, where = str(value["name"]), str(value.get("in", ""))
        seen[(name.lower() if where == "header" else name, where)] = Parameter(
            n.source, n.pointer, name, where, value, op)
    return list(seen.values()), _VERSION_HEADER in seen


def _items(node: Node | None) -> list[Node]:
    """A Node per item of a list node (none if it is not a list)."""
    if node is None or not isinstance(node.value, list):
        return []
    src, base = node.source, node.pointer + "/"
    return [Node(src, base + str(i), v) for i, v in enumerate(node.value)]


def api_document(root: SourceFile) -> ApiDocument:
    """Build the ApiDocument with its Operations (parameters, responses, request body)."""
    data = root.data if isinstance(root.data, dict) else {}
    api = ApiDocument(root, "", data)
    paths = root.node("").get("paths")
    versions: list[tuple[int, int]] = []
    memo: dict[tuple[int, str], _Parts] = {}
    if paths is not None and isinstance(paths.value, dict):
        for path in paths.value:
            item = paths.child(path).deref()
            if not isinstance(item.value, dict):
                continue
            shared = item.get("parameters")
            shared_nodes = _items(shared)
            methods = item.value
            for method in HTTP_METHODS:
                if method not in methods or not isinstance(methods[method], dict):
                    continue
                opn = Node(item.source, f"{item.pointer}/{method}", methods[method])
                op, version_header = _operation(str(path), method, opn, shared_nodes, api,
                                                memo)
                api.operations.append(op)
                if op.min_version is not None or op.max_version is not None:
                    versions.extend(v for v in (op.min_version, op.max_version) if v)
                if version_header:
                    api.microversioned = True
    if versions:
        api.microversioned = True
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    info_version = parse_mv(info.get("version"))
    if api.microversioned:
        if info_version:
            versions.append(info_version)
        if versions:
            api.min_version, api.max_version = min(versions), max(versions)
    ext = data.get("x-openstack")
    if isinstance(ext, dict):
        api.service_type = ext.get("service-type") or ext.get("service_type")
    return api


def _operation(path: str, method: str, opn: Node, shared: list[Node],
               api: ApiDocument, memo: dict[tuple[int, str], _Parts],
               ) -> tuple[Operation, bool]:
    """The Operation, and whether it declares the OpenStack-API-Version header."""
    value = opn.value
    op = Operation(path, method, opn.source, opn.pointer, value, api=api)
    if "x-openstack" in value:
        op.min_version, op.max_version = version_range(value)
    params = opn.get("parameters")
    own = _items(params)
    op.parameters, version_header = _parameters(shared + own if shared else own, op)
    body = opn.get("requestBody")
    if body is not None:
        op.request_media, op.request_schema = _schema_of(body.deref())
    responses = opn.get("responses")
    if responses is not None and isinstance(responses.value, dict):
        src, base = responses.source, responses.pointer + "/"
        for status, rvalue in responses.value.items():
            st = str(status)
            op.responses[st] = _response(st, Node(src, base + escape(st), rvalue), memo, op)
    return op, version_header


def _is_action(op: Operation) -> bool:
    segs = [s for s in op.path.split("/") if s]
    return op.method == "post" and len(segs) >= 2 and segs[-1] == "action" \
        and segs[-2].startswith("{")


_Root = tuple[Any, str, Any, "str | None", "str | None"]  # file, pointer, value, name, role


def _schema_roots(api: ApiDocument) -> list[_Root]:
    out: list[_Root] = []
    add = out.append
    for op in api.operations:  # operation roots first: they know the role of their schemas
        body = op.request_schema
        if body is not None:
            add((body.source, body.pointer, body.value, None,
                 "action-body" if _is_action(op) else None))
        for resp in op.responses.values():
            schema = resp.schema
            if schema is not None:
                add((schema.source, schema.pointer, schema.value, None, None))
        for p in op.parameters:
            value = p.value.get("schema")
            if isinstance(value, dict):
                add((p.source, p.pointer + "/schema", value, p.name, None))
    root = api.source.node("")
    comps = root.get("components")
    if comps is not None and isinstance(comps.value, dict):
        schemas = comps.get("schemas")
        if schemas is not None and isinstance(schemas.value, dict):
            base = schemas.pointer + "/"
            for name, value in schemas.value.items():
                add((schemas.source, base + escape(name), value, None, None))
    return out


def iter_schemas(api: ApiDocument) -> Iterator[Schema]:
    """Every schema object reachable from the document, once each (by file + pointer).

    The stack holds (file, pointer, value, name, role): a Node is made only for a schema
    that is new (most roots are shared ones, seen already) or to follow a ``$ref``."""
    seen: set[tuple[int, str]] = set()
    stack = _schema_roots(api)
    stack.reverse()
    push, pop = stack.append, stack.pop
    while stack:
        src, ptr, value, name, role = pop()
        if not isinstance(value, dict):
            continue
        if "$ref" in value:
            node = Node(src, ptr, value).deref()
            src, ptr, value = node.source, node.pointer, node.value
            if not isinstance(value, dict):
                continue
        key = (id(src), ptr)
        if key in seen:
            continue
        seen.add(key)
        yield Schema(src, ptr, value, name, Node(src, ptr, value), role)
        present = _SUBSCHEMA_KEYS.intersection(value)  # most schemas have none: one C call
        if not present:
            continue
        # in the order of _SUBSCHEMA_ORDER, as the stack always took them
        for k in sorted(present, key=_SUBSCHEMA_RANK.__getitem__) if len(present) > 1 \
                else present:
            sub = value[k]
            if k in _SUBSCHEMA_MAPS:
                if isinstance(sub, dict):
                    base = f"{ptr}/{k}/"
                    pname_kept = k == "properties"
                    for pname, pval in sub.items():
                        if isinstance(pval, dict):
                            push((src, base + escape(pname), pval,
                                  pname if pname_kept else None, None))
            elif k in _SUBSCHEMA_LISTS:
                if isinstance(sub, list):
                    sub_role = role if k != "prefixItems" else None
                    for i, pval in enumerate(sub):
                        if isinstance(pval, dict):
                            push((src, f"{ptr}/{k}/{i}", pval, name, sub_role))
            elif isinstance(sub, dict):
                push((src, f"{ptr}/{k}", sub, None, None))
