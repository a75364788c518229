"""GET /os-migrations (admin): migrations, optionally of one instance."""

from __future__ import annotations

import webob

from refcloud import http
from refcloud.compute import policy, views, wsgi
from refcloud.compute.service import ComputeService

QUERY = {
    "type": "object",
    "properties": {"instance_uuid": {"type": "string", "format": "uuid"}},
    "additionalProperties": False,
}


@http.handler
@http.check_accept(http.JSON)
def list_migrations(req: webob.Request) -> webob.Response:
    """200 ``{"migrations": [{uuid, instance_uuid, status, source/dest_compute, ...}]}``."""
    policy.authorize(req, "compute:migrations:index")
    params = http.validate_query(req, QUERY)
    service: ComputeService = wsgi.service(req)
    found = service.store.migrations(params.get("instance_uuid"))
    return http.json_response(req, {"migrations": [views.migration(m) for m in found]})
