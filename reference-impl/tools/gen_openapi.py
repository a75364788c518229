"""Generate refcloud's OpenAPI 3.1 document (``refcloud/openapi.yaml``).

The request-body and query schemas come from refcloud's own JSON-Schema
constants (``refcloud.placement.schemas``), so the document cannot drift from
what the handlers validate; response schemas are written here from the
responses refcloud (and real Placement) send.

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
import sys
from pathlib import Path
from typing import Any

import yaml
from refcloud import microversion
from refcloud.placement.schemas import (
    aggregate,
    allocation,
    allocation_candidate,
    inventory,
    reshaper,
    resource_class,
    resource_provider,
    trait,
    usage,
)

OUTPUT = Path(__file__).resolve().parents[1] / "refcloud" / "openapi.yaml"
MAX = microversion.MAX_VERSION  # "1.39"

Schema = dict[str, Any]


def ver(minor: int) -> str:
    return f"1.{minor}"


def xo(min_minor: int | None = None, max_minor: int | None = None) -> dict:
    """The ``x-openstack`` extension for a version range (absent ends omitted)."""
    ext: dict[str, str] = {}
    if min_minor is not None:
        ext["min-ver"] = ver(min_minor)
    if max_minor is not None:
        ext["max-ver"] = ver(max_minor)
    return {"x-openstack": ext}


class Doc:
    """Accumulates components while operations are described."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        self.paths: dict[str, dict] = {}

    def schema(self, name: str, body: Schema) -> Schema:
        self.schemas[name] = body
        return {"$ref": f"#/components/schemas/{name}"}

    def versioned(self, name: str, variants: list[tuple[int, int | None, Schema]]) -> Schema:
        """A oneOf of per-version schemas ``Name_1NN`` with their ranges."""
        refs = []
        seen: dict[tuple[str, ...], int] = {}
        first = variants[0][0]
        for lo, hi, body in variants:
            item = copy.deepcopy(body)
            _mark_new_fields(item, (), lo, first, seen)
            item.update(xo(lo, hi))
            refs.append(self.schema(f"{name}_1{lo:02d}", item))
        return self.schema(
            name, {"oneOf": refs, "x-openstack": {"discriminator": "microversion"}}
        )


def _mark_new_fields(schema: Any, path: tuple[str, ...], lo: int, first: int,
                     seen: dict[tuple[str, ...], int]) -> None:
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
                note = f"**New in version {ver(seen[where])}**"
                sub["description"] = (sub.get("description", "") + "\n\n" + note).strip()
            _mark_new_fields(sub, where, lo, first, seen)
    for key in ("items", "additionalProperties"):
        _mark_new_fields(schema.get(key), (*path, key), lo, first, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key) or []):
            _mark_new_fields(sub, (*path, key, str(i)), lo, first, seen)


