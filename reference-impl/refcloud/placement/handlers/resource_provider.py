"""Handlers for /resource_providers and /resource_providers/{uuid}."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

import jsonschema
import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement import request_groups
from refcloud.placement.schemas import resource_provider as schema
from refcloud.storage import providers

# --- representation -----------------------------------------------------------


#: Link relations after self, with the version each appears in.
_LINK_RELS = (
    (microversion.BASE, "inventories"),
    (microversion.BASE, "usages"),
    (microversion.AGGREGATES, "aggregates"),
    (microversion.TRAITS, "traits"),
    (microversion.ALLOCATIONS_LINK, "allocations"),
)


def _link_rels(req: webob.Request) -> list[str]:
    return [rel for since, rel in _LINK_RELS if microversion.at_least(req, since)]


def _serializer(req: webob.Request) -> Any:
    """A function Provider -> dict for this request's microversion."""
    rels = _link_rels(req)
    nested = microversion.at_least(req, microversion.NESTED_PROVIDERS)

    def serialize(provider: providers.Provider) -> dict:
        url = http.resource_provider_url(req, provider.uuid)
        links = [{"rel": "self", "href": url}]
        links.extend({"rel": rel, "href": f"{url}/{rel}"} for rel in rels)
        data: dict[str, Any] = {
            "uuid": provider.uuid,
            "name": provider.name,
            "generation": provider.generation,
            "links": links,
        }
        if nested:
            data["parent_provider_uuid"] = provider.parent_provider_uuid
            data["root_provider_uuid"] = provider.root_provider_uuid
        return data

    return serialize


def serialize_provider(req: webob.Request, provider: providers.Provider) -> dict:
    """The provider representation used by GET, PUT and POST (>= 1.20)."""
    return _serializer(req)(provider)


def _modified(provider: providers.Provider) -> Any:
    return provider.updated_at or provider.created_at or True


# --- query string parsing -----------------------------------------------------


#: Placement validates query strings with jsonschema's stock FormatChecker, whose "uuid"
#: requires the dashed form (unlike body validation).
_STOCK_FORMATS = jsonschema.FormatChecker()


def _validate_query(req: webob.Request, query_schema: dict) -> None:
    validator = http.kept_validator(query_schema, _STOCK_FORMATS)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(dict(req.GET)))
    except UnicodeDecodeError as exc:
        error = exc
    if error is not None:
        raise http.error(
            webob.exc.HTTPBadRequest, f"Invalid query string parameters: {error}"
        ) from None


def _bad(message: str) -> webob.exc.HTTPException:
    return http.error(webob.exc.HTTPBadRequest, message)


# --- handlers -------------------------------------------------------------------


@http.handler
@http.check_accept(http.JSON)
def list_resource_providers(req: webob.Request) -> webob.Response:
    """GET /resource_providers: 200 with the filtered list (all versions)."""
    policy.authorize(req, "placement:resource_providers:list")
    _validate_query(req, microversion.pick(req, schema.GET_RPS_SCHEMAS))
    filters = providers.ProviderFilters()
    params = req.GET
    if "member_of" in params:
        filters.member_of, filters.forbidden_aggs = request_groups.member_of_params(req)
    if "required" in params:
        filters.required_traits, filters.forbidden_traits = request_groups.traits_params(req)
    filters.uuid = params.get("uuid")
    filters.name = params.get("name")
    filters.in_tree = params.get("in_tree")
    if "resources" in params:
        filters.resources = request_groups.parse_resources(params["resources"])
    try:
        with storage.of(req).reader() as conn:
            found = providers.list_filtered(conn, filters)
    except exceptions.ResourceClassNotFound as exc:
        raise _bad(f"Invalid resource class in resources parameter: {exc}") from None
    except exceptions.TraitNotFound as exc:
        raise _bad(f'Invalid trait(s) in "required" parameter: {exc}') from None
    serialize = _serializer(req)
    body = {"resource_providers": [serialize(p) for p in found]}
    modified = http.newest(p.updated_at or p.created_at for p in found)
    return http.json_response(req, body, last_modified=modified)


