"""Traits: /traits, /traits/{name} and /resource_providers/{uuid}/traits.

Every route exists from microversion 1.6 (404 below). Last-Modified and
Cache-Control are added from 1.15, taken from the traits' own timestamps
(or "now" when there are none).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import jsonschema
import sqlalchemy as sa
import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement.schemas import trait as schema
from refcloud.storage import providers
from refcloud.storage import traits as trait_store

INVALID_TRAIT = (
    "The trait is invalid. A valid trait must be no longer than 255 characters, "
    'start with the prefix "CUSTOM_" and use following characters: "A"-"Z", '
    '"0"-"9" and "_"'
)
BAD_NAME_PARAM = (
    "Badly formatted name parameter. Expected name query string parameter in "
    'form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "%s"'
)
BAD_ASSOCIATED = 'The query parameter "associated" only accepts "true" or "false"'
GENERATION_CHANGED = (
    "Resource provider's generation already changed. Please update the "
    "generation and try again."
)
CONCURRENT_PROVIDER_UPDATE = (
    "Another thread concurrently updated the resource provider data. "
    "Please retry your update"
)


def _last_modified(rows: Iterable[sa.Row]) -> datetime.datetime:
    """Newest updated_at-or-created_at of the traits; now for none."""
    return http.newest(row.updated_at or row.created_at for row in rows)


def _traits_body(rows: list[sa.Row]) -> dict:
    return {"traits": [row.name for row in rows]}


def _name_filters(value: str) -> dict:
    """``in:A,B`` or ``startswith:P``; any other ``op:`` means no filter."""
    op, sep, rest = value.partition(":")
    if not sep:
        raise http.error(webob.exc.HTTPBadRequest, BAD_NAME_PARAM % value)
    if op == "in":
        return {"name_in": rest.split(",")}
    if op == "startswith":
        return {"prefix": rest}
    return {}


@http.handler
@microversion.version_handler(microversion.TRAITS)
@http.check_accept(http.JSON)
def list_traits(req: webob.Request) -> webob.Response:
    """GET /traits: 200 ``{"traits": [...]}`` (1.6+).

    ``name=in:A,B`` lists by name, everything else in creation order.
    """
    policy.authorize(req, "placement:traits:list")
    params = http.validate_query(req, schema.LIST_TRAIT_SCHEMA)
    filters: dict = {}
    if "name" in params:
        filters = _name_filters(params["name"])
    if "associated" in params:
        associated = params["associated"].lower()
        if associated not in ("true", "false"):
            raise http.error(webob.exc.HTTPBadRequest, BAD_ASSOCIATED)
        filters["associated"] = associated == "true"
    with storage.of(req).reader() as conn:
        rows = trait_store.list_filtered(conn, **filters)
    return http.json_response(req, _traits_body(rows), last_modified=_last_modified(rows))


@http.handler
@microversion.version_handler(microversion.TRAITS)
def get_trait(req: webob.Request) -> webob.Response:
    """GET /traits/{name}: 204, no body (1.6+); no Accept check."""
    policy.authorize(req, "placement:traits:show")
    name = http.path_arg(req, "name")
    with storage.of(req).reader() as conn:
        row = trait_store.get_by_name(conn, name)
    if row is None:
        raise http.error(webob.exc.HTTPNotFound, f"No such trait(s): {name}.")
    resp = http.empty_response(req, status=204)
    if row.created_at is not None:
        http.add_cache_headers(req, resp, row.created_at)
    return resp


@http.handler
@microversion.version_handler(microversion.TRAITS)
def put_trait(req: webob.Request) -> webob.Response:
    """PUT /traits/{name}: 201 if created, 204 if it existed (1.6+).

    Both carry Location; only CUSTOM_ names may be created (400 otherwise).
    """
    policy.authorize(req, "placement:traits:update")
    name = http.path_arg(req, "name")
    try:
        http.validate(name, schema.CUSTOM_TRAIT)
    except jsonschema.ValidationError:
        raise http.error(webob.exc.HTTPBadRequest, INVALID_TRAIT) from None
    status = 204
    created: datetime.datetime | None = None
    try:
        with storage.of(req).writer() as conn:
            row = trait_store.get_by_name(conn, name)
            if row is None:
                row = trait_store.create(conn, name)
                status = 201
            created = row.created_at
    except sa.exc.IntegrityError:
        # another request created it meanwhile: it exists, timestamp unknown
        status = 204
        created = None
    resp = http.empty_response(req, status=status, location=http.trait_url(req, name))
    http.add_cache_headers(req, resp, created or True)
    return resp


@http.handler
@microversion.version_handler(microversion.TRAITS)
def delete_trait(req: webob.Request) -> webob.Response:
    """DELETE /traits/{name}: 204 (1.6+).

    404 unknown, 400 for a standard trait, 409 when a provider has it.
    """
    policy.authorize(req, "placement:traits:delete")
    name = http.path_arg(req, "name")
    with storage.of(req).writer() as conn:
        row = trait_store.get_by_name(conn, name)
        if row is None:
            raise http.error(webob.exc.HTTPNotFound, f"No such trait(s): {name}.")
        if not name.startswith(trait_store.CUSTOM_PREFIX):
            raise http.error(
                webob.exc.HTTPBadRequest, f"Cannot delete standard trait {name}."
            )
        if not trait_store.delete_unused(conn, row.id):
            if trait_store.in_use(conn, row.id):
                raise http.error(
                    webob.exc.HTTPConflict,
                    f"The trait {name} is in use by a resource provider.",
                )
            raise http.error(webob.exc.HTTPNotFound, f"No such trait(s): {name}.")
    return http.empty_response(req, status=204)


@http.handler
@microversion.version_handler(microversion.TRAITS)
@http.check_accept(http.JSON)
def list_traits_for_resource_provider(req: webob.Request) -> webob.Response:
    """GET /resource_providers/{uuid}/traits: 200 traits + generation (1.6+)."""
    policy.authorize(req, "placement:resource_providers:traits:list")
    uuid = http.path_arg(req, "uuid")
    with storage.of(req).reader() as conn:
        try:
            provider = providers.get_by_uuid(conn, uuid)
        except exceptions.ProviderNotFound as exc:
            # Placement repeats the message after its own prefix
            raise http.error(
                webob.exc.HTTPNotFound,
                f"No resource provider with uuid {uuid} found: {exc}",
            ) from None
        rows = trait_store.provider_traits(conn, provider.id)
    body = _traits_body(rows)
    body["resource_provider_generation"] = provider.generation
    return http.json_response(req, body, last_modified=_last_modified(rows))


@http.handler
@microversion.version_handler(microversion.TRAITS)
@http.require_content(http.JSON)
def update_traits_for_resource_provider(req: webob.Request) -> webob.Response:
    """PUT /resource_providers/{uuid}/traits: 200 traits + generation (1.6+).

    The generation must match (409 otherwise) and is incremented only when
    the set changes; unknown traits give 400.
    """
    policy.authorize(req, "placement:resource_providers:traits:update")
    uuid = http.path_arg(req, "uuid")
    data = http.extract_json(req.body, schema.SET_TRAITS_FOR_RP_SCHEMA)
    names: list[str] = data["traits"]
    try:
        with storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)
            if provider.generation != data["resource_provider_generation"]:
                raise exceptions.ConcurrentUpdate()
            rows = trait_store.list_filtered(conn, name_in=names)
            missing = set(names) - {row.name for row in rows}
            if missing:
                raise http.error(
                    webob.exc.HTTPBadRequest,
                    "No such trait {}".format(", ".join(sorted(missing))),
                )
            generation = trait_store.replace_provider_traits(
                conn, provider, {row.id for row in rows}
            )
    except exceptions.ConcurrentUpdate:
        raise http.error(
            webob.exc.HTTPConflict, GENERATION_CHANGED, code=errors.CONCURRENT_UPDATE
        ) from None
    body = _traits_body(rows)
    body["resource_provider_generation"] = generation
    return http.json_response(req, body, last_modified=_last_modified(rows))


@http.handler
@microversion.version_handler(microversion.TRAITS)
def delete_traits_for_resource_provider(req: webob.Request) -> webob.Response:
    """DELETE /resource_providers/{uuid}/traits: 204 (1.6+).

    No generation check; it is incremented only if the provider had traits.
    """
    policy.authorize(req, "placement:resource_providers:traits:delete")
    uuid = http.path_arg(req, "uuid")
    try:
        with storage.of(req).writer() as conn:
            provider = providers.get_by_uuid(conn, uuid)
            trait_store.replace_provider_traits(conn, provider, set())
    except exceptions.ConcurrentUpdate:
        raise http.error(
            webob.exc.HTTPConflict, CONCURRENT_PROVIDER_UPDATE, code=errors.CONCURRENT_UPDATE
        ) from None
    return http.empty_response(req, status=204)
