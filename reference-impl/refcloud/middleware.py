"""The WSGI middleware around the handlers (assembled in ``app.py``)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
import webob
import webob.dec
import webob.exc

from refcloud import exceptions, http
from refcloud.policy import RequestContext
from refcloud.storage import engine

LOG = logging.getLogger(__name__)
_GLOBAL_ID = re.compile(r"^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class RequestId:
    """Give every request a ``req-<uuid>`` id, echoed in ``x-openstack-request-id``.

    Also turns a missing or ``*/*`` Accept into application/json, so errors
    come back as JSON.
    """

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        req_id = f"req-{uuid.uuid4()}"
        environ[http.ENV_REQUEST_ID] = req_id
        inbound = environ.get("HTTP_X_OPENSTACK_REQUEST_ID", "")
        if _GLOBAL_ID.match(inbound):
            environ["openstack.global_request_id"] = inbound
        accept = environ.get("HTTP_ACCEPT")
        if not accept or accept == "*/*":
            environ["HTTP_ACCEPT"] = http.JSON

        def _start(status: str, headers: list, exc_info: Any = None) -> Any:
            headers = [h for h in headers if h[0].lower() != "x-openstack-request-id"]
            headers.append(("x-openstack-request-id", req_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, _start)


class NoAuth:
    """Placement's noauth2: a token ``user[:project]`` is required except at the root.

    The token ``admin`` has the admin role; otherwise roles come from X-Roles.
    Without a token the answer is real Placement's: webob's own 401 (its
    ``{"message", "code", "title"}`` JSON body, no version header). With
    ``apisig_401`` the 401 is in the service's errors format instead (refcloud
    serve --apisig-401; the servers API always).
    """

    def __init__(self, app: WSGIApp, *, apisig_401: bool = False) -> None:
        self.app = app
        self.apisig_401 = apisig_401

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> Any:
        if req.environ.get("PATH_INFO", "") in ("/", ""):
            req.environ[http.ENV_CONTEXT] = RequestContext(None, None)
            return self.app
        token = req.headers.get("X-Auth-Token")
        if token is None:
            if self.apisig_401:
                return http.error(webob.exc.HTTPUnauthorized)
            return webob.exc.HTTPUnauthorized()
        user_id, _sep, project_id = token.partition(":")
        if "keystone.token_info" in req.environ:
            # Behind keystonemiddleware's auth_token (refcloud serve --auth keystone): the
            # token was validated; the identity is in the headers auth_token set.
            user_id = req.environ.get("HTTP_X_USER_ID", "")
            project_id = req.environ.get("HTTP_X_PROJECT_ID", "")
        if "X-Roles" in req.headers:
            roles = frozenset(r.strip() for r in req.headers["X-Roles"].split(",") if r.strip())
        elif user_id == "admin":
            roles = frozenset({"admin"})
        else:
            roles = frozenset()
        if "HTTP_X_PROJECT_ID" in req.environ:
            # oslo.context prefers an explicit X-Project-Id over the token's.
            project_id = req.environ["HTTP_X_PROJECT_ID"]
        req.environ[http.ENV_CONTEXT] = RequestContext(
            user_id=user_id,
            project_id=project_id or user_id,
            roles=roles,
            request_id=req.environ.get(http.ENV_REQUEST_ID),
        )
        return self.app


class FaultWrapper:
    """Anything uncaught becomes a 500 in the errors format, never a traceback."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except webob.exc.HTTPException as exc:
            return http.adopt(exc, environ)(environ, start_response)
        except Exception:
            LOG.exception("unexpected error serving %s %s", environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            exc = http.error(
                webob.exc.HTTPInternalServerError,
                "An unexpected error occurred. Please report this as a bug.",
            )
            return exc(environ, start_response)


class ContentCheck:
    """400 for a body without Content-Type or a non-integer Content-Length;
    a domain NotFound escaping a handler becomes a 404 and a policy refusal a 403
    (raised here, outside the handler, so like Placement they carry no ``Vary``)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        clen = environ.get("CONTENT_LENGTH")
        try:
            if clen and int(clen) > 0 and not environ.get("CONTENT_TYPE"):
                raise http.error(
                    webob.exc.HTTPBadRequest,
                    "content-type header required when content-length > 0",
                )
        except ValueError:
            raise http.error(
                webob.exc.HTTPBadRequest, "content-length header must be an integer"
            ) from None
        try:
            return self.app(environ, start_response)
        except exceptions.NotFound as exc:
            raise http.error(webob.exc.HTTPNotFound, str(exc)) from None
        except exceptions.PolicyNotAuthorized as exc:
            raise http.error(webob.exc.HTTPForbidden, str(exc)) from None
        except UnicodeDecodeError as exc:
            # A query string that is not UTF-8, read by a handler before its schema
            # check: the same 400 Placement gives where it validates first (its
            # GET /usages answers 500 here; refcloud never does).
            raise http.error(
                webob.exc.HTTPBadRequest, f"Invalid query string parameters: {exc}"
            ) from None
        except sa.exc.DataError as exc:
            if not engine.is_unstorable_text(exc):
                raise
            # Text PostgreSQL cannot hold (NUL) can match nothing and cannot be stored.
            raise http.error(
                webob.exc.HTTPBadRequest,
                "The request contains text this database cannot store (a NUL character).",
            ) from None