def since(schema: Schema, minor: int, max_minor: int | None = None) -> Schema:
    """Annotate a property with the version it appears in (and its last one)."""
    out = copy.deepcopy(schema)
    out.update(xo(minor, max_minor))
    note = f"New in version {ver(minor)}" if minor else ""
    if max_minor is not None:
        note = (note + "; " if note else "") + f"available up to version {ver(max_minor)}"
    if note:
        out["description"] = (out.get("description", "") + "\n\n**" + note + "**").strip()
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
    "Links: self, inventories, usages; aggregates from 1.1, traits from 1.6, "
    "allocations from 1.11."
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
    """The API-SIG errors format (``code`` from 1.23)."""
    item = obj(
        {
            "status": {"type": "integer"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "code": since({"type": "string"}, 23),
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
        vrange: tuple[int | None, int | None] | None = None,
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

    def err(self, status: str, vrange: tuple[int | None, int | None] | None = None) -> dict:
        resp: dict[str, Any] = {
            "description": ERROR_TEXT[status],
            "headers": {
                "OpenStack-API-Version": {"$ref": "#/components/headers/OpenStackAPIVersion"},
                "x-openstack-request-id": {"$ref": "#/components/headers/RequestId"},
            },
            "content": {"application/json": {"schema": self.error_ref}},
        }
        if vrange:
            resp.update(xo(*vrange))
        return resp

    # -- operations ----------------------------------------------------------

    def op(
        self,
        path: str,
        method: str,
        op_id: str,
        summary: str,
        responses: dict[str, dict],
        *,
        min_minor: int = 0,
        max_minor: int | None = None,
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
        params.extend(query or [])
        all_errors = ["400", "406", *errors]
        if auth:
            all_errors += ["401", "403"]
        if min_minor > 0 and "404" not in all_errors and "405" not in all_errors:
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
        operation.update(xo(min_minor, max_minor))
        item[method.lower()] = operation


def qparam(name: str, schema: Schema, minor: int = 0, *, required: bool = False,
           description: str = "", max_minor: int | None = None) -> dict:
    param: dict[str, Any] = {"name": name, "in": "query", "required": required}
    if description:
        param["description"] = description
    param["schema"] = clean(schema)
    if minor or max_minor is not None:
        param.update(xo(minor, max_minor))
    return param


def query_params(schema: Schema, since_minor: dict[str, int], required: set[str] = frozenset(),
                 descriptions: dict[str, str] | None = None) -> list[dict]:
    """Query parameters from a refcloud query-string schema."""
    descriptions = descriptions or {}
    return [
        qparam(name, prop, since_minor.get(name, 0), required=name in required,
               description=descriptions.get(name, ""))
        for name, prop in schema["properties"].items()
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
    rp_114["parent_provider_uuid"] = since({"type": ["string", "null"], "format": "uuid"}, 14)
    rp_114["root_provider_uuid"] = since(UUID, 14)
    provider = d.versioned(
        "ResourceProvider",
        [(0, 13, obj(rp_base, list(rp_base))), (14, None, obj(rp_114, list(rp_114)))],
    )
    rp_list = d.versioned(
        "ResourceProvidersList",
        [
            (lo, hi, obj({"resource_providers": {"type": "array", "items": {
                "$ref": f"#/components/schemas/ResourceProvider_1{lo:02d}"}}},
                ["resource_providers"]))
            for lo, hi in ((0, 13), (14, None))
        ],
    )
    rps_query = resource_provider.GET_RPS_SCHEMA_1_18
    b.op(
        "/resource_providers", "GET", "resource_providers:get", "List resource providers",
        {"200": b.ok("200", rp_list, cached=True)},
        query=query_params(
            rps_query, {"member_of": 3, "resources": 4, "in_tree": 14, "required": 18},
            descriptions={
                "member_of": "`<agg>` or `in:<a>,<b>`; repeatable from 1.24; `!`/`!in:` "
                "from 1.32.",
                "resources": "`RC:amount,...` capacity filter.",
                "required": "Traits; `!TRAIT` from 1.22; `in:` and repeats from 1.39.",
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
            "201": b.ok("201", None, location=True, vrange=(0, 19)),
            "200": b.ok("200", provider, cached=True, location=True, vrange=(20, None),
                        links=rp_links),
        },
        errors=("409",),
        body=d.versioned(
            "ResourceProviderCreateRequest",
            [(0, 13, clean(resource_provider.POST_RESOURCE_PROVIDER_SCHEMA)),
             (14, None, clean(resource_provider.POST_RP_SCHEMA_V1_14))],
        ),
        tag="resource_providers", policy="placement:resource_providers:create",
    )
    rp = "/resource_providers/{uuid}"
    b.op(rp, "GET", "resource_providers/uuid:get", "Show resource provider",
         {"200": b.ok("200", provider, cached=True)}, errors=("404",),
         tag="resource_providers", policy="placement:resource_providers:show")
    b.op(
        rp, "PUT", "resource_providers/uuid:put", "Update resource provider",
        {"200": b.ok("200", provider, cached=True)}, errors=("404", "409"),
        body=d.versioned(
            "ResourceProviderUpdateRequest",
            [(0, 13, clean(resource_provider.PUT_RESOURCE_PROVIDER_SCHEMA)),
             (14, None, clean(resource_provider.PUT_RP_SCHEMA_V1_14))],
        ),
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
         body=d.schema("InventoryCreateRequest", clean(inventory.POST_INVENTORY_SCHEMA)),
         tag=tag, policy="placement:resource_providers:inventories:create")
    b.op(inv, "PUT", "resource_providers/uuid/inventories:put", "Replace inventories",
         {"200": b.ok("200", inventories, cached="unless-empty")}, errors=("404", "409"),
         body=d.schema("InventoriesUpdateRequest", clean(inventory.PUT_INVENTORY_SCHEMA)),
         tag=tag, policy="placement:resource_providers:inventories:update")
    b.op(inv, "DELETE", "resource_providers/uuid/inventories:delete", "Delete all inventories",
         {"204": b.ok("204", None),
          "405": {**b.err("405"), "description": "Method Not Allowed (below 1.5)"}},
         errors=("404", "409"), min_minor=5, tag=tag,
         policy="placement:resource_providers:inventories:delete")
    inv1 = inv + "/{resource_class}"
    b.op(inv1, "GET", "resource_providers/uuid/inventories/resource_class:get",
         "Show one inventory", {"200": b.ok("200", single, cached=True)}, errors=("404",),
         tag=tag, policy="placement:resource_providers:inventories:show")
    b.op(inv1, "PUT", "resource_providers/uuid/inventories/resource_class:put",
         "Update one inventory", {"200": b.ok("200", single, cached=True)},
         errors=("404", "409"),
         body=d.schema("InventoryUpdateRequest", clean(inventory.BASE_INVENTORY_SCHEMA)),
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
        [(1, 18, obj({"aggregates": agg_list}, ["aggregates"])),
         (19, None, obj({"aggregates": agg_list,
                         "resource_provider_generation": since(GENERATION, 19)},
                        ["aggregates", "resource_provider_generation"]))],
    )
    agg = "/resource_providers/{uuid}/aggregates"
    b.op(agg, "GET", "resource_providers/uuid/aggregates:get", "List provider aggregates",
         {"200": b.ok("200", aggs, cached=True)}, errors=("404",), min_minor=1,
         tag="resource_provider_aggregates", policy="placement:resource_providers:aggregates:list")
    b.op(
        agg, "PUT", "resource_providers/uuid/aggregates:put", "Update provider aggregates",
        {"200": b.ok("200", aggs, cached=True)}, errors=("404", "409"), min_minor=1,
        body=d.versioned(
            "AggregatesUpdateRequest",
            [(1, 18, clean(aggregate.PUT_AGGREGATES_SCHEMA_V1_1)),
             (19, None, clean(aggregate.PUT_AGGREGATES_SCHEMA_V1_19))],
        ),
        tag="resource_provider_aggregates",
        policy="placement:resource_providers:aggregates:update",
    )

    # ---- allocations per provider -----------------------------------------
    rp_alloc = obj({"resources": RC_AMOUNTS}, ["resources"])
    rp_alloc_128 = obj({"resources": RC_AMOUNTS,
                        "consumer_generation": since({"type": "integer"}, 28)},
                       ["resources", "consumer_generation"])
    b.op(
        "/resource_providers/{uuid}/allocations", "GET",
        "resource_providers/uuid/allocations:get", "List provider allocations",
        {"200": b.ok("200", d.versioned("ResourceProviderAllocationsResponse", [
            (lo, hi, obj({"resource_provider_generation": GENERATION,
                          "allocations": {"type": "object", "additionalProperties": body}},
                         ["resource_provider_generation", "allocations"]))
            for lo, hi, body in ((0, 27, rp_alloc), (28, None, rp_alloc_128))
        ]), cached=True)},
        errors=("404",), tag="resource_provider_allocations",
        policy="placement:resource_providers:allocations:list",
    )

    # ---- allocations per consumer -----------------------------------------
    b.op(
        "/allocations", "POST", "allocations:post", "Manage allocations of many consumers",
        {"204": b.ok("204", None)}, errors=("409",), min_minor=13,
        body=d.versioned("AllocationsManageRequest", [
            (13, 27, clean(allocation.POST_ALLOCATIONS_V1_13)),
            (28, 33, clean(allocation.POST_ALLOCATIONS_V1_28)),
            (34, 37, clean(allocation.POST_ALLOCATIONS_V1_34)),
            (38, None, clean(allocation.POST_ALLOCATIONS_V1_38)),
        ]),
        tag="allocations", policy="placement:allocations:manage",
    )
    c_alloc_item = obj({"generation": GENERATION, "resources": RC_AMOUNTS},
                       ["generation", "resources"])
    c_allocs = {"type": "object", "additionalProperties": c_alloc_item}
    c_props: dict[str, Schema] = {"allocations": c_allocs}
    c_variants = [(0, 11, obj(dict(c_props), ["allocations"]))]
    c_props["project_id"] = since({"type": "string"}, 12)
    c_props["user_id"] = since({"type": "string"}, 12)
    c_variants.append((12, 27, obj(dict(c_props), ["allocations"])))
    c_props["consumer_generation"] = since({"type": "integer"}, 28)
    c_variants.append((28, 37, obj(dict(c_props), ["allocations"])))
    c_props["consumer_type"] = since({"type": "string"}, 38)
    c_variants.append((38, None, obj(dict(c_props), ["allocations"])))
    for _lo, _hi, s in c_variants:
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
        body=d.versioned("AllocationsUpdateRequest", [
            (0, 7, clean(allocation.ALLOCATION_SCHEMA)),
            (8, 11, clean(allocation.ALLOCATION_SCHEMA_V1_8)),
            (12, 27, clean(allocation.ALLOCATION_SCHEMA_V1_12)),
            (28, 33, clean(allocation.ALLOCATION_SCHEMA_V1_28)),
            (34, 37, clean(allocation.ALLOCATION_SCHEMA_V1_34)),
            (38, None, clean(allocation.ALLOCATION_SCHEMA_V1_38)),
        ]),
        tag="allocations", policy="placement:allocations:update",
    )
    b.op(con, "DELETE", "allocations/consumer_uuid:delete", "Delete consumer allocations",
         {"204": b.ok("204", None)}, errors=("404",),
         tag="allocations", policy="placement:allocations:delete")

    # ---- allocation candidates --------------------------------------------
    b.op(
        "/allocation_candidates", "GET", "allocation_candidates:get",
        "List allocation candidates",
        {"200": b.ok("200", candidates_response(d), cached=True)}, min_minor=10,
        query=candidate_params(),
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
         min_minor=2, tag=tag, policy="placement:resource_classes:list")
    rc_name_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.body#/name"}}
        for name, op_id in (("GetResourceClass", "resource_classes/name:get"),
                            ("DeleteResourceClass", "resource_classes/name:delete"))
    }
    b.op("/resource_classes", "POST", "resource_classes:post", "Create resource class",
         {"201": b.ok("201", None, location=True, links=rc_name_links)}, errors=("409",),
         min_minor=2,
         body=d.schema("ResourceClassCreateRequest",
                       clean(resource_class.POST_RC_SCHEMA_V1_2)),
         tag=tag, policy="placement:resource_classes:create")
    rcn = "/resource_classes/{name}"
    b.op(rcn, "GET", "resource_classes/name:get", "Show resource class",
         {"200": b.ok("200", rc_show, cached=True)}, errors=("404",), min_minor=2,
         tag=tag, policy="placement:resource_classes:show")
    path_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.path.name"}}
        for name, op_id in (("GetResourceClass", "resource_classes/name:get"),
                            ("DeleteResourceClass", "resource_classes/name:delete"))
    }
    b.op(
        rcn, "PUT", "resource_classes/name:put",
        "Update resource class (1.2-1.6: rename) / create or verify (1.7+)",
        {
            "200": b.ok("200", rc_show, cached=True, vrange=(2, 6)),
            "201": b.ok("201", None, location=True, vrange=(7, None), links=path_links),
            "204": b.ok("204", None, location=True, vrange=(7, None)),
        },
        errors=("404", "409"), min_minor=2,
        body=d.versioned("ResourceClassUpdateRequest",
                         [(2, 6, clean(resource_class.PUT_RC_SCHEMA_V1_2))]),
        body_required=False,
        tag=tag, policy="placement:resource_classes:update",
    )
    b.op(rcn, "DELETE", "resource_classes/name:delete", "Delete resource class",
         {"204": b.ok("204", None)}, errors=("404", "409"), min_minor=2,
         tag=tag, policy="placement:resource_classes:delete")

    # ---- traits ------------------------------------------------------------
    names: Schema = {"type": "array", "items": {"type": "string"}}
    tag = "traits"
    b.op(
        "/traits", "GET", "traits:get", "List traits",
        {"200": b.ok("200", d.schema("TraitsList", obj({"traits": names}, ["traits"])),
                     cached=True)},
        min_minor=6,
        query=query_params(trait.LIST_TRAIT_SCHEMA, {"name": 6, "associated": 6}, descriptions={
            "name": "`in:A,B` or `startswith:PREFIX`.",
            "associated": "`true` or `false` (case-insensitive).",
        }),
        tag=tag, policy="placement:traits:list",
    )
    tn = "/traits/{name}"
    b.op(tn, "GET", "traits/name:get", "Show trait",
         {"204": b.ok("204", None, cached=True)}, errors=("404",), min_minor=6,
         tag=tag, policy="placement:traits:show")
    trait_links = {
        name: {"operationId": op_id, "parameters": {"name": "$request.path.name"}}
        for name, op_id in (("GetTrait", "traits/name:get"), ("DeleteTrait", "traits/name:delete"))
    }
    b.op(tn, "PUT", "traits/name:put", "Create or verify trait",
         {"201": b.ok("201", None, cached=True, location=True, links=trait_links),
          "204": b.ok("204", None, cached=True, location=True)},
         min_minor=6, tag=tag, policy="placement:traits:update")
    b.op(tn, "DELETE", "traits/name:delete", "Delete trait",
         {"204": b.ok("204", None)}, errors=("404", "409"), min_minor=6,
         tag=tag, policy="placement:traits:delete")
    rpt = "/resource_providers/{uuid}/traits"
    rp_traits = d.schema("ResourceProviderTraits", obj(
        {"traits": names, "resource_provider_generation": GENERATION},
        ["traits", "resource_provider_generation"]))
    tag = "resource_provider_traits"
    b.op(rpt, "GET", "resource_providers/uuid/traits:get", "List provider traits",
         {"200": b.ok("200", rp_traits, cached=True)}, errors=("404",), min_minor=6,
         tag=tag, policy="placement:resource_providers:traits:list")
    b.op(rpt, "PUT", "resource_providers/uuid/traits:put", "Update provider traits",
         {"200": b.ok("200", rp_traits, cached=True)}, errors=("404", "409"), min_minor=6,
         body=d.schema("ResourceProviderTraitsUpdateRequest",
                       clean(trait.SET_TRAITS_FOR_RP_SCHEMA)),
         tag=tag, policy="placement:resource_providers:traits:update")
    b.op(rpt, "DELETE", "resource_providers/uuid/traits:delete", "Delete provider traits",
         {"204": b.ok("204", None)}, errors=("404", "409"), min_minor=6,
         tag=tag, policy="placement:resource_providers:traits:delete")

    # ---- total usages ------------------------------------------------------
    per_type = {"type": "object", "properties": {"consumer_count": {"type": "integer"}},
                "required": ["consumer_count"], "additionalProperties": {"type": "integer"}}
    b.op(
        "/usages", "GET", "usages:get", "List total usages",
        {"200": b.ok("200", d.versioned("UsagesResponse", [
            (9, 37, obj({"usages": RC_AMOUNTS}, ["usages"])),
            (38, None, obj({"usages": {"type": "object", "additionalProperties": per_type,
                                       "description": "Grouped by consumer type."}},
                           ["usages"])),
        ]), cached=True)},
        min_minor=9,
        query=query_params(usage.GET_USAGES_SCHEMA_V1_38, {"consumer_type": 38},
                           required={"project_id"}),
        tag="usages", policy="placement:usages",
    )

    # ---- reshaper ----------------------------------------------------------
    b.op(
        "/reshaper", "POST", "reshaper:post", "Reshape provider inventories and allocations",
        {"204": b.ok("204", None)}, errors=("409",), min_minor=30,
        body=d.versioned("ReshaperRequest", [
            (30, 33, clean(reshaper.POST_RESHAPER_SCHEMA)),
            (34, 37, clean(reshaper.POST_RESHAPER_SCHEMA_V1_34)),
            (38, None, clean(reshaper.POST_RESHAPER_SCHEMA_V1_38)),
        ]),
        tag="reshaper", policy="placement:reshaper:reshape",
    )

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
                                                                   "items": UUID}}, 34)
    map_req = obj({"allocations": dict_allocs, "mappings": mappings},
                  ["allocations", "mappings"])
    capacity = obj({"capacity": {"type": "integer"}, "used": {"type": "integer"}},
                   ["capacity", "used"])
    sum_props: dict[str, Schema] = {
        "resources": {"type": "object", "additionalProperties": capacity,
                      "description": "Requested classes only below 1.27; every class "
                      "with inventory from 1.27."}}
    sums = [obj(dict(sum_props), ["resources"])]
    sum_props["traits"] = since({"type": "array", "items": {"type": "string"}}, 17)
    sums.append(obj(dict(sum_props), ["resources", "traits"]))
    sum_props["parent_provider_uuid"] = since({"type": ["string", "null"],
                                               "format": "uuid"}, 29)
    sum_props["root_provider_uuid"] = since(UUID, 29)
    sums.append(obj(dict(sum_props), list(sum_props)))

    def shape(req: Schema, summary: Schema) -> Schema:
        return obj({"allocation_requests": {"type": "array", "items": req},
                    "provider_summaries": {"type": "object",
                                           "additionalProperties": summary}},
                   ["allocation_requests", "provider_summaries"])

    return d.versioned("AllocationCandidatesResponse", [
        (10, 11, shape(list_req, sums[0])),
        (12, 16, shape(dict_req, sums[0])),
        (17, 28, shape(dict_req, sums[1])),
        (29, 33, shape(dict_req, sums[2])),
        (34, None, shape(map_req, sums[2])),
    ])


