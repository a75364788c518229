"""/servers: create (202 + Location), list, detail, show, delete (204)."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http
from refcloud.compute import policy, views, wsgi
from refcloud.compute.schemas import servers as schemas
from refcloud.compute.service import ComputeService
from refcloud.compute.store import Server, ServerNotFound


def find_server(req: webob.Request) -> Server:
    """The server named in the path, if the caller may see it (404 otherwise)."""
    service: ComputeService = wsgi.service(req)
    server_id = http.path_arg(req, "server_id")
    server = service.store.find(server_id)
    if server is None or not policy.can_see(req, server.project_id):
        raise http.error(webob.exc.HTTPNotFound, str(ServerNotFound(server_id)),
                         code=wsgi.SERVER_NOT_FOUND)
    return server


def _visible(req: webob.Request) -> list[Server]:
    service: ComputeService = wsgi.service(req)
    project = None if policy.is_admin(req) else policy.context(req).project_id
    return service.store.list(project)


@http.handler
@http.check_accept(http.JSON)
def list_servers(req: webob.Request) -> webob.Response:
    """200 ``{"servers": [{id, name, links}]}`` (the caller's project; all for admin)."""
    policy.authorize(req, "compute:servers:index")
    body = {"servers": [views.server_summary(req, s) for s in _visible(req)]}
    return http.json_response(req, body)


@http.handler
@http.check_accept(http.JSON)
def list_servers_detail(req: webob.Request) -> webob.Response:
    """200 ``{"servers": [<full server>]}``."""
    policy.authorize(req, "compute:servers:detail")
    body = {"servers": [views.server(req, s) for s in _visible(req)]}
    return http.json_response(req, body)


@http.handler
@http.check_accept(http.JSON)
def show_server(req: webob.Request) -> webob.Response:
    """200 ``{"server": {...}}``; 404 for an unknown (or another project's) server."""
    policy.authorize(req, "compute:servers:show")
    return http.json_response(req, {"server": views.server(req, find_server(req))})


@http.handler
@http.require_content(http.JSON)
def create_server(req: webob.Request) -> webob.Response:
    """202 with Location and ``{"server": {id, links}}``; the build continues in BUILD.

    ``max_count`` > 1 creates that many servers scheduled together (all or
    nothing); the answer names the first.
    """
    ctx = policy.authorize(req, "compute:servers:create")
    service: ComputeService = wsgi.service(req)
    data = http.extract_json(req.body, schemas.CREATE_SERVER)["server"]
    flavor = service.config.flavor(str(data["flavorRef"]))
    if flavor is None:
        raise http.error(webob.exc.HTTPBadRequest,
                         f"Flavor {data['flavorRef']} could not be found.")
    zone = data.get("availability_zone")
    if zone is not None and zone not in service.config.availability_zones:
        raise http.error(webob.exc.HTTPBadRequest,
                         f"The requested availability zone is not available: {zone}")
    min_count = data.get("min_count", 1)
    max_count = data.get("max_count", min_count)
    if min_count > max_count:
        raise http.error(webob.exc.HTTPBadRequest, "min_count must be <= max_count")
    if max_count > service.config.max_count_limit:
        raise http.error(webob.exc.HTTPBadRequest,
                         f"max_count must be <= {service.config.max_count_limit}")
    servers = service.create_servers(
        name=data["name"], flavor=flavor, count=max_count, project_id=str(ctx.project_id),
        user_id=str(ctx.user_id), availability_zone=zone)
    first = servers[0]
    body = {"server": {"id": first.id, "links": views.links(req, first.id)}}
    return http.json_response(req, body, status=202, location=views.server_url(req, first.id))


@http.handler
def delete_server(req: webob.Request) -> webob.Response:
    """204; the server's allocations (and a pending migration's) are deleted."""
    policy.authorize(req, "compute:servers:delete")
    server = find_server(req)
    service: ComputeService = wsgi.service(req)
    try:
        service.delete(server.id)
    except ServerNotFound as exc:  # deleted concurrently
        raise http.error(webob.exc.HTTPNotFound, str(exc), code=wsgi.SERVER_NOT_FOUND) from None
    return http.empty_response(req, status=204)
