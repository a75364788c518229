"""Assemble the servers API's WSGI application.

Outermost first: request id -> protocol headers (strict version strings, echo, Vary,
Cache-Control on every answer) -> noauth2 -> fault wrapper (compute's error
format) -> microversion negotiation (``compute``) -> error adoption ->
content checks -> router -> handlers; the same framework pieces as
Placement's stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from microversion_parse import middleware as mp_middleware

from refcloud import middleware
from refcloud.compute import microversion, wsgi
from refcloud.compute import middleware as compute_middleware
from refcloud.compute.config import ComputeConfig
from refcloud.compute.routes import ROUTES, ComputeRouter
from refcloud.compute.service import ComputeService
from refcloud.scheduler.interface import Placement

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
ENVIRON_KEY = "refcloud.compute.service"


class ComputeApp:
    """The servers API; ``service`` (records, scheduler, conductor, fleet) is exposed."""

    def __init__(self, placement: Placement, config: ComputeConfig) -> None:
        self.service = ComputeService(placement, config)
        app: WSGIApp = ComputeRouter(ROUTES)
        app = middleware.ContentCheck(app)
        app = compute_middleware.AdoptErrors(app)
        app = mp_middleware.MicroversionMiddleware(
            app, microversion.SERVICE_TYPE, microversion.VERSIONS,
            json_error_formatter=wsgi.json_error_formatter)
        app = compute_middleware.FaultWrapper(app)
        app = compute_middleware.NoAuth(app)
        app = compute_middleware.Protocol(app)
        app = middleware.RequestId(app)
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        environ[ENVIRON_KEY] = self.service
        return self._app(environ, start_response)

    def close(self) -> None:
        self.service.close()


def make_compute_app(placement: Placement, config: ComputeConfig | None = None) -> ComputeApp:
    """The servers API talking to ``placement`` (e.g. a PlacementClient)."""
    return ComputeApp(placement, config or ComputeConfig())
