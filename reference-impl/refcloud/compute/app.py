"""Assemble the servers API's WSGI application.

Outermost first: request id -> protocol headers (strict version strings, echo, Vary,
Cache-Control on every answer) -> noauth2 (its 401 in the errors format) -> fault
wrapper -> microversion negotiation (``compute``) -> content checks -> router ->
handlers; the same framework pieces as Placement's stack, every error rendered by
compute's formatter (``wsgi.error_body``, selected per request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from microversion_parse import middleware as mp_middleware

from refcloud import http, middleware
from refcloud.compute import microversion, wsgi
from refcloud.compute import middleware as compute_middleware
from refcloud.compute.config import ComputeConfig
from refcloud.compute.routes import ROUTES
from refcloud.compute.service import ComputeService
from refcloud.routing import Router
from refcloud.scheduler.interface import Placement

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
ENVIRON_KEY = "refcloud.compute.service"


class ComputeApp:
    """The servers API; ``service`` (records, scheduler, conductor, fleet) is exposed."""

    def __init__(self, placement: Placement, config: ComputeConfig) -> None:
        self.service = ComputeService(placement, config)
        app: WSGIApp = Router(ROUTES)
        app = middleware.ContentCheck(app)
        app = mp_middleware.MicroversionMiddleware(
            app, microversion.SERVICE_TYPE, microversion.VERSIONS,
            json_error_formatter=http.json_error_formatter)
        app = middleware.FaultWrapper(app)
        app = middleware.NoAuth(app, apisig_401=True)
        app = compute_middleware.Protocol(app)
        app = middleware.RequestId(app)
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        environ[ENVIRON_KEY] = self.service
        environ[http.ENV_ERROR_FORMAT] = wsgi.error_body
        return self._app(environ, start_response)

    def close(self) -> None:
        self.service.close()


def make_compute_app(placement: Placement, config: ComputeConfig | None = None) -> ComputeApp:
    """The servers API talking to ``placement`` (e.g. a PlacementClient)."""
    return ComputeApp(placement, config or ComputeConfig())
