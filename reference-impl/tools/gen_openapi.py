"""Generate refcloud's OpenAPI 3.1 document (``refcloud/openapi.yaml``).

The document is driven by refcloud itself, so it cannot drift from what is served:
the operations are the route table (``refcloud.placement.routes.ROUTES``; every
route must be described here and every description routed), an operation's lowest
microversion is its handler's (``microversion.version_handler``), and every version
is a name from ``refcloud.microversion``. Request bodies and query parameters come
from the version-to-schema tables the handlers use (``refcloud.placement.schemas``);
a query parameter's first version is the first schema of its table that has it.
Response schemas are written here from the responses refcloud (and real Placement)
send.

Microversions follow the convention of gtema's OpenStack spec generator:
``x-openstack: {min-ver: '1.14', max-ver: '1.36'}`` on operations, responses,
parameters, properties and per-version schemas; a body that differs by version
is a ``oneOf`` of per-version component schemas under
``x-openstack: {discriminator: microversion}``.

Usage::

    python reference-impl/tools/gen_openapi.py          # (re)write the YAML
    python reference-impl/tools/gen_openapi.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import copy
import importlib
import pkgutil
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import refcloud.placement.schemas
import yaml
from refcloud import microversion as mv
from refcloud.placement.routes import ROUTES
from refcloud.routing import Routes

#: Every module of ``refcloud.placement.schemas``, by name (``schemas.trait``...).
schemas = SimpleNamespace(**{
    info.name: importlib.import_module(f"{refcloud.placement.schemas.__name__}.{info.name}")
    for info in pkgutil.iter_modules(refcloud.placement.schemas.__path__)
})

OUTPUT = Path(__file__).resolve().parents[1] / "refcloud" / "openapi.yaml"
MAX = mv.MAX_VERSION

Schema = dict[str, Any]
Version = mv.Version
#: A version range ``(first, last)``; ``last`` None: up to the newest.
Range = tuple[Version, Version | None]


def xo(first: Version | None = None, last: Version | None = None) -> dict:
    """The ``x-openstack`` extension for a version range (absent ends omitted)."""
    ext: dict[str, str] = {}
    if first is not None:
        ext["min-ver"] = str(first)
    if last is not None:
        ext["max-ver"] = str(last)
    return {"x-openstack": ext}


def until(version: Version) -> Range:
    """From the first version up to the one before ``version``."""
    return mv.BASE, mv.previous(version)


class Doc:
    """Accumulates components while operations are described."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        self.paths: dict[str, dict] = {}

    def schema(self, name: str, body: Schema) -> Schema:
        self.schemas[name] = body
        return {"$ref": f"#/components/schemas/{name}"}

    def versioned(self, name: str, table: mv.Table[Schema | None]) -> Schema:
        """A oneOf of per-version schemas ``Name_1NN`` with their ranges.

        ``table`` is a version-to-schema table (``((since, schema), ...)``); a None
        schema ends the previous one without a successor.
        """
        refs = []
        seen: dict[tuple[str, ...], Version] = {}
        first = table[0][0]
        for lo, hi, body in mv.ranges(table):
            if body is None:
                continue
            item = clean(body)
            _mark_new_fields(item, (), lo, first, seen)
            item.update(xo(lo, hi))
            refs.append(self.schema(f"{name}_{schema_suffix(lo)}", item))
        return self.schema(
            name, {"oneOf": refs, "x-openstack": {"discriminator": "microversion"}}
        )


def schema_suffix(version: Version) -> str:
    """``1.14`` -> ``114``, ``1.0`` -> ``100`` (component names of per-version schemas)."""
    return f"{version.major}{version.minor:02d}"


def _mark_new_fields(schema: Any, path: tuple[str, ...], lo: Version, first: Version,
                     seen: dict[tuple[str, ...], Version]) -> None:
    """Give each field that a later variant adds its ``x-openstack`` ``min-ver``."""
    if not isinstance(schema, dict):
        return
    for key in ("properties", "patternProperties"):
        for name, sub in (schema.get(key) or {}).items():
            where = (*path, key, name)
            seen.setdefault(where, lo)
            if (seen[where] > first and isinstance(sub, dict) and "x-openstack" not in sub
                    and key == "properties"):
                sub.update(xo(seen[where]))
                note = f"**New in version {seen[where]}**"
                sub["description"] = (sub.get("description", "") + "\n\n" + note).strip()
            _mark_new_fields(sub, where, lo, first, seen)
    for key in ("items", "additionalProperties"):
        _mark_new_fields(schema.get(key), (*path, key), lo, first, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key) or []):
            _mark_new_fields(sub, (*path, key, str(i)), lo, first, seen)


def since(schema: Schema, version: Version) -> Schema:
    """Annotate a property with the version it appears in."""
    out = copy.deepcopy(schema)
    out.update(xo(version))
    out["description"] = (out.get("description", "") + f"\n\n**New in version {version}**").strip()
    return out


