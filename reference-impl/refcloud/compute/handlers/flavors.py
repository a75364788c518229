"""GET /flavors: the configured flavors (flavorRef takes an id or a name)."""

from __future__ import annotations

import webob

from refcloud import http
from refcloud.compute import policy, views, wsgi
from refcloud.compute.service import ComputeService


@http.handler
@http.check_accept(http.JSON)
def list_flavors(req: webob.Request) -> webob.Response:
    """200 ``{"flavors": [{id, name, vcpus, ram, disk}]}``."""
    policy.authorize(req, "compute:flavors:index")
    service: ComputeService = wsgi.service(req)
    return http.json_response(req, {"flavors": [views.flavor(f) for f in service.config.flavors]})
