"""Handlers for allocations: per provider, per consumer, and POST /allocations."""

from __future__ import annotations

from typing import Any, NoReturn

import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.config import Config
from refcloud.placement.schemas import allocation as schema
from refcloud.storage import allocations as allocations_db
from refcloud.storage import providers

#: Consumer fields of GET /allocations/{consumer_uuid}, with the version each appears in.
_CONSUMER_FIELDS = (
    (microversion.ALLOCATIONS_DICT, "project_id"),
    (microversion.ALLOCATIONS_DICT, "user_id"),
    (microversion.CONSUMER_GENERATIONS, "consumer_generation"),
    (microversion.CONSUMER_TYPES, "consumer_type"),
)
CHANGED_WHILE_ALLOCATING = "Inventory and/or allocations changed while attempting to allocate: %s"


def retry_count(req: webob.Request) -> int:
    """How many times an allocation write is tried on a generation race."""
    config = req.environ.get("refcloud.config")
    if isinstance(config, Config):
        return config.allocation_conflict_retry_count
    return Config().allocation_conflict_retry_count


def consumer_requests(
    data: dict[str, Any], *, with_type: bool
) -> list[allocations_db.ConsumerRequest]:
    """The POST /allocations body (or the reshaper's allocations) as requests."""
    return [
        allocations_db.ConsumerRequest(
            uuid=consumer_uuid,
            project_id=body["project_id"],
            user_id=body["user_id"],
            allocations={rp: alloc["resources"] for rp, alloc in body["allocations"].items()},
            generation=body.get("consumer_generation"),
            consumer_type=body.get("consumer_type") if with_type else None,
        )
        for consumer_uuid, body in data.items()
    ]


def raise_write_error(exc: Exception, not_found_message: str) -> NoReturn:
    """Turn a storage error from an allocation write into Placement's HTTP error."""
    if isinstance(exc, exceptions.ConsumerGenerationConflict):
        raise http.error(webob.exc.HTTPConflict, str(exc), code=errors.CONCURRENT_UPDATE)
    if isinstance(exc, exceptions.BadRequest):  # unknown provider, unstorable text
        raise http.error(webob.exc.HTTPBadRequest, str(exc))
    if isinstance(exc, exceptions.NotFound):
        raise http.error(webob.exc.HTTPBadRequest, not_found_message % exc)
    if isinstance(exc, exceptions.InvalidInventory):
        raise http.error(webob.exc.HTTPConflict, f"Unable to allocate inventory: {exc}")
    if isinstance(exc, exceptions.ConcurrentUpdate):
        raise http.error(
            webob.exc.HTTPConflict, CHANGED_WHILE_ALLOCATING % exc, code=errors.CONCURRENT_UPDATE
        )
    raise exc


@http.handler
@http.check_accept("application/json")
def list_for_resource_provider(req: webob.Request) -> webob.Response:
    """GET /resource_providers/{uuid}/allocations: 200 at every version.

    ``consumer_generation`` per consumer from 1.28; 404 for an unknown provider.
    """
    policy.authorize(req, "placement:resource_providers:allocations:list")
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).reader() as conn:
        provider = providers.find_for_request(conn, uuid)
        if provider is None:
            raise http.error(
                webob.exc.HTTPNotFound,
                f"Resource provider '{uuid}' not found: "
                f"{exceptions.ProviderNotFound(uuid=uuid)}",
            )
        rows = allocations_db.get_for_provider(conn, provider.id)
    show_generation = microversion.at_least(req, microversion.CONSUMER_GENERATIONS)
    result: dict[str, dict] = {}
    for row in rows:
        entry = result.setdefault(row.consumer_uuid, {"resources": {}})
        entry["resources"][row.resource_class] = row.used
        if show_generation:
            entry["consumer_generation"] = row.consumer_generation
    body = {"allocations": result, "resource_provider_generation": provider.generation}
    return http.json_response(
        req, body, last_modified=http.newest([r.updated_at or r.created_at for r in rows])
    )


