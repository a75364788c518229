"""Errors and handlers of the servers API (refcloud.http's pieces, compute's formatter).

Error bodies follow the API-SIG errors guideline: ``{"errors": [{"status",
"title", "detail", "code", "links", "request_id"}]}`` with a ``compute.*`` code always
present, and ``max_version``/``min_version`` on a version negotiation 406.
``detail`` is the message alone (webob's boilerplate explanation is dropped
when a message was given).
"""

from __future__ import annotations

from typing import Any

import webob
import webob.dec
import webob.exc

from refcloud import http
from refcloud.compute import microversion

ENV_ERROR_CODE = "refcloud.compute.error_code"
UNDEFINED = "compute.undefined_code"
SERVER_NOT_FOUND = "compute.server.not_found"
INVALID_STATE = "compute.server.invalid_state"
UNKNOWN_ACTION = "compute.action.unknown"
NO_VALID_HOST = "compute.no_valid_host"
HOST_NOT_FOUND = "compute.host.not_found"
VERSION_MALFORMED = "compute.microversion.malformed"
VERSION_UNSUPPORTED = "compute.microversion.unsupported"
#: Every error object links to the guideline that defines its format.
HELP_LINKS = ({"rel": "help",
               "href": "https://specs.openstack.org/openstack/api-sig/guidelines/errors.html"},)


def json_error_formatter(body: str, status: str, title: str, environ: dict[str, Any]) -> dict:
    """Render a webob HTTP exception as an API-SIG errors body."""
    text = webob.exc.strip_tags(body)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    status_code = int(status.split(None, 1)[0])
    error: dict[str, Any] = {
        "status": status_code,
        "title": title,
        "detail": paragraphs[-1] if paragraphs else title,
        "code": environ.get(ENV_ERROR_CODE) or UNDEFINED,
        "links": [dict(link) for link in HELP_LINKS],
    }
    if http.ENV_REQUEST_ID in environ:
        error["request_id"] = environ[http.ENV_REQUEST_ID]
    if status_code == 406 and microversion.ENVIRON_KEY not in environ:
        error["code"] = VERSION_UNSUPPORTED
        error["max_version"] = microversion.MAX_VERSION
        error["min_version"] = microversion.MIN_VERSION
    return {"errors": [error]}


def error(exc_class: type[webob.exc.HTTPException], message: str | None = None, *,
          code: str | None = None, **kwargs: Any) -> webob.exc.HTTPException:
    """An HTTP error to raise, with a ``compute.*`` code."""
    exc = exc_class(message, json_formatter=json_error_formatter, **kwargs)
    exc.refcloud_code = code  # type: ignore[attr-defined]
    return exc


def adopt(exc: webob.exc.HTTPException, environ: dict[str, Any]) -> webob.exc.HTTPException:
    """Make any webob error (including refcloud.http's) render in compute's format."""
    exc.json_formatter = json_error_formatter
    code = getattr(exc, "refcloud_code", None)
    if code and code.startswith("compute."):
        environ[ENV_ERROR_CODE] = code
    return exc


class handler(webob.dec.wsgify):
    """wsgify whose HTTP errors render in compute's error format."""

    def call_func(self, req: webob.Request, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call_func(req, *args, **kwargs)
        except webob.exc.HTTPException as exc:
            raise adopt(exc, req.environ) from None


def service(req: webob.Request) -> Any:
    """The ComputeService serving this request."""
    return req.environ["refcloud.compute.service"]
