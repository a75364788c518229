"""Inventory handlers: /resource_providers/{uuid}/inventories[/{resource_class}].

Every inventory write increments the provider generation with a
compare-and-swap against the generation read at the start of the request, so
a concurrent writer gets 409 ``placement.concurrent_update``.

A write reads the provider inside its own write transaction (one pool checkout, one
BEGIN/COMMIT per request); the checks keep Placement's order (404, then the body's 400,
then the generation's 409), they just run with the transaction open.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa
import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement.schemas import inventory as schema
from refcloud.storage import inventories, providers
from refcloud.storage.providers import Provider

POLICY = "placement:resource_providers:inventories:%s"

# The message of Placement's ResourceProviderConcurrentUpdateDetected.
RP_CONCURRENT_MSG = (
    "Another thread concurrently updated the resource provider data. Please retry your update"
)


def _serialize(data: Mapping[str, Any], generation: int | None = None) -> dict[str, Any]:
    """One inventory; the generation is left out when falsy (as Placement does)."""
    body = {name: data[name] for name in inventories.FIELDS}
    if generation:
        body["resource_provider_generation"] = generation
    return body


def _respond(
    req: webob.Request,
    body: Any,
    last_modified: datetime.datetime | None,
    *,
    status: int = 200,
    location: str | None = None,
) -> webob.Response:
    """JSON response; at >= 1.15 Cache-Control always, Last-Modified when known."""
    resp = http.json_response(req, body, status=status, location=location)
    http.add_cache_headers(req, resp, last_modified, now_if_unknown=False)
    return resp


def _send_inventories(
    req: webob.Request,
    generation: int,
    invs: Mapping[str, Mapping[str, Any]],
    times: Iterable[datetime.datetime | None] | None = None,
) -> webob.Response:
    """The collection body; LM is the newest record time, "now" for records
    built from the request (``times`` None), and absent when empty."""
    body = {
        "resource_provider_generation": generation,
        "inventories": {name: _serialize(data) for name, data in invs.items()},
    }
    last_modified: datetime.datetime | None = None
    if invs:
        last_modified = http.newest(times) if times is not None else http.utcnow()
    return _respond(req, body, last_modified)


def _record_time(rec: inventories.Record) -> datetime.datetime:
    return rec.updated_at or rec.created_at or http.utcnow()


def _provider_or_404_with_detail(conn: sa.Connection, uuid: str) -> Provider:
    """The provider; 404 with the GET handlers' doubled message otherwise."""
    try:
        return providers.get_by_uuid(conn, uuid)
    except exceptions.ProviderNotFound as exc:
        raise http.error(
            webob.exc.HTTPNotFound,
            f"No resource provider with uuid {uuid} found : {exc}",
        ) from None


def _check_generation(data: Mapping[str, Any], provider: Provider) -> None:
    """409 when the body's generation is not the provider's (PUT of one or all)."""
    if data["resource_provider_generation"] != provider.generation:
        raise http.error(
            webob.exc.HTTPConflict,
            "resource provider generation conflict",
            code=errors.CONCURRENT_UPDATE,
        )


@contextlib.contextmanager
def _write_conflicts(prefix: str = "update conflict") -> Iterator[None]:
    """A lost compare-and-swap, or a racing insert of the same row: Placement's 409s."""
    try:
        yield
    except exceptions.ConcurrentUpdate:
        raise http.error(
            webob.exc.HTTPConflict, f"{prefix}: {RP_CONCURRENT_MSG}", code=errors.CONCURRENT_UPDATE
        ) from None
    except sa.exc.IntegrityError as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"{prefix}: {exc}", code=errors.CONCURRENT_UPDATE
        ) from None


def _capacity_ok(req: webob.Request) -> bool:
    """From 1.26 an inventory may have reserved == total."""
    return microversion.at_least(req, microversion.RESERVED_EQUALS_TOTAL)