@http.handler
@http.require_content(http.JSON)
def create_resource_provider(req: webob.Request) -> webob.Response:
    """POST /resource_providers: 201 without a body (1.0-1.19), 200 with the provider (>=1.20)."""
    policy.authorize(req, "placement:resource_providers:create")
    data = http.extract_json(req.body, microversion.pick(req, schema.POST_RP_SCHEMAS))
    uuid = http.normalize_uuid(data["uuid"]) if data.get("uuid") else str(uuidlib.uuid4())
    name = data["name"]
    with storage.of(req).writer() as conn:
        try:
            provider = providers.create(
                conn, uuid=uuid, name=name, parent_uuid=data.get("parent_provider_uuid")
            )
        except exceptions.DuplicateName as exc:
            raise http.error(
                webob.exc.HTTPConflict, str(exc), code=errors.DUPLICATE_NAME
            ) from None
        except exceptions.ObjectActionError as exc:
            raise _bad(f'Unable to create resource provider "{name}", {uuid}: {exc}') from None
    location = http.resource_provider_url(req, uuid)
    if microversion.at_least(req, microversion.CREATE_RETURNS_PROVIDER):
        # Placement answers with the in-memory object: Last-Modified is "now"
        return http.json_response(
            req, serialize_provider(req, provider), location=location, last_modified=True
        )
    return http.empty_response(req, status=201, location=location)


@http.handler
@http.check_accept(http.JSON)
def get_resource_provider(req: webob.Request) -> webob.Response:
    """GET /resource_providers/{uuid}: 200 with the provider; 404 when unknown."""
    uuid = http.path_arg(req, "uuid")
    policy.authorize(req, "placement:resource_providers:show")
    with storage.of(req).reader() as conn:
        provider = providers.get_for_request(conn, uuid)
    return http.json_response(
        req, serialize_provider(req, provider), last_modified=_modified(provider)
    )


@http.handler
@http.require_content(http.JSON)
def update_resource_provider(req: webob.Request) -> webob.Response:
    """PUT /resource_providers/{uuid}: 200 with the provider (all versions).

    Last-Modified is the provider's ``updated_at`` from before this update
    (absent when it was never updated), as Placement does.
    """
    uuid = http.path_arg(req, "uuid")
    policy.authorize(req, "placement:resource_providers:update")
    with storage.of(req).writer() as conn:
        before = providers.get_for_request(conn, uuid)
        data = http.extract_json(req.body, microversion.pick(req, schema.PUT_RP_SCHEMAS))
        parent_uuid = data.get("parent_provider_uuid", before.parent_provider_uuid)
        try:
            provider = providers.update(
                conn,
                before,
                name=data["name"],
                parent_uuid=parent_uuid,
                allow_reparenting=microversion.at_least(req, microversion.REPARENTING),
            )
        except exceptions.DuplicateName:
            raise http.error(
                webob.exc.HTTPConflict,
                f"Conflicting resource provider {data['name']} already exists.",
                code=errors.DUPLICATE_NAME,
            ) from None
        except exceptions.ObjectActionError as exc:
            raise _bad(f"Unable to save resource provider {uuid}: {exc}") from None
    resp = http.json_response(req, serialize_provider(req, provider))
    http.add_cache_headers(req, resp, before.updated_at, now_if_unknown=False)
    return resp


@http.handler
def delete_resource_provider(req: webob.Request) -> webob.Response:
    """DELETE /resource_providers/{uuid}: 204; 409 with children or allocations."""
    uuid = http.path_arg(req, "uuid")
    policy.authorize(req, "placement:resource_providers:delete")
    with storage.of(req).writer() as conn:
        provider = providers.find_for_request(conn, uuid)
        if provider is None:
            raise http.error(
                webob.exc.HTTPNotFound, f"No resource provider with uuid {uuid} found for delete"
            )
        try:
            providers.delete(conn, provider)
        except exceptions.ProviderInUse as exc:
            raise http.error(
                webob.exc.HTTPConflict, str(exc), code=errors.PROVIDER_IN_USE
            ) from None
        except exceptions.CannotDeleteParent as exc:
            raise http.error(
                webob.exc.HTTPConflict, str(exc), code=errors.PROVIDER_CANNOT_DELETE_PARENT
            ) from None
    return http.empty_response(req, status=204)
