"""/os-simulation/hosts (admin): the compute hosts, their cells and fault injection.

``PUT /os-simulation/hosts/{name}`` with ``{"fault": {"probability": 0.1}}``,
``{"fault": {"always": true}}`` or ``{"fault": null}`` sets how builds on that
host fail.
"""

from __future__ import annotations

from typing import Any

import webob
import webob.exc

from refcloud import http
from refcloud.compute import policy, wsgi
from refcloud.compute.hosts import Fault
from refcloud.compute.schemas.simulation import SET_HOST
from refcloud.compute.service import ComputeService
from refcloud.scheduler.cells import HostInfo


def _host_body(service: ComputeService, info: HostInfo) -> dict[str, Any]:
    fault = service.fleet.fault(info.name)
    counters = service.fleet.counters(info.name)
    return {
        "name": info.name,
        "uuid": info.uuid,
        "cell_uuid": info.cell_uuid,
        "cell_name": service.host_map.cell_name(info.cell_uuid),
        "availability_zone": info.availability_zone,
        "fault": fault.as_dict() if fault.always or fault.probability else None,
        "builds": counters.builds,
        "build_failures": counters.failures,
    }


def _find_host(req: webob.Request, service: ComputeService) -> HostInfo:
    name = http.path_arg(req, "host")
    info = service.host_map.by_name(name)
    if info is None:
        raise http.error(webob.exc.HTTPNotFound, f"Compute host {name} could not be found.",
                         code=wsgi.HOST_NOT_FOUND)
    return info


@http.handler
@http.check_accept(http.JSON)
def list_hosts(req: webob.Request) -> webob.Response:
    """200 ``{"hosts": [...]}`` (re-reads cell membership from Placement)."""
    policy.authorize(req, "compute:simulation:hosts")
    service: ComputeService = wsgi.service(req)
    service.host_map.refresh()
    return http.json_response(
        req, {"hosts": [_host_body(service, h) for h in service.host_map.hosts()]})


@http.handler
@http.check_accept(http.JSON)
def show_host(req: webob.Request) -> webob.Response:
    """200 ``{"host": {...}}``; 404 for a host in no cell."""
    policy.authorize(req, "compute:simulation:hosts")
    service: ComputeService = wsgi.service(req)
    return http.json_response(req, {"host": _host_body(service, _find_host(req, service))})


@http.handler
@http.require_content(http.JSON)
def set_host(req: webob.Request) -> webob.Response:
    """200 ``{"host": {...}}`` after setting the host's fault injection."""
    policy.authorize(req, "compute:simulation:hosts")
    service: ComputeService = wsgi.service(req)
    data = http.extract_json(req.body, SET_HOST)
    info = _find_host(req, service)
    fault = data["fault"]
    service.fleet.set_fault(info.name, Fault(**fault) if fault is not None else None)
    return http.json_response(req, {"host": _host_body(service, info)})
