"""Assemble the WSGI application: middleware order lives here, once.

Outermost first: request id (and Accept default) -> auth (noauth2) ->
fault wrapper -> microversion negotiation (microversion-parse) -> content
checks -> router -> handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from microversion_parse import middleware as mp_middleware

from refcloud import drift, http, limits, microversion, middleware
from refcloud.config import Config
from refcloud.placement.routes import ROUTES
from refcloud.routing import Router
from refcloud.storage import engine

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class RefcloudApp:
    """The assembled application; ``db`` and ``config`` are exposed for tools and tests."""

    def __init__(self, config: Config) -> None:
        self.config = config
        drift.check(config.drift)
        self.db = engine.Database(config.db_url)
        app: WSGIApp = Router(ROUTES)
        app = drift.install(app, config.drift, "inner")  # nothing unless configured
        app = middleware.ContentCheck(app)
        app = mp_middleware.MicroversionMiddleware(
            app,
            microversion.SERVICE_TYPE,
            microversion.VERSIONS,
            json_error_formatter=http.json_error_formatter,
        )
        app = middleware.FaultWrapper(app)
        app = middleware.NoAuth(app, apisig_401=config.apisig_401)
        app = limits.BodyLimit(app)  # 413 before auth or anything reads the body
        app = middleware.RequestId(app)
        app = drift.install(app, config.drift, "outer")  # nothing unless configured
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        environ[engine.ENVIRON_KEY] = self.db
        environ["refcloud.config"] = self.config
        return self._app(environ, start_response)


def make_app(config: Config | None = None) -> RefcloudApp:
    """Build refcloud's WSGI application."""
    return RefcloudApp(config or Config())
