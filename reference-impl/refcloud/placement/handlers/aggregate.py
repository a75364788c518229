"""Handlers for /resource_providers/{uuid}/aggregates (microversion >= 1.1)."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement.schemas import aggregate as schema
from refcloud.storage import aggregates, providers


def _send(req: webob.Request, aggregate_uuids: list[str], generation: int) -> webob.Response:
    body: dict = {"aggregates": aggregate_uuids}
    if microversion.at_least(req, microversion.AGGREGATES_GENERATION):
        body["resource_provider_generation"] = generation
    # the association time is not recorded, so Last-Modified is "now"
    return http.json_response(req, body, last_modified=True)


@http.handler
@http.check_accept(http.JSON)
@microversion.version_handler(microversion.AGGREGATES)
def get_aggregates(req: webob.Request) -> webob.Response:
    """GET: 200 ``{"aggregates": [...]}`` (1.1-1.18), plus the generation (>= 1.19)."""
    policy.authorize(req, "placement:resource_providers:aggregates:list")
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).reader() as conn:
        provider = providers.get_for_request(conn, uuid)
        found = aggregates.provider_aggregate_uuids(conn, provider.id)
    return _send(req, found, provider.generation)


@http.handler
@http.require_content(http.JSON)
@microversion.version_handler(microversion.AGGREGATES)
def set_aggregates(req: webob.Request) -> webob.Response:
    """PUT: 200 with the new set; a bare list (1.1-1.18) or an object whose
    generation is checked and then always incremented (>= 1.19)."""
    policy.authorize(req, "placement:resource_providers:aggregates:update")
    with_generation = microversion.at_least(req, microversion.AGGREGATES_GENERATION)
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).writer() as conn:
        provider = providers.get_for_request(conn, uuid)
        data = http.extract_json(req.body, microversion.pick(req, schema.PUT_SCHEMAS))
        generation = provider.generation
        if with_generation:
            if data["resource_provider_generation"] != provider.generation:
                raise http.error(
                    webob.exc.HTTPConflict,
                    "Resource provider's generation already changed. Please update the "
                    "generation and try again.",
                    code=errors.CONCURRENT_UPDATE,
                )
            wanted = data["aggregates"]
        else:
            wanted = data
        try:
            aggregates.set_provider_aggregates(conn, provider.id, wanted)
        except exceptions.BadRequest as exc:
            raise http.error(webob.exc.HTTPBadRequest, str(exc)) from None
        if with_generation:
            try:
                generation = providers.increment_generation(conn, provider)
            except exceptions.ConcurrentUpdate:
                raise http.error(
                    webob.exc.HTTPConflict,
                    "Update conflict: Another thread concurrently updated the resource "
                    "provider data. Please retry your update",
                    code=errors.CONCURRENT_UPDATE,
                ) from None
    return _send(req, wanted, generation)
