"""Resource class handlers: /resource_classes and /resource_classes/{name} (1.2+)."""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
import webob
import webob.exc

from refcloud import http, microversion, policy, storage
from refcloud.placement.schemas import resource_class as schema
from refcloud.storage import resource_classes as rc_db

POLICY = "placement:resource_classes:%s"
CREATE_ATTEMPTS = 100


def _serialize(req: webob.Request, rc: rc_db.ResourceClass) -> dict[str, Any]:
    return {
        "name": rc.name,
        "links": [{"rel": "self", "href": http.resource_class_url(req, rc.name)}],
    }


def _modified(rc: rc_db.ResourceClass) -> datetime.datetime | None:
    return rc.updated_at or rc.created_at


def _create(req: webob.Request, name: str) -> rc_db.ResourceClass:
    """Create a custom class, retrying when a concurrent create took the id."""
    db = storage.of(req)
    for _attempt in range(CREATE_ATTEMPTS):
        try:
            with db.writer() as conn:
                return rc_db.create(conn, name)
        except sa.exc.IntegrityError:
            with db.reader() as conn:
                if rc_db.find_by_name(conn, name) is not None:
                    raise rc_db.ResourceClassExists(name=name) from None
    raise http.error(
        webob.exc.HTTPConflict,
        "Max retries of DB transaction exceeded attempting to create resource class: "
        f"{name}, please try again.",
    )


@http.handler
@microversion.version_handler(microversion.RESOURCE_CLASSES)
@http.check_accept("application/json")
def list_resource_classes(req: webob.Request) -> webob.Response:
    """GET /resource_classes: 200 from 1.2 (404 before)."""
    policy.authorize(req, POLICY % "list")
    with storage.of(req).reader() as conn:
        rcs = rc_db.list_all(conn)
    body = {"resource_classes": [_serialize(req, rc) for rc in rcs]}
    return http.json_response(
        req, body, last_modified=http.newest(_modified(rc) for rc in rcs)
    )


@http.handler
@microversion.version_handler(microversion.RESOURCE_CLASSES)
@http.require_content("application/json")
def create_resource_class(req: webob.Request) -> webob.Response:
    """POST /resource_classes: 201 with Location and no body from 1.2 (404 before)."""
    policy.authorize(req, POLICY % "create")
    data = http.extract_json(req.body, schema.POST_RC_SCHEMA_V1_2)
    name = data["name"]
    try:
        rc = _create(req, name)
    except rc_db.ResourceClassExists:
        raise http.error(
            webob.exc.HTTPConflict, f"Conflicting resource class already exists: {name}"
        ) from None
    return http.empty_response(
        req, status=201, location=http.resource_class_url(req, rc.name)
    )


@http.handler
@microversion.version_handler(microversion.RESOURCE_CLASSES)
@http.check_accept("application/json")
def get_resource_class(req: webob.Request) -> webob.Response:
    """GET /resource_classes/{name}: 200 from 1.2 (404 before)."""
    name = http.path_arg(req, "name")
    policy.authorize(req, POLICY % "show")
    with storage.of(req).reader() as conn:
        rc = rc_db.get_by_name(conn, name)  # NotFound becomes the 404
    return http.json_response(
        req, _serialize(req, rc), last_modified=_modified(rc) or True
    )


@http.handler
@microversion.version_handler(microversion.RESOURCE_CLASSES)
def delete_resource_class(req: webob.Request) -> webob.Response:
    """DELETE /resource_classes/{name}: 204 from 1.2 (404 before).

    400 for a standard class, 409 when inventory uses it.
    """
    name = http.path_arg(req, "name")
    policy.authorize(req, POLICY % "delete")
    try:
        with storage.of(req).writer() as conn:
            rc = rc_db.get_by_name(conn, name)
            rc_db.delete(conn, rc)
    except rc_db.CannotDeleteStandard as exc:
        raise http.error(
            webob.exc.HTTPBadRequest, f"Error in delete resource class: {exc}"
        ) from None
    except rc_db.ResourceClassInUse as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"Error in delete resource class: {exc}"
        ) from None
    return http.empty_response(req, status=204)


@http.require_content("application/json")
def _rename(req: webob.Request) -> webob.Response:
    """PUT 1.2-1.6: rename a custom class, 200 with the class."""
    name = http.path_arg(req, "name")
    policy.authorize(req, POLICY % "update")
    data = http.extract_json(req.body, microversion.pick(req, schema.PUT_RC_SCHEMAS))
    new_name = data["name"]
    try:
        with storage.of(req).writer() as conn:
            rc = rc_db.get_by_name(conn, name)  # NotFound becomes the 404
            rc = rc_db.rename(conn, rc, new_name)
    except (rc_db.ResourceClassExists, sa.exc.IntegrityError):
        raise http.error(
            webob.exc.HTTPConflict, f"Resource class already exists: {new_name}"
        ) from None
    except rc_db.CannotUpdateStandard:
        raise http.error(
            webob.exc.HTTPBadRequest, f"Cannot update standard resource class {name}"
        ) from None
    return http.json_response(req, _serialize(req, rc))


def _create_or_verify(req: webob.Request) -> webob.Response:
    """PUT 1.7+: no body; 201 when created, 204 when it already existed."""
    name = http.path_arg(req, "name")
    policy.authorize(req, POLICY % "update")
    # Placement validates the path name by pasting it into a JSON document,
    # so a name that breaks the JSON is "Malformed JSON".
    http.extract_json(f'{{"name": "{name}"}}', schema.PUT_RC_SCHEMA_V1_2)
    status = 204
    with storage.of(req).reader() as conn:
        existing = rc_db.find_by_name(conn, name)
    if existing is None:
        try:
            _create(req, name)
            status = 201
        except rc_db.ResourceClassExists:
            pass  # created concurrently: it exists, so 204
    return http.empty_response(
        req, status=status, location=http.resource_class_url(req, name)
    )


_PUT_BY_VERSION = (
    (microversion.RESOURCE_CLASSES, _rename),
    (microversion.RESOURCE_CLASS_PUT_CREATE, _create_or_verify),
)


@http.handler
@microversion.version_handler(microversion.RESOURCE_CLASSES)
def update_resource_class(req: webob.Request) -> webob.Response:
    """PUT /resource_classes/{name}: 1.2-1.6 rename (200); 1.7+ create-or-verify
    (201/204); 404 below 1.2."""
    return microversion.pick(req, _PUT_BY_VERSION)(req)

