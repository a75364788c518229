"""Middleware of the servers API that differs from Placement's: the protocol headers on
every answer. (Errors render in compute's format through refcloud.http's one error layer.)

Placement's stack is wire-identical to the real service, departures included (see
``interopcheck check`` tolerant mode). The servers API is refcloud's own, so it follows the
API-SIG guidelines strictly: a version string that is not ``X.Y`` (``0.9``, ``1.01``) is a
400, and every answer (errors raised before the handlers too) echoes the version and
carries ``Vary``; GET answers carry ``Cache-Control``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import microversion_parse
import webob
import webob.dec
import webob.exc

from refcloud import http
from refcloud.compute import microversion, wsgi

LOG = logging.getLogger(__name__)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


#: The guideline's version string: no leading zeros, major >= 1 (catalog MV_RE).
_MV_RE = re.compile(r"^([1-9]\d*)\.(0|[1-9]\d*)$")
_HEADER = "OpenStack-API-Version"


class Protocol:
    """Strict version strings in; echo, ``Vary`` and ``Cache-Control`` out, on every answer."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        headers = microversion_parse.headers_from_wsgi_environ(environ)
        requested = microversion_parse.get_version(headers, microversion.SERVICE_TYPE)
        echo = microversion.MIN_VERSION
        if requested is not None:
            requested = requested.strip()
            if requested == "latest":
                echo = microversion.MAX_VERSION
            elif _MV_RE.match(requested):
                echo = requested
            elif requested:
                exc = http.error(webob.exc.HTTPBadRequest,
                                 f"Invalid OpenStack-API-Version header: {requested!r} is not "
                                 "a version of the form X.Y (or latest).",
                                 code=wsgi.VERSION_MALFORMED)
                http.adopt(exc, environ)
                return self._respond(environ, start_response, exc, echo)
        return self._respond(environ, start_response, self.app, echo)

    @staticmethod
    def _respond(environ: dict[str, Any], start_response: Callable, app: WSGIApp,
                 echo: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")

        def add_headers(status: str, response_headers: list[tuple[str, str]],
                        exc_info: Any = None) -> Any:
            names = {name.lower() for name, _ in response_headers}
            if _HEADER.lower() not in names:
                response_headers.append((_HEADER, f"{microversion.SERVICE_TYPE} {echo}"))
            vary = [v for k, v in response_headers if k.lower() == "vary"]
            tokens = {t.strip().lower() for v in vary for t in v.split(",")}
            if _HEADER.lower() not in tokens:
                response_headers.append(("Vary", _HEADER))
            if method in ("GET", "HEAD") and status.startswith("200") \
                    and "cache-control" not in names:
                response_headers.append(("Cache-Control", "no-cache"))
            return start_response(status, response_headers, exc_info)

        return app(environ, add_headers)
