"""Server, flavor and migration bodies, per compute microversion."""

from __future__ import annotations

import datetime
from typing import Any

import webob

from refcloud import http
from refcloud.compute import microversion
from refcloud.compute.store import Migration, Server
from refcloud.scheduler.request_spec import Flavor


def timestamp(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def server_url(req: webob.Request, server_id: str) -> str:
    return f"{http.prefix(req)}/servers/{server_id}"


def links(req: webob.Request, server_id: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": server_url(req, server_id)}]


def flavor(value: Flavor) -> dict[str, Any]:
    return {"id": value.flavor_id, "name": value.name, "vcpus": value.vcpus,
            "ram": value.memory_mb, "disk": value.disk_gb}


def server_summary(req: webob.Request, server: Server) -> dict[str, Any]:
    """The ``GET /servers`` entry."""
    return {"id": server.id, "name": server.name, "links": links(req, server.id)}


def server(req: webob.Request, value: Server) -> dict[str, Any]:
    """The full server (``GET /servers/{id}``, ``/servers/detail``); 1.1 adds availability_zone."""
    body: dict[str, Any] = {
        "id": value.id,
        "name": value.name,
        "status": value.status,
        "tenant_id": value.project_id,
        "user_id": value.user_id,
        "flavor": flavor(value.flavor),
        "host": value.host,
        "created": timestamp(value.created),
        "updated": timestamp(value.updated),
        "links": links(req, value.id),
    }
    if value.fault is not None:
        body["fault"] = {
            "code": value.fault["code"],
            "message": value.fault["message"],
            "details": value.fault.get("details", ""),
            "created": timestamp(value.fault["created"]),
        }
    if microversion.at_least(req, microversion.AVAILABILITY_ZONE):
        body["availability_zone"] = value.availability_zone
    return body


def migration(value: Migration) -> dict[str, Any]:
    return {
        "uuid": value.uuid,
        "instance_uuid": value.instance_uuid,
        "migration_type": value.migration_type,
        "status": value.status,
        "source_compute": value.source_compute,
        "dest_compute": value.dest_compute,
        "created_at": timestamp(value.created),
        "updated_at": timestamp(value.updated),
    }