def obj(props: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    out: Schema = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    out.update(extra)
    return out


def clean(schema: Any) -> Any:
    """Deep copy of a refcloud JSON-Schema constant (tuples to lists)."""
    if isinstance(schema, dict):
        return {k: clean(v) for k, v in schema.items()}
    if isinstance(schema, (list, tuple)):
        return [clean(v) for v in schema]
    return schema


# --- shared response pieces ------------------------------------------------

UUID: Schema = {"type": "string", "format": "uuid"}
GENERATION: Schema = {"type": "integer", "description": "The resource provider generation."}
LINKS: Schema = {
    "type": "array",
    "items": obj({"rel": {"type": "string"}, "href": {"type": "string"}}, ["rel", "href"]),
}
RP_LINKS: Schema = copy.deepcopy(LINKS)
RP_LINKS["description"] = (
    f"Links: self, inventories, usages; aggregates from {mv.AGGREGATES}, traits from "
    f"{mv.TRAITS}, allocations from {mv.ALLOCATIONS_LINK}."
)
INVENTORY_FIELDS: dict[str, Schema] = {
    "total": {"type": "integer"},
    "reserved": {"type": "integer"},
    "min_unit": {"type": "integer"},
    "max_unit": {"type": "integer"},
    "step_size": {"type": "integer"},
    "allocation_ratio": {"type": "number"},
}
INVENTORY_REQUIRED = list(INVENTORY_FIELDS)
RC_AMOUNTS: Schema = {"type": "object", "additionalProperties": {"type": "integer"}}


def error_response(doc: Doc) -> Schema:
    """The API-SIG errors format (``code`` from ``mv.ERROR_CODES``)."""
    item = obj(
        {
            "status": {"type": "integer"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "code": since({"type": "string"}, mv.ERROR_CODES),
            "request_id": {"type": "string"},
            "min_version": {
                "type": "string",
                "description": "Only on a 406 for an unsupported microversion.",
            },
            "max_version": {
                "type": "string",
                "description": "Only on a 406 for an unsupported microversion.",
            },
        },
        ["status", "title", "detail"],
    )
    return doc.schema(
        "ErrorResponse",
        obj(
            {"errors": {"type": "array", "minItems": 1, "items": item}},
            ["errors"],
            description="API-SIG errors format",
        ),
    )


ERROR_TEXT = {
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "405": "Method Not Allowed",
    "406": "Not Acceptable (Accept header, or an unsupported microversion)",
    "409": "Conflict",
    "415": "Unsupported Media Type",
}


class Builder:
    def __init__(self) -> None:
        self.doc = Doc()
        self.error_ref = error_response(self.doc)
        self.described: dict[tuple[str, str], dict[str, Any]] = {}

    # -- responses -----------------------------------------------------------

    def headers(self, status: str, cached: bool | str) -> dict:
        """Response headers; ``cached="unless-empty"``: Last-Modified only when there is a
        record to date it by (an inventory list: Placement omits it when empty)."""
        h: dict[str, Any] = {
            "OpenStack-API-Version": {"$ref": "#/components/headers/ServedVersion"},
            "x-openstack-request-id": {"$ref": "#/components/headers/RequestId"},
        }
        if status[0] == "2":
            h["Vary"] = {"$ref": "#/components/headers/Vary"}
        if cached:
            name = "LastModifiedUnlessEmpty" if cached == "unless-empty" else "LastModified"
            h["Last-Modified"] = {"$ref": f"#/components/headers/{name}"}
            h["Cache-Control"] = {"$ref": "#/components/headers/CacheControl"}
        return h

    def ok(
        self,
        status: str,
        body: Schema | None,
        *,
        cached: bool | str = False,
        location: bool = False,
        vrange: Range | None = None,
        description: str = "Ok",
        links: dict | None = None,
    ) -> dict:
        resp: dict[str, Any] = {"description": description}
        headers = self.headers(status, cached)
        if location:
            name = "CreatedLocation" if status == "201" else "Location"
            headers["Location"] = {"$ref": f"#/components/headers/{name}"}
        resp["headers"] = headers
        if body is not None:
            resp["content"] = {"application/json": {"schema": body}}
        if links:
            resp["links"] = links
        if vrange:
            resp.update(xo(*vrange))
        return resp

    def err(self, status: str) -> dict:
        return {
            "description": ERROR_TEXT[status],
            "headers": {
                "OpenStack-API-Version": {"$ref": "#/components/headers/OpenStackAPIVersion"},
                "x-openstack-request-id": {"$ref": "#/components/headers/RequestId"},
            },
            "content": {"application/json": {"schema": self.error_ref}},
        }

    # -- operations ----------------------------------------------------------

    def op(self, path: str, method: str, op_id: str, summary: str,
           responses: dict[str, dict], **details: Any) -> None:
        """Describe the operation routed at ``path``/``method`` (emitted by ``emit``)."""
        key = (path, method)
        if key in self.described:
            raise SystemExit(f"gen_openapi: {method} {path} is described twice")
        self.described[key] = {"op_id": op_id, "summary": summary, "responses": responses,
                               **details}

    def emit(self, routes: Routes) -> None:
        """Every routed operation (in the order described) at its handler's versions."""
        routed = {(path, method) for path, methods in routes.items() for method in methods
                  if path != ""}  # "" is "/" without its slash
        for missing in sorted(routed - set(self.described)):
            raise SystemExit(f"gen_openapi: route {missing[1]} {missing[0]} is not described")
        for stray in sorted(set(self.described) - routed):
            raise SystemExit(f"gen_openapi: {stray[1]} {stray[0]} is described but not routed")
        for (path, method), details in self.described.items():
            self._emit(path, method, mv.min_version_of(routes[path][method]), **details)

    def _emit(
        self,
        path: str,
        method: str,
        first: Version,
        *,
        op_id: str,
        summary: str,
        responses: dict[str, dict],
        errors: tuple[str, ...] = (),
        body: Schema | None = None,
        body_required: bool = True,
        query: list[dict] | None = None,
        tag: str,
        auth: bool = True,
        policy: str | None = None,
    ) -> None:
        item = self.doc.paths.setdefault(path, {})
        params: list[dict] = [{"$ref": "#/components/parameters/OpenStackAPIVersion"}]
        for name in ("uuid", "consumer_uuid", "resource_class", "name"):
            if "{" + name + "}" in path:
                params.append({"$ref": f"#/components/parameters/path_{name}"})
        params.extend(_at_least(param, first) for param in query or [])
        all_errors = ["400", "406", *errors]
        if auth:
            all_errors += ["401", "403"]
        if first > mv.BASE and "404" not in all_errors and "405" not in all_errors:
            all_errors.append("404")  # below the operation's minimum
        if body is not None:
            all_errors.append("415")
        resps = dict(responses)
        for status in sorted(set(all_errors)):
            resps.setdefault(status, self.err(status))
        operation: dict[str, Any] = {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "parameters": params,
        }
        if body is not None:
            operation["requestBody"] = {
                "required": body_required,
                "content": {"application/json": {"schema": body}},
            }
        operation["responses"] = dict(sorted(resps.items()))
        if not auth:
            operation["security"] = []
        if policy:
            operation["description"] = f"Policy: `{policy}`."
        operation.update(xo(first))
        item[method.lower()] = operation


_FIRST = "_first"  # a query parameter's first version, until its operation's is known


def _at_least(param: dict, first: Version) -> dict:
    """A query parameter, annotated with its first version (not before its operation's)."""
    out = dict(param)
    version = max(out.pop(_FIRST), first)
    if version > mv.BASE:
        out.update(xo(version))
    return out


def first_version(table: mv.Table[Schema], name: str) -> Version:
    """The first version whose query schema in ``table`` has the parameter ``name``."""
    for version, schema in table:
        if name in schema.get("properties", {}) or any(
            re.match(pattern, name) for pattern in schema.get("patternProperties", {})
        ):
            return version
    raise SystemExit(f"gen_openapi: no schema in its table has the query parameter {name!r}")


def qparam(name: str, schema: Schema, table: mv.Table[Schema], *, required: bool = False,
           description: str = "") -> dict:
    param: dict[str, Any] = {"name": name, "in": "query", "required": required}
    if description:
        param["description"] = description
    param["schema"] = clean(schema)
    param[_FIRST] = first_version(table, name)
    return param


def query_params(table: mv.Table[Schema], required: frozenset[str] = frozenset(),
                 descriptions: dict[str, str] | None = None) -> list[dict]:
    """Query parameters from a refcloud version-to-query-schema table (its newest schema)."""
    descriptions = descriptions or {}
    return [
        qparam(name, prop, table, required=name in required,
               description=descriptions.get(name, ""))
        for name, prop in table[-1][1]["properties"].items()
    ]


def build() -> dict:
    b = Builder()
    d = b.doc

    # ---- root ----------------------------------------------------------------
    version = obj(
        {
            "id": {"type": "string"},
            "min_version": {"type": "string"},
            "max_version": {"type": "string"},
            "status": {"type": "string", "enum": ["CURRENT"]},
            "links": copy.deepcopy(LINKS),
        },
        ["id", "min_version", "max_version", "status", "links"],
    )
    root = d.schema(
        "RootResponse",
        obj({"versions": {"type": "array", "items": version}}, ["versions"]),
    )
    b.op("/", "GET", "root:get", "List versions", {"200": b.ok("200", root, cached=True)},
         tag="version", auth=False)

    # ---- resource providers ------------------------------------------------
    rp_base = {"uuid": UUID, "name": {"type": "string"}, "generation": {"type": "integer"},
               "links": RP_LINKS}
    rp_114 = dict(rp_base)
    rp_114["parent_provider_uuid"] = since({"type": ["string", "null"], "format": "uuid"},
                                           mv.NESTED_PROVIDERS)
    rp_114["root_provider_uuid"] = since(UUID, mv.NESTED_PROVIDERS)
    rp_shapes = ((mv.BASE, obj(rp_base, list(rp_base))),
                 (mv.NESTED_PROVIDERS, obj(rp_114, list(rp_114))))
    provider = d.versioned("ResourceProvider", rp_shapes)
    rp_list = d.versioned("ResourceProvidersList", [
        (lo, obj({"resource_providers": {"type": "array", "items": {
            "$ref": f"#/components/schemas/ResourceProvider_{schema_suffix(lo)}"}}},
            ["resource_providers"]))
        for lo, _shape in rp_shapes
    ])
    b.op(
        "/resource_providers", "GET", "resource_providers:get", "List resource providers",
        {"200": b.ok("200", rp_list, cached=True)},
        query=query_params(
            schemas.resource_provider.GET_RPS_SCHEMAS,
            descriptions={
                "member_of": f"`<agg>` or `in:<a>,<b>`; repeatable from {mv.MULTI_MEMBER_OF}; "
                f"`!`/`!in:` from {mv.FORBIDDEN_AGGREGATES}.",
                "resources": "`RC:amount,...` capacity filter.",
                "required": f"Traits; `!TRAIT` from {mv.FORBIDDEN_TRAITS}; `in:` and repeats "
                f"from {mv.ANY_TRAITS}.",
            },
        ),
        tag="resource_providers", policy="placement:resource_providers:list",
    )
    rp_links = {
        name: {"operationId": op_id, "parameters": {"uuid": "$response.body#/uuid"}}
        for name, op_id in (
            ("GetResourceProvider", "resource_providers/uuid:get"),
            ("UpdateResourceProvider", "resource_providers/uuid:put"),
            ("GetInventories", "resource_providers/uuid/inventories:get"),
            ("SetInventories", "resource_providers/uuid/inventories:put"),
            ("CreateInventory", "resource_providers/uuid/inventories:post"),
            ("GetUsages", "resource_providers/uuid/usages:get"),
            ("GetAggregates", "resource_providers/uuid/aggregates:get"),
            ("SetAggregates", "resource_providers/uuid/aggregates:put"),
            ("GetAllocations", "resource_providers/uuid/allocations:get"),
            ("GetTraits", "resource_providers/uuid/traits:get"),
            ("SetTraits", "resource_providers/uuid/traits:put"),
            ("DeleteResourceProvider", "resource_providers/uuid:delete"),
        )
    }
    b.op(
        "/resource_providers", "POST", "resource_providers:post", "Create resource provider",
        {
            "201": b.ok("201", None, location=True, vrange=until(mv.CREATE_RETURNS_PROVIDER)),
            "200": b.ok("200", provider, cached=True, location=True,
                        vrange=(mv.CREATE_RETURNS_PROVIDER, None),
                        links=rp_links),
        },
        errors=("409",),
        body=d.versioned("ResourceProviderCreateRequest",
                         schemas.resource_provider.POST_RP_SCHEMAS),
        tag="resource_providers", policy="placement:resource_providers:create",
    )
    rp = "/resource_providers/{uuid}"
    b.op(rp, "GET", "resource_providers/uuid:get", "Show resource provider",
         {"200": b.ok("200", provider, cached=True)}, errors=("404",),
         tag="resource_providers", policy="placement:resource_providers:show")
    b.op(
        rp, "PUT", "resource_providers/uuid:put", "Update resource provider",
        {"200": b.ok("200", provider, cached=True)}, errors=("404", "409"),
        body=d.versioned("ResourceProviderUpdateRequest", schemas.resource_provider.PUT_RP_SCHEMAS),
        tag="resource_providers", policy="placement:resource_providers:update",
    )
    b.op(rp, "DELETE", "resource_providers/uuid:delete", "Delete resource provider",
         {"204": b.ok("204", None)}, errors=("404", "409"),
         tag="resource_providers", policy="placement:resource_providers:delete")

    # ---- inventories -------------------------------------------------------
    inv_record = d.schema("Inventory", obj(INVENTORY_FIELDS, INVENTORY_REQUIRED))
    inventories = d.schema(
        "InventoriesResponse",
        obj(
            {"resource_provider_generation": GENERATION,
             "inventories": {"type": "object", "additionalProperties": inv_record}},
            ["resource_provider_generation", "inventories"],
        ),
    )
    single_fields = dict(INVENTORY_FIELDS)
    single_fields["resource_provider_generation"] = GENERATION
    single = d.schema("InventoryResponse", obj(single_fields, list(single_fields)))
    inv = "/resource_providers/{uuid}/inventories"
    tag = "resource_provider_inventories"
    b.op(inv, "GET", "resource_providers/uuid/inventories:get", "List inventories",
         {"200": b.ok("200", inventories, cached="unless-empty")}, errors=("404",), tag=tag,
         policy="placement:resource_providers:inventories:list")
    b.op(inv, "POST", "resource_providers/uuid/inventories:post", "Create one inventory",
         {"201": b.ok("201", single, cached=True, location=True)}, errors=("404", "409"),
         body=d.schema("InventoryCreateRequest", clean(schemas.inventory.POST_INVENTORY_SCHEMA)),
         tag=tag, policy="placement:resource_providers:inventories:create")
    b.op(inv, "PUT", "resource_providers/uuid/inventories:put", "Replace inventories",
         {"200": b.ok("200", inventories, cached="unless-empty")}, errors=("404", "409"),
         body=d.schema("InventoriesUpdateRequest", clean(schemas.inventory.PUT_INVENTORY_SCHEMA)),
         tag=tag, policy="placement:resource_providers:inventories:update")
    b.op(inv, "DELETE", "resource_providers/uuid/inventories:delete", "Delete all inventories",
         {"204": b.ok("204", None),
          "405": {**b.err("405"),
                  "description": f"Method Not Allowed (below {mv.DELETE_ALL_INVENTORIES})"}},
         errors=("404", "409"), tag=tag,
         policy="placement:resource_providers:inventories:delete")
    inv1 = inv + "/{resource_class}"
    b.op(inv1, "GET", "resource_providers/uuid/inventories/resource_class:get",
         "Show one inventory", {"200": b.ok("200", single, cached=True)}, errors=("404",),
         tag=tag, policy="placement:resource_providers:inventories:show")
    b.op(inv1, "PUT", "resource_providers/uuid/inventories/resource_class:put",
         "Update one inventory", {"200": b.ok("200", single, cached=True)},
         errors=("404", "409"),
         body=d.schema("InventoryUpdateRequest", clean(schemas.inventory.BASE_INVENTORY_SCHEMA)),
         tag=tag, policy="placement:resource_providers:inventories:update")
    b.op(inv1, "DELETE", "resource_providers/uuid/inventories/resource_class:delete",
         "Delete one inventory", {"204": b.ok("204", None)}, errors=("404", "409"),
         tag=tag, policy="placement:resource_providers:inventories:delete")

    # ---- per-provider usages ----------------------------------------------
    b.op(
        "/resource_providers/{uuid}/usages", "GET", "resource_providers/uuid/usages:get",
        "List provider usages",
        {"200": b.ok("200", d.schema("ResourceProviderUsagesResponse", obj(
            {"resource_provider_generation": GENERATION, "usages": RC_AMOUNTS},
            ["resource_provider_generation", "usages"])), cached=True)},
        errors=("404",), tag="resource_provider_usages",
        policy="placement:resource_providers:usages",
    )

    # ---- aggregates --------------------------------------------------------
    agg_list: Schema = {"type": "array", "items": UUID}
    aggs = d.versioned(
        "AggregatesResponse",
        [(mv.AGGREGATES, obj({"aggregates": agg_list}, ["aggregates"])),
         (mv.AGGREGATES_GENERATION, obj(
             {"aggregates": agg_list,
              "resource_provider_generation": since(GENERATION, mv.AGGREGATES_GENERATION)},
             ["aggregates", "resource_provider_generation"]))],
    )
    agg = "/resource_providers/{uuid}/aggregates"
    b.op(agg, "GET", "resource_providers/uuid/aggregates:get", "List provider aggregates",
         {"200": b.ok("200", aggs, cached=True)}, errors=("404",),
         tag="resource_provider_aggregates", policy="placement:resource_providers:aggregates:list")
    b.op(
        agg, "PUT", "resource_providers/uuid/aggregates:put", "Update provider aggregates",
        {"200": b.ok("200", aggs, cached=True)}, errors=("404", "409"),
        body=d.versioned("AggregatesUpdateRequest", schemas.aggregate.PUT_SCHEMAS),
        tag="resource_provider_aggregates",
        policy="placement:resource_providers:aggregates:update",
    )

    # ---- allocations per provider -----------------------------------------
    rp_alloc = obj({"resources": RC_AMOUNTS}, ["resources"])
    rp_alloc_128 = obj({"resources": RC_AMOUNTS,
                        "consumer_generation": since({"type": "integer"},
                                                     mv.CONSUMER_GENERATIONS)},
                       ["resources", "consumer_generation"])
    b.op(
        "/resource_providers/{uuid}/allocations", "GET",
        "resource_providers/uuid/allocations:get", "List provider allocations",
        {"200": b.ok("200", d.versioned("ResourceProviderAllocationsResponse", [
            (lo, obj({"resource_provider_generation": GENERATION,
                      "allocations": {"type": "object", "additionalProperties": body}},
                     ["resource_provider_generation", "allocations"]))
            for lo, body in ((mv.BASE, rp_alloc), (mv.CONSUMER_GENERATIONS, rp_alloc_128))
        ]), cached=True)},
        errors=("404",), tag="resource_provider_allocations",
        policy="placement:resource_providers:allocations:list",
    )

    # ---- allocations per consumer -----------------------------------------
    b.op(
        "/allocations", "POST", "allocations:post", "Manage allocations of many consumers",
        {"204": b.ok("204", None)}, errors=("409",),
        body=d.versioned("AllocationsManageRequest", schemas.allocation.POST_SCHEMAS),
        tag="allocations", policy="placement:allocations:manage",
    )
    c_alloc_item = obj({"generation": GENERATION, "resources": RC_AMOUNTS},
                       ["generation", "resources"])
    c_allocs = {"type": "object", "additionalProperties": c_alloc_item}
    c_props: dict[str, Schema] = {"allocations": c_allocs}
    c_variants = [(mv.BASE, obj(dict(c_props), ["allocations"]))]
    c_props["project_id"] = since({"type": "string"}, mv.ALLOCATIONS_DICT)
    c_props["user_id"] = since({"type": "string"}, mv.ALLOCATIONS_DICT)
    c_variants.append((mv.ALLOCATIONS_DICT, obj(dict(c_props), ["allocations"])))
    c_props["consumer_generation"] = since({"type": "integer"}, mv.CONSUMER_GENERATIONS)
    c_variants.append((mv.CONSUMER_GENERATIONS, obj(dict(c_props), ["allocations"])))
    c_props["consumer_type"] = since({"type": "string"}, mv.CONSUMER_TYPES)
    c_variants.append((mv.CONSUMER_TYPES, obj(dict(c_props), ["allocations"])))
    for _lo, s in c_variants:
        s["description"] = (
            "Consumer fields are present only when the consumer has allocations."
        )
    con = "/allocations/{consumer_uuid}"
    b.op(con, "GET", "allocations/consumer_uuid:get", "List consumer allocations",
         {"200": b.ok("200", d.versioned("ConsumerAllocationsResponse", c_variants),
                      cached=True)},
         tag="allocations", policy="placement:allocations:list")
    b.op(
        con, "PUT", "allocations/consumer_uuid:put", "Update consumer allocations",
        {"204": b.ok("204", None)}, errors=("404", "409"),
        body=d.versioned("AllocationsUpdateRequest", schemas.allocation.PUT_SCHEMAS),
        tag="allocations", policy="placement:allocations:update",
    )
    b.op(con, "DELETE", "allocations/consumer_uuid:delete", "Delete consumer allocations",
         {"204": b.ok("204", None)}, errors=("404",),
         tag="allocations", policy="placement:allocations:delete")

    # ---- allocation candidates --------------------------------------------
    b.op(
        "/allocation_candidates", "GET", "allocation_candidates:get",
        "List allocation candidates",
        {"200": b.ok("200", candidates_response(d), cached=True)}, query=candidate_params(),
        tag="allocation_candidates", policy="placement:allocation_candidates:list",
    )

    # ---- resource classes --------------------------------------------------
    rc_item = obj({"name": {"type": "string"}, "links": copy.deepcopy(LINKS)}, ["name", "links"])
    rc_show = d.schema("ResourceClass", rc_item)
    tag = "resource_classes"
    b.op("/resource_classes", "GET", "resource_classes:get", "List resource classes",
         {"200": b.ok("200", d.schema("ResourceClassesList", obj(
             {"resource_classes": {"type": "array", "items": rc_show}},
             ["resource_classes"])), cached=True)},
         tag=tag, policy="placement:resource_classes:list")
    rc_name_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.body#/name"}}
        for name, op_id in (("GetResourceClass", "resource_classes/name:get"),
                            ("DeleteResourceClass", "resource_classes/name:delete"))
    }
    b.op("/resource_classes", "POST", "resource_classes:post", "Create resource class",
         {"201": b.ok("201", None, location=True, links=rc_name_links)}, errors=("409",),
         body=d.schema("ResourceClassCreateRequest",
                       clean(schemas.resource_class.POST_RC_SCHEMA_V1_2)),
         tag=tag, policy="placement:resource_classes:create")
    rcn = "/resource_classes/{name}"
    b.op(rcn, "GET", "resource_classes/name:get", "Show resource class",
         {"200": b.ok("200", rc_show, cached=True)}, errors=("404",), tag=tag,
         policy="placement:resource_classes:show")
    path_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.path.name"}}
        for name, op_id in (("GetResourceClass", "resource_classes/name:get"),
                            ("DeleteResourceClass", "resource_classes/name:delete"))
    }
    b.op(
        rcn, "PUT", "resource_classes/name:put",
        f"Update resource class ({mv.RESOURCE_CLASSES}-"
        f"{mv.previous(mv.RESOURCE_CLASS_PUT_CREATE)}: rename) / create or verify "
        f"({mv.RESOURCE_CLASS_PUT_CREATE}+)",
        {
            "200": b.ok("200", rc_show, cached=True, vrange=(
                mv.RESOURCE_CLASSES, mv.previous(mv.RESOURCE_CLASS_PUT_CREATE))),
            "201": b.ok("201", None, location=True, vrange=(mv.RESOURCE_CLASS_PUT_CREATE, None),
                        links=path_links),
            "204": b.ok("204", None, location=True, vrange=(mv.RESOURCE_CLASS_PUT_CREATE, None)),
        },
        errors=("404", "409"),
        body=d.versioned("ResourceClassUpdateRequest", schemas.resource_class.PUT_RC_SCHEMAS),
        body_required=False,
        tag=tag, policy="placement:resource_classes:update",
    )
    b.op(rcn, "DELETE", "resource_classes/name:delete", "Delete resource class",
         {"204": b.ok("204", None)}, errors=("404", "409"), tag=tag,
         policy="placement:resource_classes:delete")

    # ---- traits ------------------------------------------------------------
    names: Schema = {"type": "array", "items": {"type": "string"}}
    tag = "traits"
    b.op(
        "/traits", "GET", "traits:get", "List traits",
        {"200": b.ok("200", d.schema("TraitsList", obj({"traits": names}, ["traits"])),
                     cached=True)},
        query=query_params(((mv.BASE, schemas.trait.LIST_TRAIT_SCHEMA),), descriptions={
            "name": "`in:A,B` or `startswith:PREFIX`.",
            "associated": "`true` or `false` (case-insensitive).",
        }),
        tag=tag, policy="placement:traits:list",
    )
    tn = "/traits/{name}"
    b.op(tn, "GET", "traits/name:get", "Show trait",
         {"204": b.ok("204", None, cached=True)}, errors=("404",), tag=tag,
         policy="placement:traits:show")
    trait_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.path.name"}}
        for name, op_id in (("GetTrait", "traits/name:get"), ("DeleteTrait", "traits/name:delete"))
    }
    b.op(tn, "PUT", "traits/name:put", "Create or verify trait",
         {"201": b.ok("201", None, cached=True, location=True, links=trait_links),
          "204": b.ok("204", None, cached=True, location=True)},
         tag=tag, policy="placement:traits:update")
    b.op(tn, "DELETE", "traits/name:delete", "Delete trait",
         {"204": b.ok("204", None)}, errors=("404", "409"), tag=tag,
         policy="placement:traits:delete")
    rpt = "/resource_providers/{uuid}/traits"
    rp_traits = d.schema("ResourceProviderTraits", obj(
        {"traits": names, "resource_provider_generation": GENERATION},
        ["traits", "resource_provider_generation"]))
    tag = "resource_provider_traits"
    b.op(rpt, "GET", "resource_providers/uuid/traits:get", "List provider traits",
         {"200": b.ok("200", rp_traits, cached=True)}, errors=("404",), tag=tag,
         policy="placement:resource_providers:traits:list")
    b.op(rpt, "PUT", "resource_providers/uuid/traits:put", "Update provider traits",
         {"200": b.ok("200", rp_traits, cached=True)}, errors=("404", "409"),
         body=d.schema("ResourceProviderTraitsUpdateRequest",
                       clean(schemas.trait.SET_TRAITS_FOR_RP_SCHEMA)),
         tag=tag, policy="placement:resource_providers:traits:update")
    b.op(rpt, "DELETE", "resource_providers/uuid/traits:delete", "Delete provider traits",
         {"204": b.ok("204", None)}, errors=("404", "409"), tag=tag,
         policy="placement:resource_providers:traits:delete")

    # ---- total usages ------------------------------------------------------
    per_type = {"type": "object", "properties": {"consumer_count": {"type": "integer"}},
                "required": ["consumer_count"], "additionalProperties": {"type": "integer"}}
    b.op(
        "/usages", "GET", "usages:get", "List total usages",
        {"200": b.ok("200", d.versioned("UsagesResponse", [
            (mv.USAGES, obj({"usages": RC_AMOUNTS}, ["usages"])),
            (mv.CONSUMER_TYPES, obj({"usages": {"type": "object",
                                                "additionalProperties": per_type,
                                                "description": "Grouped by consumer type."}},
                                    ["usages"])),
        ]), cached=True)},
        query=query_params(schemas.usage.GET_USAGES_SCHEMAS, required=frozenset({"project_id"})),
        tag="usages", policy="placement:usages",
    )

    # ---- reshaper ----------------------------------------------------------
    b.op(
        "/reshaper", "POST", "reshaper:post", "Reshape provider inventories and allocations",
        {"204": b.ok("204", None)}, errors=("409",),
        body=d.versioned("ReshaperRequest", schemas.reshaper.POST_SCHEMAS),
        tag="reshaper", policy="placement:reshaper:reshape",
    )

    b.emit(ROUTES)
    return assemble(d)


