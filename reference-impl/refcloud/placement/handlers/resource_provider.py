"""Handlers for /resource_providers and /resource_providers/{uuid}."""

from __future__ import annotations

import itertools
import uuid as uuidlib
from typing import Any

import jsonschema
import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement.schemas import resource_provider as schema
from refcloud.storage import providers

_RESOURCES_FORM = (
    "Badly formed resources parameter. Expected resources query string "
    "parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: {}."
)


# --- representation -----------------------------------------------------------


def _link_rels(req: webob.Request) -> list[str]:
    rels = ["inventories", "usages"]
    if microversion.at_least(req, 1):
        rels.append("aggregates")
    if microversion.at_least(req, 6):
        rels.append("traits")
    if microversion.at_least(req, 11):
        rels.append("allocations")
    return rels


def _serializer(req: webob.Request) -> Any:
    """A function Provider -> dict for this request's microversion."""
    rels = _link_rels(req)
    nested = microversion.at_least(req, 14)

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


def _validate_query(req: webob.Request, query_schema: dict) -> None:
    # Placement validates query strings with jsonschema's stock FormatChecker,
    # whose "uuid" requires the dashed form (unlike body validation).
    try:
        jsonschema.validate(dict(req.GET), query_schema, format_checker=jsonschema.FormatChecker())
    except (jsonschema.ValidationError, UnicodeDecodeError) as exc:
        raise http.error(
            webob.exc.HTTPBadRequest, f"Invalid query string parameters: {exc}"
        ) from None


def _bad(message: str) -> webob.exc.HTTPException:
    return http.error(webob.exc.HTTPBadRequest, message)


def parse_member_of(req: webob.Request) -> tuple[list[set[str]], set[str]]:
    """member_of values -> (AND-ed any-of sets, forbidden aggregate uuids)."""
    values = req.GET.getall("member_of")
    if not microversion.at_least(req, 24) and len(values) > 1:
        raise _bad("Multiple member_of parameters are not supported")
    allow_forbidden = microversion.at_least(req, 32)
    required_groups: list[set[str]] = []
    forbidden: set[str] = set()
    for value in values:
        if "," in value and not value.startswith(("in:", "!in:")):
            raise _bad(
                "Multiple values for 'member_of' must be prefixed with the 'in:' or "
                f"'!in:' keyword using the valid microversion. Got: {value}"
            )
        wanted: list[str] = []
        unwanted: list[str] = []
        if value.startswith("!in:"):
            unwanted = value[4:].split(",")
        elif value.startswith("!"):
            unwanted = [value[1:]]
        elif value.startswith("in:"):
            wanted = value[3:].split(",")
        else:
            wanted = [value]
        for agg_uuid in itertools.chain(wanted, unwanted):
            if not http.is_uuid_like(agg_uuid):
                raise _bad(
                    "Invalid query string parameters: Expected 'member_of' parameter to "
                    f"contain valid UUID(s). Got: {agg_uuid}"
                )
        if wanted:
            required_groups.append(set(wanted))
        if unwanted:
            if not allow_forbidden:
                raise _bad(
                    "Forbidden member_of parameters are not supported in the specified "
                    "microversion"
                )
            forbidden |= set(unwanted)
    return required_groups, forbidden


def _parse_traits_value(
    value: str, allow_forbidden: bool, allow_any: bool
) -> tuple[list[set[str]], set[str]]:
    if value.startswith("in:"):
        if not allow_any:
            raise _bad(
                "Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' "
                f"only supported since microversion 1.39. Got: {value}"
            )
        any_of = {name.strip() for name in value[3:].split(",")}
        if not all(any_of):
            raise _bad(
                "Invalid query string parameters: Expected 'required' parameter value of "
                f"the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: {value}"
            )
        if any(name.startswith("!") for name in any_of):
            raise _bad(
                "Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' "
                f"does not support forbidden traits. Got: {value}"
            )
        return [any_of], set()
    names = [name.strip() for name in value.split(",")]
    # every leading '!' is dropped (Placement parses '!!FOO' as forbidden FOO)
    forbidden = {name.lstrip("!") for name in names if name.startswith("!")}
    if not all(itertools.chain(forbidden, names)):
        form = "HW_CPU_X86_VMX,!CUSTOM_MAGIC" if allow_forbidden else "HW_CPU_X86_VMX,CUSTOM_MAGIC"
        raise _bad(
            "Invalid query string parameters: Expected 'required' parameter value of the "
            f"form: {form}. Got an empty trait in: {value}"
        )
    if forbidden and not allow_forbidden:
        raise _bad(
            "Invalid query string parameters: Expected 'required' parameter value of the "
            f"form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: {value}"
        )
    return [{name} for name in names if not name.startswith("!")], forbidden


