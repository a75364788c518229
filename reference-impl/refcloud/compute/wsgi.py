"""The servers API's error codes and error formatter (refcloud.http's error layer does the rest).

Error bodies follow the API-SIG errors guideline: ``{"errors": [{"status",
"title", "detail", "code", "links", "request_id"}]}`` with a ``compute.*`` code always
present, and ``max_version``/``min_version`` on a version negotiation 406.
``detail`` is the message alone (webob's boilerplate explanation is dropped
when a message was given). Errors are built and raised with ``refcloud.http``
(``http.error(..., code=wsgi.SERVER_NOT_FOUND)``, ``http.handler``); the compute
app selects this formatter for its requests (``http.ENV_ERROR_FORMAT``).
"""

from __future__ import annotations

from typing import Any

import webob
import webob.exc

from refcloud import http
from refcloud.compute import microversion

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


def error_body(body: str, status: str, title: str, environ: dict[str, Any]) -> dict:
    """The servers API's errors body for a webob HTTP exception (only ``compute.*`` codes)."""
    text = webob.exc.strip_tags(body)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    status_code = int(status.split(None, 1)[0])
    error: dict[str, Any] = {
        "status": status_code,
        "title": title,
        "detail": paragraphs[-1] if paragraphs else title,
        "code": _code(environ),
        "links": [dict(link) for link in HELP_LINKS],
    }
    if http.ENV_REQUEST_ID in environ:
        error["request_id"] = environ[http.ENV_REQUEST_ID]
    if status_code == 406 and microversion.ENVIRON_KEY not in environ:
        error["code"] = VERSION_UNSUPPORTED
        error["max_version"] = microversion.MAX_VERSION
        error["min_version"] = microversion.MIN_VERSION
    return {"errors": [error]}


def _code(environ: dict[str, Any]) -> str:
    code = environ.get(http.ENV_ERROR_CODE)
    return code if isinstance(code, str) and code.startswith("compute.") else UNDEFINED


def service(req: webob.Request) -> Any:
    """The ComputeService serving this request."""
    return req.environ["refcloud.compute.service"]