def candidates_response(d: Doc) -> Schema:
    """GET /allocation_candidates, §4.3: five shapes."""
    list_req = obj({"allocations": {"type": "array", "items": obj(
        {"resource_provider": obj({"uuid": UUID}, ["uuid"]), "resources": RC_AMOUNTS},
        ["resource_provider", "resources"])}}, ["allocations"])
    dict_allocs = {"type": "object",
                   "additionalProperties": obj({"resources": RC_AMOUNTS}, ["resources"])}
    dict_req = obj({"allocations": dict_allocs}, ["allocations"])
    mappings = since({"type": "object", "additionalProperties": {"type": "array",
                                                                   "items": UUID}}, mv.MAPPINGS)
    map_req = obj({"allocations": dict_allocs, "mappings": mappings},
                  ["allocations", "mappings"])
    capacity = obj({"capacity": {"type": "integer"}, "used": {"type": "integer"}},
                   ["capacity", "used"])
    sum_props: dict[str, Schema] = {
        "resources": {"type": "object", "additionalProperties": capacity,
                      "description": f"Requested classes only below {mv.ALL_SUMMARY_CLASSES}; "
                      f"every class with inventory from {mv.ALL_SUMMARY_CLASSES}."}}
    sums = [obj(dict(sum_props), ["resources"])]
    sum_props["traits"] = since({"type": "array", "items": {"type": "string"}},
                                mv.CANDIDATES_TRAITS)
    sums.append(obj(dict(sum_props), ["resources", "traits"]))
    sum_props["parent_provider_uuid"] = since({"type": ["string", "null"],
                                               "format": "uuid"}, mv.NESTED_CANDIDATES)
    sum_props["root_provider_uuid"] = since(UUID, mv.NESTED_CANDIDATES)
    sums.append(obj(dict(sum_props), list(sum_props)))

    def shape(req: Schema, summary: Schema) -> Schema:
        return obj({"allocation_requests": {"type": "array", "items": req},
                    "provider_summaries": {"type": "object",
                                           "additionalProperties": summary}},
                   ["allocation_requests", "provider_summaries"])

    return d.versioned("AllocationCandidatesResponse", [
        (mv.ALLOCATION_CANDIDATES, shape(list_req, sums[0])),
        (mv.ALLOCATIONS_DICT, shape(dict_req, sums[0])),
        (mv.CANDIDATES_TRAITS, shape(dict_req, sums[1])),
        (mv.NESTED_CANDIDATES, shape(dict_req, sums[2])),
        (mv.MAPPINGS, shape(map_req, sums[2])),
    ])