@http.handler
@http.check_accept("application/json")
def list_for_consumer(req: webob.Request) -> webob.Response:
    """GET /allocations/{consumer_uuid}: 200 at every version, never 404.

    project_id/user_id from 1.12, consumer_generation from 1.28 and
    consumer_type from 1.38, only when the consumer has allocations.
    """
    policy.authorize(req, "placement:allocations:list")
    consumer_uuid = http.path_arg(req, "consumer_uuid")
    with storage.of(req).reader() as conn:
        found = allocations_db.get_for_consumer(conn, consumer_uuid)
    by_provider: dict[str, dict] = {}
    body: dict[str, Any] = {"allocations": by_provider}
    times = []
    if found is not None:
        for alloc in found.allocations:
            entry = by_provider.setdefault(alloc.provider_uuid, {"resources": {}})
            entry["resources"][alloc.resource_class] = alloc.used
            entry["generation"] = alloc.provider_generation
            times.append(alloc.updated_at or alloc.created_at)
        consumer = {
            "project_id": found.consumer.project_external_id,
            "user_id": found.consumer.user_external_id,
            "consumer_generation": found.consumer.generation,
            "consumer_type": found.consumer_type,
        }
        body.update(
            (key, consumer[key]) for since, key in _CONSUMER_FIELDS
            if microversion.at_least(req, since)
        )
    return http.json_response(req, body, last_modified=http.newest(times))


@http.handler
@http.require_content("application/json")
def set_allocations_for_consumer(req: webob.Request) -> webob.Response:
    """PUT /allocations/{consumer_uuid}: 204 at every version.

    Bodies: list form 1.0-1.11 (project/user required from 1.8), dict form
    from 1.12, consumer_generation (and empty allocations) from 1.28,
    ignored mappings from 1.34, consumer_type from 1.38.
    """
    policy.authorize(req, "placement:allocations:update")
    consumer_uuid = http.path_arg(req, "consumer_uuid")
    if not http.is_uuid_like(consumer_uuid):
        raise http.error(webob.exc.HTTPBadRequest, f"Malformed consumer_uuid: {consumer_uuid}")
    consumer_uuid = http.normalize_uuid(consumer_uuid)
    data = http.extract_json(req.body, microversion.pick(req, schema.PUT_SCHEMAS))
    allocations = data["allocations"]
    if not microversion.at_least(req, microversion.ALLOCATIONS_DICT):
        allocations = {
            item["resource_provider"]["uuid"]: {"resources": item["resources"]}
            for item in allocations
        }
    project_id = data.get("project_id")
    user_id = data.get("user_id")
    if project_id is None:
        project_id = user_id = allocations_db.INCOMPLETE_CONSUMER_ID
    request = allocations_db.ConsumerRequest(
        uuid=consumer_uuid,
        project_id=project_id,
        user_id=user_id,
        allocations={rp: alloc["resources"] for rp, alloc in allocations.items()},
        generation=data.get("consumer_generation"),
        consumer_type=(
            data.get("consumer_type")
            if microversion.at_least(req, microversion.CONSUMER_TYPES) else None
        ),
    )
    try:
        allocations_db.write(
            storage.of(req), [request],
            check_generations=microversion.at_least(req, microversion.CONSUMER_GENERATIONS),
            attempts=retry_count(req),
        )
    except exceptions.RefcloudError as exc:
        raise_write_error(
            exc, f"Unable to allocate inventory for consumer {consumer_uuid}: %s"
        )
    return http.empty_response(req, status=204)


@http.handler
@microversion.version_handler(microversion.POST_ALLOCATIONS)
@http.require_content("application/json")
def set_allocations(req: webob.Request) -> webob.Response:
    """POST /allocations: 204 from 1.13 (404 before); atomic over consumers.

    An empty ``allocations`` removes that consumer's allocations.
    consumer_generation is required from 1.28, consumer_type from 1.38.
    """
    policy.authorize(req, "placement:allocations:manage")
    data = http.extract_json(req.body, microversion.pick(req, schema.POST_SCHEMAS))
    requests = consumer_requests(
        data, with_type=microversion.at_least(req, microversion.CONSUMER_TYPES)
    )
    try:
        allocations_db.write(
            storage.of(req), requests,
            check_generations=microversion.at_least(req, microversion.CONSUMER_GENERATIONS),
            attempts=retry_count(req),
        )
    except exceptions.RefcloudError as exc:
        raise_write_error(exc, "Unable to allocate inventory %s")
    return http.empty_response(req, status=204)


@http.handler
def delete_allocations(req: webob.Request) -> webob.Response:
    """DELETE /allocations/{consumer_uuid}: 204; 404 when it has no allocations."""
    policy.authorize(req, "placement:allocations:delete")
    consumer_uuid = http.path_arg(req, "consumer_uuid")
    with storage.of(req).writer() as conn:
        deleted = allocations_db.delete_for_consumer(conn, consumer_uuid)
    if not deleted:
        raise http.error(
            webob.exc.HTTPNotFound, f"No allocations for consumer '{consumer_uuid}'"
        )
    return http.empty_response(req, status=204)