def candidate_params() -> list[dict]:
    """Query parameters of GET /allocation_candidates from refcloud's schemas."""
    s10 = allocation_candidate.GET_SCHEMA_1_10["properties"]
    s16 = allocation_candidate.GET_SCHEMA_1_16["properties"]
    s25 = allocation_candidate.GET_SCHEMA_1_25
    s31 = allocation_candidate.GET_SCHEMA_1_31
    s36 = allocation_candidate.GET_SCHEMA_1_36["properties"]
    group = next(iter(s25["patternProperties"].values()))
    granular = (
        " From 1.25 also as a granular group `{name}N` (N numeric); from 1.33 the "
        "suffix may be `[a-zA-Z0-9_-]{{1,64}}`."
    )
    return [
        qparam("resources", s10["resources"], 10,
               description="`RC:amount,...`; required up to 1.24 (400 without it)."
               + granular.format(name="resources")),
        qparam("limit", s16["limit"], 16, description="Maximum number of candidates."),
        qparam("required", group, 17, description="Traits; `!TRAIT` from 1.22; `in:` and "
               "repeats from 1.39." + granular.format(name="required")),
        qparam("member_of", group, 21, description="Aggregates; `!` from 1.32."
               + granular.format(name="member_of")),
        qparam("group_policy", s25["properties"]["group_policy"], 25,
               description="How granular groups share providers."),
        qparam("in_tree", next(v for k, v in s31["patternProperties"].items()
                               if "in_tree" in k), 31,
               description="A provider uuid." + granular.format(name="in_tree")),
        qparam("root_required", s36["root_required"], 35,
               description="Traits the tree root must (`!`: must not) have."),
        qparam("same_subtree", s36["same_subtree"], 36,
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
    "ERR002": "Placement's error objects have no links (and no code before 1.23).",
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
                "refcloud's Placement API, microversions 1.0-" + MAX + ". Generated by "
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
                    "minimum (1.0) is used. Out of range: 406; malformed: 400.",
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
                    "schema": {"type": "string", "pattern": inventory.RC_PATTERN}},
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
                "LastModified": {**header, **xo(15), "required": True,
                                 "description": "HTTP-date; from 1.15."},
                "LastModifiedUnlessEmpty": {**header, **xo(15),
                                            "description": "HTTP-date; from 1.15, when the "
                                            "provider has inventory (absent when empty)."},
                "CacheControl": {**header, **xo(15), "required": True,
                                 "description": "`no-cache`; from 1.15."},
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