def candidate_params() -> list[dict]:
    """Query parameters of GET /allocation_candidates from refcloud's schemas."""
    table = schemas.allocation_candidate.GET_SCHEMAS
    s10 = schemas.allocation_candidate.GET_SCHEMA_1_10["properties"]
    s16 = schemas.allocation_candidate.GET_SCHEMA_1_16["properties"]
    s25 = schemas.allocation_candidate.GET_SCHEMA_1_25
    s31 = schemas.allocation_candidate.GET_SCHEMA_1_31
    s36 = schemas.allocation_candidate.GET_SCHEMA_1_36["properties"]
    group = next(iter(s25["patternProperties"].values()))
    granular = (
        f" From {mv.GRANULAR_GROUPS} also as a granular group `{{name}}N` (N numeric); from "
        f"{mv.VERBOSE_SUFFIXES} the suffix may be `[a-zA-Z0-9_-]{{{{1,64}}}}`."
    )
    return [
        qparam("resources", s10["resources"], table,
               description=f"`RC:amount,...`; required up to {mv.previous(mv.GRANULAR_GROUPS)} "
               "(400 without it)." + granular.format(name="resources")),
        qparam("limit", s16["limit"], table, description="Maximum number of candidates."),
        qparam("required", group, table, description=f"Traits; `!TRAIT` from "
               f"{mv.FORBIDDEN_TRAITS}; `in:` and repeats from {mv.ANY_TRAITS}."
               + granular.format(name="required")),
        qparam("member_of", group, table, description=f"Aggregates; `!` from "
               f"{mv.FORBIDDEN_AGGREGATES}." + granular.format(name="member_of")),
        qparam("group_policy", s25["properties"]["group_policy"], table,
               description="How granular groups share providers."),
        qparam("in_tree", next(v for k, v in s31["patternProperties"].items()
                               if "in_tree" in k), table,
               description="A provider uuid." + granular.format(name="in_tree")),
        qparam("root_required", s36["root_required"], table,
               description="Traits the tree root must (`!`: must not) have."),
        qparam("same_subtree", s36["same_subtree"], table,
               description="Group suffixes that must share a subtree (repeatable)."),
    ]


