"""HTTP helpers shared by every handler: errors, bodies, headers, URLs.

Errors are webob HTTP exceptions, built with ``error`` (or raised bare in a
``handler``), all rendered by ``json_error_formatter``: it hands the body to
the formatter of the service serving the request (``ENV_ERROR_FORMAT``, set by
the service's app), Placement's by default. Placement's formatter writes
``{"errors": [{status, title, detail, code, request_id}]}`` with ``code`` from
microversion 1.23 on; the servers API has its own (``refcloud.compute.wsgi``).
"""

from __future__ import annotations

import datetime
import functools
import json
import uuid as uuidlib
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema
import jsonschema_rs
import webob
import webob.dec
import webob.exc

from refcloud import errors, limits, microversion

ENV_ERROR_CODE = "refcloud.error_code"
ENV_REQUEST_ID = "openstack.request_id"
ENV_CONTEXT = "refcloud.context"
#: The error formatter of the service serving the request (default: Placement's).
ENV_ERROR_FORMAT = "refcloud.error_format"
JSON = "application/json"

Handler = Callable[[webob.Request], webob.Response]


def is_uuid_like(value: Any) -> bool:
    """True for a UUID with or without dashes, any case (as oslo.utils)."""
    if not isinstance(value, str):
        return False
    try:
        return (
            str(uuidlib.UUID(value)).replace("-", "")
            == value.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "").lower()
        )
    except (TypeError, ValueError, AttributeError):
        return False


FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("uuid")
def _check_uuid(instance: Any) -> bool:
    return is_uuid_like(instance)


ErrorFormatter = Callable[[str, str, str, dict[str, Any]], dict]


def placement_error_body(body: str, status: str, title: str, environ: dict[str, Any]) -> dict:
    """Placement's errors body for a webob HTTP exception."""
    body = limits.excerpt(webob.exc.strip_tags(body), limits.DETAIL_CHARS)
    status_code = int(status.split(None, 1)[0])
    error: dict[str, Any] = {"status": status_code, "title": title, "detail": body}
    if microversion.environ_at_least(environ, microversion.ERROR_CODES):
        error["code"] = environ.get(ENV_ERROR_CODE, errors.DEFAULT)
    if ENV_REQUEST_ID in environ:
        error["request_id"] = environ[ENV_REQUEST_ID]
    if status_code == 406 and microversion.ENVIRON_KEY not in environ:
        error["max_version"] = microversion.MAX_VERSION
        error["min_version"] = microversion.MIN_VERSION
    return {"errors": [error]}


def json_error_formatter(body: str, status: str, title: str, environ: dict[str, Any]) -> dict:
    """webob's ``json_formatter`` for every refcloud error: the serving service's format."""
    formatter: ErrorFormatter = environ.get(ENV_ERROR_FORMAT, placement_error_body)
    return formatter(body, status, title, environ)


def error(
    exc_class: type[webob.exc.HTTPException],
    message: str | None = None,
    *,
    code: str | None = None,
    **kwargs: Any,
) -> webob.exc.HTTPException:
    """Build an HTTP error to raise; ``code`` is the wire error code."""
    exc = exc_class(message, json_formatter=json_error_formatter, **kwargs)
    exc.refcloud_code = code  # type: ignore[attr-defined]
    return exc


def adopt(exc: webob.exc.HTTPException, environ: dict[str, Any]) -> webob.exc.HTTPException:
    """Make any webob error render in the service's format, with its wire code."""
    exc.json_formatter = json_error_formatter
    code = getattr(exc, "refcloud_code", None)
    if code:
        environ[ENV_ERROR_CODE] = code
    return exc