def parse_required(req: webob.Request) -> tuple[list[set[str]], set[str]]:
    """required values -> (AND-ed any-of trait sets, forbidden traits).

    Below 1.39 only the last ``required`` counts; from 1.39 repeats AND.
    """
    allow_forbidden = microversion.at_least(req, 22)
    allow_any = microversion.at_least(req, 39)
    values = req.GET.getall("required")
    if not allow_any:
        values = values[-1:]
    required: list[set[str]] = []
    forbidden: set[str] = set()
    for value in values:
        groups, unwanted = _parse_traits_value(value, allow_forbidden, allow_any)
        required += groups
        forbidden |= unwanted
    return required, forbidden


def parse_resources(value: str) -> dict[str, int]:
    """``RC:AMOUNT,...`` -> {RC: amount}, with Placement's 400 messages."""
    if value.strip() == "":
        raise _bad(_RESOURCES_FORM.format("empty string"))
    result: dict[str, int] = {}
    for item in value.split(","):
        parts = item.split(":")
        if len(parts) != 2:
            raise _bad(_RESOURCES_FORM.format(item))
        rc_name, raw = parts
        try:
            amount = int(raw)
        except ValueError:
            raise _bad(
                f"Requested resource {rc_name} expected positive integer amount. Got: {raw}."
            ) from None
        if amount < 1:
            raise _bad(f"Requested resource {rc_name} requires amount >= 1. Got: {amount}.")
        result[rc_name] = amount
    return result


def _list_schema(req: webob.Request) -> dict:
    if microversion.at_least(req, 18):
        return schema.GET_RPS_SCHEMA_1_18
    if microversion.at_least(req, 14):
        return schema.GET_RPS_SCHEMA_1_14
    if microversion.at_least(req, 4):
        return schema.GET_RPS_SCHEMA_1_4
    if microversion.at_least(req, 3):
        return schema.GET_RPS_SCHEMA_1_3
    return schema.GET_RPS_SCHEMA_1_0


# --- handlers -------------------------------------------------------------------


@http.handler
@http.check_accept(http.JSON)
def list_resource_providers(req: webob.Request) -> webob.Response:
    """GET /resource_providers: 200 with the filtered list (all versions)."""
    policy.authorize(req, "placement:resource_providers:list")
    _validate_query(req, _list_schema(req))
    filters = providers.ProviderFilters()
    params = req.GET
    if "member_of" in params:
        filters.member_of, filters.forbidden_aggs = parse_member_of(req)
    if "required" in params:
        filters.required_traits, filters.forbidden_traits = parse_required(req)
    filters.uuid = params.get("uuid")
    filters.name = params.get("name")
    filters.in_tree = params.get("in_tree")
    if "resources" in params:
        filters.resources = parse_resources(params["resources"])
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
    body_schema = (
        schema.POST_RP_SCHEMA_V1_14
        if microversion.at_least(req, 14)
        else schema.POST_RESOURCE_PROVIDER_SCHEMA
    )
    data = http.extract_json(req.body, body_schema)
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
    if microversion.at_least(req, 20):
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
    body_schema = (
        schema.PUT_RP_SCHEMA_V1_14
        if microversion.at_least(req, 14)
        else schema.PUT_RESOURCE_PROVIDER_SCHEMA
    )
    with storage.of(req).writer() as conn:
        before = providers.get_for_request(conn, uuid)
        data = http.extract_json(req.body, body_schema)
        parent_uuid = data.get("parent_provider_uuid", before.parent_provider_uuid)
        try:
            provider = providers.update(
                conn,
                before,
                name=data["name"],
                parent_uuid=parent_uuid,
                allow_reparenting=microversion.at_least(req, 37),
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
    if microversion.at_least(req, 15):
        resp.cache_control = "no-cache"
        if before.updated_at is not None:
            resp.last_modified = before.updated_at
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