#: Where real Placement departs from the API-SIG guidelines (and so does this document):
#: rule id -> why; each is suppressed inline with ``x-interopcheck-ignore`` where it occurs.
DEPARTURES = {
    "NAME003": "Placement's resource names use underscores (/resource_providers, "
               "/allocation_candidates, /resource_classes), not hyphens.",
    "HTTP010": "PUT /allocations/{consumer_uuid} answers 204; GET /traits/{name} answers 204 "
               "(an existence check).",
    "PAGE001": "GET /allocation_candidates takes limit (a cap on a randomised result) but has "
               "no marker: it is not paginated.",
    "RES002": "GET /allocation_candidates answers allocation_requests and "
              "provider_summaries, not one collection named after the path.",
    "ERR002": f"Placement's error objects have no links (and no code before {mv.ERROR_CODES}).",
}


def mark_departures(d: Doc) -> None:
    """Inline ``x-interopcheck-ignore`` at each deliberate departure (see DEPARTURES)."""
    ignore = "x-interopcheck-ignore"
    for path, item in d.paths.items():
        if any("_" in seg for seg in path.split("/") if not seg.startswith("{")):
            item[ignore] = ["NAME003"]
    d.paths["/allocations/{consumer_uuid}"]["put"][ignore] = ["HTTP010"]
    d.paths["/traits/{name}"]["get"][ignore] = ["HTTP010"]
    d.paths["/allocation_candidates"]["get"][ignore] = ["PAGE001"]
    for name, schema in d.schemas.items():
        if name.startswith("AllocationCandidatesResponse_"):
            schema[ignore] = ["RES002"]
    d.schemas["ErrorResponse"]["properties"]["errors"]["items"][ignore] = ["ERR002"]


