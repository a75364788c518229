"""Drift modes: known deviations from Placement that a cloud could show at the same version.

``refcloud serve --drift NAME`` (repeatable) or ``Config(drift=(NAME, ...))`` switches
one on. Each mode is one entry of :data:`DRIFTS`: a name, a one-line description and a
WSGI wrapper that rewrites the request or the response. They exist to make
``interopcheck diff`` demos and tests honest: a drifted refcloud differs from a plain
one in exactly the documented way and nowhere else.

A mode sits at one of two layers (see :func:`install`, called from ``app.py``):

- ``inner``: around the router, inside microversion negotiation, so it sees the
  negotiated version and the handlers' own responses (bodies, error codes, caching
  headers); the version headers are still added by the negotiation middleware;
- ``outer``: around the whole stack, so it sees every response (401, 406, ...).

With no drift configured nothing is installed: the normal application is untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import microversion_parse
import webob

from refcloud import microversion

__all__ = ["DRIFTS", "Drift", "check", "help_text", "install"]

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
Layer = Literal["inner", "outer"]

_PROVIDER = re.compile(r"^/resource_providers/[^/]+$")
_PROVIDER_AGGREGATES = re.compile(r"^/resource_providers/[^/]+/aggregates$")
_PROVIDER_OR_PROVIDERS = re.compile(r"^/resource_providers(/[^/]+)?/?$")
_RESOURCE_CLASSES = re.compile(r"^/resource_classes$")


@dataclass(frozen=True)
class Drift:
    """One deviation: ``wrap(app)`` returns the drifted application."""

    name: str
    doc: str
    layer: Layer
    wrap: Callable[[WSGIApp], WSGIApp]


# ---- building blocks ---------------------------------------------------------------------------

Match = Callable[[dict[str, Any]], bool]
Transform = Callable[[webob.Request, webob.Response], None]


def _rewrite(match: Match, transform: Transform) -> Callable[[WSGIApp], WSGIApp]:
    """A wrapper that buffers the responses to matching requests and edits them."""

    def wrap(app: WSGIApp) -> WSGIApp:
        def drifted(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
            if not match(environ):
                return app(environ, start_response)
            req = webob.Request(environ)
            resp = req.get_response(app)
            transform(req, resp)
            return resp(environ, start_response)

        return drifted

    return wrap


def _request(methods: Sequence[str], path: re.Pattern[str]) -> Match:
    def match(environ: dict[str, Any]) -> bool:
        return (environ.get("REQUEST_METHOD") in methods
                and bool(path.match(environ.get("PATH_INFO", ""))))

    return match


def _any_request(environ: dict[str, Any]) -> bool:
    return True


def _json(resp: webob.Response) -> Any:
    if not (resp.content_type or "").endswith("json") or not resp.body:
        return None
    try:
        return json.loads(resp.body)
    except ValueError:
        return None


def _set_json(resp: webob.Response, data: Any) -> None:
    resp.body = json.dumps(data).encode("utf-8")


def _providers(data: Any) -> list[dict[str, Any]]:
    """The provider objects of a provider body (one provider, or a list of them)."""
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("resource_providers"), list):
        return [p for p in data["resource_providers"] if isinstance(p, dict)]
    if "uuid" in data and "generation" in data:
        return [data]
    return []


def _edit_providers(edit: Callable[[dict[str, Any]], None]) -> Transform:
    """Apply ``edit`` to every provider in a successful provider body."""

    def transform(req: webob.Request, resp: webob.Response) -> None:
        if resp.status_int != 200:
            return
        data = _json(resp)
        found = _providers(data)
        if not found:
            return
        for provider in found:
            edit(provider)
        _set_json(resp, data)

    return transform


_PROVIDER_BODIES = _request(("GET", "POST", "PUT"), _PROVIDER_OR_PROVIDERS)


# ---- the modes -------------------------------------------------------------------------------


def _extra_url(app: WSGIApp) -> WSGIApp:
    """Serve GET /resource_providers/{uuid}/aggregates at 1.0 with its 1.1 behaviour."""
    v1_1 = microversion_parse.extract_version(
        {"openstack-api-version": f"{microversion.SERVICE_TYPE} {microversion.AGGREGATES}"},
        microversion.SERVICE_TYPE, microversion.VERSIONS)
    match = _request(("GET",), _PROVIDER_AGGREGATES)

    def drifted(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        version = environ.get(microversion.ENVIRON_KEY)
        if match(environ) and version is not None and not version.matches(microversion.AGGREGATES):
            environ[microversion.ENVIRON_KEY] = v1_1
        return app(environ, start_response)

    return drifted


def _add_description(provider: dict[str, Any]) -> None:
    provider["description"] = ""


def _drop_links(provider: dict[str, Any]) -> None:
    provider.pop("links", None)


def _generation_as_string(provider: dict[str, Any]) -> None:
    if isinstance(provider.get("generation"), int):
        provider["generation"] = str(provider["generation"])


def _created_as_200(req: webob.Request, resp: webob.Response) -> None:
    if resp.status_int == 201:
        resp.status = 200


def _add_header(req: webob.Request, resp: webob.Response) -> None:
    resp.headers["X-Content-Type-Options"] = "nosniff"


def _drop_cache_control(req: webob.Request, resp: webob.Response) -> None:
    if "Cache-Control" in resp.headers:
        del resp.headers["Cache-Control"]


def _wrap_provider(req: webob.Request, resp: webob.Response) -> None:
    if resp.status_int != 200:
        return
    data = _json(resp)
    if isinstance(data, dict) and "uuid" in data:
        _set_json(resp, {"resource_provider": data})


def _undefined_duplicate_code(req: webob.Request, resp: webob.Response) -> None:
    if resp.status_int != 409:
        return
    data = _json(resp)
    if not isinstance(data, dict) or not isinstance(data.get("errors"), list):
        return
    changed = False
    for error in data["errors"]:
        if isinstance(error, dict) and error.get("code") == "placement.duplicate_name":
            error["code"] = "placement.undefined_code"
            changed = True
    if changed:
        _set_json(resp, data)


_ALL: tuple[Drift, ...] = (
    Drift("extra-url",
          "GET /resource_providers/{uuid}/aggregates answers at 1.0 as at 1.1 "
          "(Placement: 404 before 1.1), as if the route were backported",
          "inner", _extra_url),
    Drift("extra-field",
          "resource providers carry an extra \"description\" field",
          "inner", _rewrite(_PROVIDER_BODIES, _edit_providers(_add_description))),
    Drift("missing-field",
          "resource providers lack their \"links\" field",
          "inner", _rewrite(_PROVIDER_BODIES, _edit_providers(_drop_links))),
    Drift("type-change",
          "a resource provider's \"generation\" is a string, not an integer",
          "inner", _rewrite(_PROVIDER_BODIES, _edit_providers(_generation_as_string))),
    Drift("status-code",
          "POST /resource_classes answers 200 instead of 201",
          "inner", _rewrite(_request(("POST",), _RESOURCE_CLASSES), _created_as_200)),
    Drift("extra-header",
          "every response carries an extra X-Content-Type-Options: nosniff header",
          "outer", _rewrite(_any_request, _add_header)),
    Drift("missing-header",
          "no Cache-Control header (Placement sends Cache-Control: no-cache with "
          "Last-Modified from 1.15)",
          "inner", _rewrite(_any_request, _drop_cache_control)),
    Drift("wrapped-resource",
          "GET /resource_providers/{uuid} wraps the provider: {\"resource_provider\": {...}}",
          "inner", _rewrite(_request(("GET",), _PROVIDER), _wrap_provider)),
    Drift("error-code",
          "a 409 duplicate provider name or uuid (any placement.duplicate_name) has the "
          "error code placement.undefined_code instead (codes are sent from 1.23)",
          "inner", _rewrite(_request(("POST", "PUT"), _PROVIDER_OR_PROVIDERS),
                            _undefined_duplicate_code)),
)

#: Every drift mode by name, in documentation order.
DRIFTS: dict[str, Drift] = {d.name: d for d in _ALL}


def check(names: Iterable[str]) -> None:
    """Raise ValueError (one line, listing the valid names) for an unknown drift name."""
    unknown = [n for n in names if n not in DRIFTS]
    if unknown:
        raise ValueError(f"unknown drift mode {unknown[0]!r}; valid modes: {', '.join(DRIFTS)}")


def install(app: WSGIApp, names: Sequence[str], layer: Layer) -> WSGIApp:
    """Wrap ``app`` in the named drift modes of ``layer`` (none configured: ``app`` itself)."""
    check(names)
    for name in dict.fromkeys(names):
        drift = DRIFTS[name]
        if drift.layer == layer:
            app = drift.wrap(app)
    return app


def help_text() -> str:
    """The drift modes, one per line, for ``refcloud serve --help``."""
    width = max(len(n) for n in DRIFTS)
    return "\n".join(f"  {d.name:<{width}}  {d.doc}" for d in _ALL)