class handler(webob.dec.wsgify):
    """wsgify that renders every HTTP error in the service's error format."""

    def call_func(self, req: webob.Request, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call_func(req, *args, **kwargs)
        except webob.exc.HTTPException as exc:
            adopt(exc, req.environ)
            raise


def json_response(
    req: webob.Request,
    body: Any,
    *,
    status: int = 200,
    last_modified: datetime.datetime | bool | None = None,
    location: str | None = None,
) -> webob.Response:
    """A JSON response; ``last_modified`` adds LM/CC at >= 1.15.

    Pass a datetime, or True for "now"; None leaves the headers out.
    """
    resp = webob.Response(status=status)
    resp.body = json.dumps(body).encode("utf-8")
    resp.content_type = JSON
    resp.charset = None
    if location:
        resp.location = location
    if last_modified is not None and last_modified is not False:
        add_cache_headers(req, resp, last_modified)
    return resp


def empty_response(
    req: webob.Request, *, status: int = 204, location: str | None = None
) -> webob.Response:
    """A response with no body and no Content-Type (201 or 204)."""
    resp = webob.Response(status=status)
    resp.content_type = None
    if location:
        resp.location = location
    return resp


def add_cache_headers(
    req: webob.Request,
    resp: webob.Response,
    last_modified: datetime.datetime | bool | None,
    *,
    now_if_unknown: bool = True,
) -> None:
    """Last-Modified and Cache-Control: no-cache, from microversion 1.15.

    The one place that decides the cache headers. ``last_modified`` True means
    "now"; None means "now" too, unless ``now_if_unknown`` is False, when only
    Cache-Control is sent (Placement omits Last-Modified where it has no date).
    """
    if not microversion.at_least(req, microversion.CACHE_HEADERS):
        return
    if last_modified is True or (last_modified is None and now_if_unknown):
        last_modified = utcnow()
    if isinstance(last_modified, datetime.datetime):
        resp.last_modified = last_modified
    resp.cache_control = "no-cache"


def newest(times: Iterable[datetime.datetime | None]) -> datetime.datetime:
    """The latest of some timestamps, or now when there are none."""
    values = [t for t in times if t is not None]
    return max(values) if values else utcnow()


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


_VALIDATORS: dict[int, tuple[dict, Any, Any]] = {}


def _compiled(schema: dict) -> Any:
    """A ``jsonschema-rs`` validator of ``schema`` with Placement's ``uuid`` format, or None.

    It only ever answers "valid" for the fast path (about 20x cheaper than walking the
    schema in Python, a tenth of a write request's time). Whenever it says "invalid", or
    cannot take the instance, ``jsonschema`` decides and words the error exactly as
    Placement's: the Rust regexes and formats are no more permissive than Python's
    (``$`` does not match before a final newline, ``\\d`` is ASCII), so a body the
    compiled validator accepts is one ``jsonschema`` accepts
    (tests/unit/refcloud/test_validation_fast_path.py checks that on generated bodies).
    """
    try:
        return jsonschema_rs.validator_for(
            schema, validate_formats=True, formats={"uuid": _check_uuid}
        )
    except Exception:  # a schema it cannot compile: jsonschema alone
        return None


_KEPT: dict[tuple[int, int], tuple[dict, Any]] = {}


def kept_validator(schema: dict, format_checker: Any = None) -> Any:
    """A ``jsonschema`` validator of ``schema`` (``FORMAT_CHECKER`` unless another is given),
    the schema checked and the validator built once.

    ``jsonschema.validate`` checks the schema against its meta-schema on every call, which
    is most of the cost of a small request. Schemas are module constants; the cache is
    bounded all the same.
    """
    checker = FORMAT_CHECKER if format_checker is None else format_checker
    key = (id(schema), id(checker))
    cached = _KEPT.get(key)
    if cached is None or cached[0] is not schema:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        if len(_KEPT) > 512:
            _KEPT.clear()
        cached = (schema, cls(schema, format_checker=checker))
        _KEPT[key] = cached
    return cached[1]


def validate(instance: Any, schema: dict) -> None:
    """``jsonschema.validate(instance, schema, format_checker=FORMAT_CHECKER)``, same errors,
    with kept validators (``kept_validator``) and the compiled fast path (``_compiled``)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_VALIDATORS) > 512:
            _VALIDATORS.clear()
        cached = (schema, kept_validator(schema), _compiled(schema))
        _VALIDATORS[id(schema)] = cached
    fast = cached[2]
    if fast is not None:
        try:
            if fast.is_valid(instance):
                return
        except Exception:  # e.g. a lone surrogate or an integer beyond 64 bits
            pass
    error = jsonschema.exceptions.best_match(cached[1].iter_errors(instance))
    if error is not None:
        raise error


def extract_json(body: bytes, schema: dict) -> Any:
    """Parse a JSON body and validate it, raising the Placement 400s."""
    try:
        data = limits.loads(body)
    except ValueError as exc:
        raise error(webob.exc.HTTPBadRequest, f"Malformed JSON: {exc}") from None
    try:
        validate(data, schema)
    except jsonschema.ValidationError as exc:
        raise error(webob.exc.HTTPBadRequest,
                    f"JSON does not validate: {limits.describe(exc)}") from None
    return data


def validate_query(req: webob.Request, schema: dict) -> dict[str, str]:
    """Validate the query string (last value of a repeated key) against a schema."""
    try:
        params = dict(req.GET)
        validate(params, schema)
    except jsonschema.ValidationError as exc:
        raise error(
            webob.exc.HTTPBadRequest, f"Invalid query string parameters: {limits.describe(exc)}"
        ) from None
    except UnicodeDecodeError as exc:
        raise error(
            webob.exc.HTTPBadRequest, f"Invalid query string parameters: {exc}"
        ) from None
    return params


def check_accept(*types: str) -> Callable[[Handler], Handler]:
    """406 when an Accept header is present and accepts none of ``types``."""

    def decorator(func: Handler) -> Handler:
        @functools.wraps(func)
        def wrapper(req: webob.Request) -> webob.Response:
            if req.accept and not req.accept.acceptable_offers(list(types)):
                raise error(
                    webob.exc.HTTPNotAcceptable, "Only {} is provided".format(", ".join(types))
                )
            return func(req)

        return wrapper

    return decorator


def require_content(content_type: str) -> Callable[[Handler], Handler]:
    """415 unless the request body has the given content type."""

    def decorator(func: Handler) -> Handler:
        @functools.wraps(func)
        def wrapper(req: webob.Request) -> webob.Response:
            if req.content_type != content_type:
                if not req.content_type:
                    # As Placement: webob's 415 template shows ${CONTENT_TYPE}.
                    req.content_type = "None"
                bad = req.content_type or "None"
                raise error(
                    webob.exc.HTTPUnsupportedMediaType,
                    f"The media type {bad} is not supported, use {content_type}",
                )
            return func(req)

        return wrapper

    return decorator


def path_arg(req: webob.Request, name: str) -> str:
    """A path parameter captured by the router."""
    return req.environ["wsgiorg.routing_args"][1][name]


def prefix(req: webob.Request) -> str:
    return req.environ.get("SCRIPT_NAME", "")


def resource_provider_url(req: webob.Request, uuid: str) -> str:
    return f"{prefix(req)}/resource_providers/{uuid}"


def inventory_url(req: webob.Request, uuid: str, resource_class: str | None = None) -> str:
    url = f"{resource_provider_url(req, uuid)}/inventories"
    return f"{url}/{resource_class}" if resource_class else url


def resource_class_url(req: webob.Request, name: str) -> str:
    return f"{prefix(req)}/resource_classes/{name}"


def trait_url(req: webob.Request, name: str) -> str:
    return f"{prefix(req)}/traits/{name}"


def normalize_uuid(value: str) -> str:
    """Dash-less or upper-case UUIDs to the canonical dashed form."""
    return str(uuidlib.UUID(value))