def assemble(d: Doc) -> dict:
    mark_departures(d)
    header = {"schema": {"type": "string"}}
    departures = "\n".join(f"- {rule}: {why}" for rule, why in DEPARTURES.items())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OpenStack Placement API (refcloud)",
            "description": (
                f"refcloud's Placement API, microversions {mv.MIN_VERSION}-{MAX}. Generated by "
                "reference-impl/tools/gen_openapi.py from refcloud's JSON-Schemas; do not "
                "edit by hand. `x-openstack` `min-ver`/`max-ver` give the microversion range "
                "of operations, responses, parameters, fields and per-version schemas.\n\n"
                "Deliberate departures from the API-SIG guidelines, as in real Placement "
                "(suppressed inline with `x-interopcheck-ignore`):\n" + departures
            ),
            "version": MAX,
            "license": {"name": "Apache 2.0",
                        "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "servers": [{"url": "/"}],
        "security": [{"AuthToken": []}],
        "tags": sorted(
            ({"name": t} for t in {op["tags"][0] for item in d.paths.values()
                                    for op in item.values() if isinstance(op, dict)}),
            key=lambda t: t["name"],
        ),
        "paths": d.paths,
        "components": {
            "securitySchemes": {
                "AuthToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token",
                              "description": "noauth2 token `user[:project]`; `admin` "
                              "has the admin role."},
            },
            "parameters": {
                "OpenStackAPIVersion": {
                    "name": "OpenStack-API-Version", "in": "header", "required": False,
                    "description": "`placement X.Y` or `placement latest`; without it the "
                    f"minimum ({mv.MIN_VERSION}) is used. Out of range: 406; malformed: 400.",
                    "schema": {"type": "string", "example": "placement " + MAX},
                },
                "path_uuid": {"name": "uuid", "in": "path", "required": True,
                              "description": "The resource provider uuid.",
                              "schema": dict(UUID)},
                "path_consumer_uuid": {"name": "consumer_uuid", "in": "path",
                                       "required": True, "description": "The consumer uuid.",
                                       "schema": dict(UUID)},
                "path_resource_class": {
                    "name": "resource_class", "in": "path", "required": True,
                    "description": "A resource class name.",
                    "schema": {"type": "string", "pattern": schemas.inventory.RC_PATTERN}},
                "path_name": {"name": "name", "in": "path", "required": True,
                              "description": "A resource class or trait name.",
                              "schema": {"type": "string", "pattern": "^[A-Z0-9_]+$",
                                         "maxLength": 255}},
            },
            "headers": {
                "OpenStackAPIVersion": {**header, "description": "`placement X.Y`, the "
                                        "version the request was served at (absent on the "
                                        "400/406 for a bad version header)."},
                "ServedVersion": {**header, "required": True,
                                  "description": "`placement X.Y`, the version served."},
                "Vary": {**header, "required": True,
                         "description": "`openstack-api-version`"},
                "RequestId": {**header, "description": "`req-<uuid>`"},
                "Location": {**header, "description": "URL of the resource."},
                "CreatedLocation": {**header, "required": True,
                                    "description": "URL of the created resource."},
                "LastModified": {**header, **xo(mv.CACHE_HEADERS), "required": True,
                                 "description": f"HTTP-date; from {mv.CACHE_HEADERS}."},
                "LastModifiedUnlessEmpty": {**header, **xo(mv.CACHE_HEADERS),
                                            "description": f"HTTP-date; from {mv.CACHE_HEADERS}, "
                                            "when the provider has inventory (absent when "
                                            "empty)."},
                "CacheControl": {**header, **xo(mv.CACHE_HEADERS), "required": True,
                                 "description": f"`no-cache`; from {mv.CACHE_HEADERS}."},
            },
            "schemas": d.schemas,
        },
    }


def render() -> str:
    header = "# Generated by reference-impl/tools/gen_openapi.py -- do not edit.\n"
    return header + yaml.dump(build(), Dumper=_NoAliasDumper, sort_keys=False, width=100,
                              allow_unicode=True)


class _NoAliasDumper(yaml.SafeDumper):
    """Writes shared sub-schemas out in full (no YAML anchors/aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the YAML is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