@http.handler
@http.check_accept("application/json")
def get_inventories(req: webob.Request) -> webob.Response:
    """GET all inventories of a provider: 200 (all microversions)."""
    policy.authorize(req, POLICY % "list")
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).reader() as conn:
        provider = _provider_or_404_with_detail(conn, uuid)
        records = inventories.get_records(conn, provider.id)
    invs = {rec.resource_class: rec.fields() for rec in records}
    return _send_inventories(
        req, provider.generation, invs, [r.updated_at or r.created_at for r in records]
    )


@http.handler
@http.check_accept("application/json")
def get_inventory(req: webob.Request) -> webob.Response:
    """GET one inventory: 200 (all microversions)."""
    policy.authorize(req, POLICY % "show")
    uuid = http.path_arg(req, "uuid")
    rc_name = http.path_arg(req, "resource_class")
    with storage.of(req).reader() as conn:
        provider = _provider_or_404_with_detail(conn, uuid)
        record = inventories.get_record(conn, provider.id, rc_name)
    if record is None:
        raise http.error(
            webob.exc.HTTPNotFound, f"No inventory of class {rc_name} for {uuid}"
        )
    return _respond(req, _serialize(record.fields(), provider.generation), _record_time(record))


@http.handler
@http.require_content("application/json")
def create_inventory(req: webob.Request) -> webob.Response:
    """POST one inventory: 201 with the inventory and Location (all microversions).

    No generation is needed; the generation is incremented.
    """
    policy.authorize(req, POLICY % "create")
    uuid = http.path_arg(req, "uuid")
    with _write_conflicts("Update conflict"), storage.of(req).writer() as conn:
        provider = providers.get_by_uuid(conn, uuid)  # ProviderNotFound: the plain 404
        data = inventories.with_defaults(
            http.extract_json(req.body, schema.POST_INVENTORY_SCHEMA))
        rc_name = data.pop("resource_class")
        try:
            inventories.check_capacity(
                provider.uuid, {rc_name: data}, allow_zero_capacity=_capacity_ok(req)
            )
            inventories.add(conn, provider, rc_name, data)
        except (exceptions.InvalidInventoryCapacity, exceptions.NotFound) as exc:
            raise http.error(
                webob.exc.HTTPBadRequest,
                f"Unable to create inventory for resource provider {provider.uuid}: {exc}",
            ) from None
        generation = providers.increment_generation(conn, provider)
    return _respond(
        req,
        _serialize(data, generation),
        http.utcnow(),
        status=201,
        location=http.inventory_url(req, provider.uuid, rc_name),
    )


@http.handler
@http.require_content("application/json")
def set_inventories(req: webob.Request) -> webob.Response:
    """PUT all inventories of a provider: 200 with the new collection (all microversions).

    The generation is checked and always incremented; an empty object deletes
    every inventory.
    """
    policy.authorize(req, POLICY % "update")
    uuid = http.path_arg(req, "uuid")
    try:
        with _write_conflicts(), storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)  # ProviderNotFound: the plain 404
            data = http.extract_json(req.body, schema.PUT_INVENTORY_SCHEMA)
            _check_generation(data, provider)
            invs = {name: inventories.with_defaults(raw)
                    for name, raw in data["inventories"].items()}
            inventories.check_capacity(uuid, invs, allow_zero_capacity=_capacity_ok(req))
            inventories.replace_all(conn, provider, invs, allow_zero_capacity=_capacity_ok(req))
            generation = providers.increment_generation(conn, provider)
    except exceptions.ResourceClassNotFound as exc:
        raise http.error(
            webob.exc.HTTPBadRequest,
            f"Unknown resource class in inventory for resource provider {uuid}: {exc}",
        ) from None
    except inventories.InventoryRecordNotFound as exc:
        raise http.error(
            webob.exc.HTTPConflict,
            "Race condition detected when setting inventory. No inventory record with "
            f"resource class for resource provider {uuid}: {exc}",
        ) from None
    except exceptions.InventoryInUse as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"update conflict: {exc}", code=errors.INVENTORY_INUSE
        ) from None
    except exceptions.InvalidInventoryCapacity as exc:
        raise http.error(
            webob.exc.HTTPBadRequest,
            f"Unable to update inventory for resource provider {uuid}: {exc}",
        ) from None
    return _send_inventories(req, generation, invs)


