"""Middleware of the servers API that differs from Placement's: error rendering."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import webob
import webob.dec
import webob.exc

from refcloud import middleware
from refcloud.compute import wsgi

LOG = logging.getLogger(__name__)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class FaultWrapper:
    """Errors escaping the stack render in compute's format; anything else is a 500."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except webob.exc.HTTPException as exc:
            return wsgi.adopt(exc, environ)(environ, start_response)
        except Exception:
            LOG.exception("unexpected error serving %s %s", environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            exc = wsgi.error(webob.exc.HTTPInternalServerError,
                             "An unexpected error occurred. Please report this as a bug.")
            return exc(environ, start_response)


class AdoptErrors:
    """Re-raise errors from refcloud's shared layers below it (router 404, content
    checks) so they render in compute's format; sits just inside the version middleware,
    which would otherwise render them itself."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except webob.exc.HTTPException as exc:
            raise wsgi.adopt(exc, environ) from None


class NoAuth(middleware.NoAuth):
    """refcloud's noauth2, with its 401 in compute's error format."""

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> Any:
        result = middleware.NoAuth.__call__.func(self, req)  # the undecorated check
        if isinstance(result, webob.exc.HTTPException):
            return wsgi.adopt(result, req.environ)
        return result
