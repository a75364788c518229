"""Usage handlers: GET /resource_providers/{uuid}/usages and GET /usages."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import exceptions, http, microversion, policy, storage
from refcloud.placement.schemas import usage as schema
from refcloud.storage import providers, usages


@http.handler
@http.check_accept("application/json")
def list_usages(req: webob.Request) -> webob.Response:
    """GET /resource_providers/{uuid}/usages: 200 (all microversions).

    Every class the provider has inventory of is listed (0 when unused);
    Last-Modified is "now".
    """
    policy.authorize(req, "placement:resource_providers:usages")
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).reader() as conn:
        try:
            provider = providers.get_by_uuid(conn, uuid)
        except exceptions.ProviderNotFound as exc:
            raise http.error(
                webob.exc.HTTPNotFound, f"No resource provider with uuid {uuid} found: {exc}"
            ) from None
        used = usages.provider_usages(conn, provider.id)
    body = {"resource_provider_generation": provider.generation, "usages": used}
    return http.json_response(req, body, last_modified=True)


@http.handler
@microversion.version_handler(microversion.USAGES)
@http.check_accept("application/json")
def get_total_usages(req: webob.Request) -> webob.Response:
    """GET /usages?project_id=[&user_id=][&consumer_type=]: 200 from 1.9 (404 before).

    1.9-1.37: {"usages": {RC: n}}; 1.38+: grouped by consumer type with a
    consumer_count per group. Last-Modified is "now".
    """
    project_id = req.GET.get("project_id")
    user_id = req.GET.get("user_id")
    consumer_type = req.GET.get("consumer_type")
    policy.authorize(req, "placement:usages", {"project_id": project_id})
    by_type = microversion.at_least(req, microversion.CONSUMER_TYPES)
    http.validate_query(req, microversion.pick(req, schema.GET_USAGES_SCHEMAS))
    with storage.of(req).reader() as conn:
        if not all(providers.storable(conn, v) for v in (project_id, user_id, consumer_type) if v):
            # text the database cannot hold (NUL on PostgreSQL) matches no consumer
            return http.json_response(req, {"usages": {}}, last_modified=True)
        if by_type:
            result: dict = usages.usages_by_consumer_type(
                conn, project_id, user_id=user_id, consumer_type=consumer_type
            )
        else:
            result = usages.total_usages(conn, project_id, user_id=user_id)
    return http.json_response(req, {"usages": result}, last_modified=True)