@http.handler
@microversion.version_handler(microversion.DELETE_ALL_INVENTORIES, status_code=405)
def delete_inventories(req: webob.Request) -> webob.Response:
    """DELETE all inventories of a provider: 204 from 1.5, 405 below.

    The generation is always incremented, even when there was no inventory.
    """
    policy.authorize(req, POLICY % "delete")
    uuid = http.path_arg(req, "uuid")
    try:
        with storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)  # ProviderNotFound: the plain 404
            inventories.replace_all(conn, provider, {}, allow_zero_capacity=True)
            providers.increment_generation(conn, provider)
    except exceptions.ConcurrentUpdate:
        raise http.error(
            webob.exc.HTTPConflict,
            f"Unable to delete inventory for resource provider {uuid} because the "
            "inventory was updated by another process. Please retry your request.",
            code=errors.CONCURRENT_UPDATE,
        ) from None
    except exceptions.InventoryInUse as exc:
        raise http.error(
            webob.exc.HTTPConflict, str(exc), code=errors.INVENTORY_INUSE
        ) from None
    return http.empty_response(req, status=204)


@http.handler
@http.require_content("application/json")
def update_inventory(req: webob.Request) -> webob.Response:
    """PUT one existing inventory: 200 with the inventory (all microversions).

    The generation is checked and incremented; this never creates inventory.
    """
    policy.authorize(req, POLICY % "update")
    uuid = http.path_arg(req, "uuid")
    rc_name = http.path_arg(req, "resource_class")
    try:
        with _write_conflicts(), storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)  # ProviderNotFound: the plain 404
            data = inventories.with_defaults(
                http.extract_json(req.body, schema.BASE_INVENTORY_SCHEMA))
            _check_generation(data, provider)
            inventories.check_capacity(
                uuid, {rc_name: data}, allow_zero_capacity=_capacity_ok(req)
            )
            # An unknown class (ResourceClassNotFound) escapes as a plain 404.
            if not inventories.update(conn, provider, rc_name, data):
                raise http.error(
                    webob.exc.HTTPBadRequest,
                    "No inventory record with resource class for resource provider "
                    f"{uuid}: No inventory of class {rc_name} found.",
                )
            generation = providers.increment_generation(conn, provider)
    except exceptions.InvalidInventoryCapacity as exc:
        raise http.error(
            webob.exc.HTTPBadRequest,
            f"Unable to update inventory for resource provider {uuid}: {exc}",
        ) from None
    return _respond(req, _serialize(data, generation), http.utcnow())


@http.handler
def delete_inventory(req: webob.Request) -> webob.Response:
    """DELETE one inventory: 204 (all microversions); the generation is incremented.

    Allocations against it give 409 with code ``placement.concurrent_update``
    (not ``inventory.inuse``), as in Placement.
    """
    policy.authorize(req, POLICY % "delete")
    uuid = http.path_arg(req, "uuid")
    rc_name = http.path_arg(req, "resource_class")
    try:
        with storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)  # ProviderNotFound: the plain 404
            if not inventories.delete(conn, provider, rc_name):
                msg = f"No inventory of class {rc_name} found for delete"
                raise exceptions.NotFound(msg)
            providers.increment_generation(conn, provider)
    except exceptions.ConcurrentUpdate:
        raise http.error(
            webob.exc.HTTPConflict,
            f"Unable to delete inventory of class {rc_name}: {RP_CONCURRENT_MSG}",
            code=errors.CONCURRENT_UPDATE,
        ) from None
    except exceptions.InventoryInUse as exc:
        raise http.error(
            webob.exc.HTTPConflict,
            f"Unable to delete inventory of class {rc_name}: {exc}",
            code=errors.CONCURRENT_UPDATE,
        ) from None
    except exceptions.ProviderNotFound:
        raise  # the plain 404
    except exceptions.NotFound as exc:
        raise http.error(
            webob.exc.HTTPNotFound,
            f"No inventory of class {rc_name} found for delete: {exc}",
        ) from None
    return http.empty_response(req, status=204)
