"""Routes as data: path template -> {METHOD: handler}.

A known path with an unknown method answers 405 with ``Allow`` built from the
same table; an unknown path answers 404. Path parameters are not validated
here (a bad id reaches its handler and gets a specific 404).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import webob
import webob.exc

from refcloud import http

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
Routes = dict[str, dict[str, WSGIApp]]

_PARAM = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> re.Pattern[str]:
    escaped = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
    pattern = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", escaped)
    return re.compile(f"^{pattern}$")


class Router:
    """Dispatch a WSGI request to the handler declared for its path and method."""

    def __init__(self, routes: Routes) -> None:
        self._table = [(_compile(path), methods) for path, methods in routes.items()]

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for pattern, methods in self._table:
            match = pattern.match(path)
            if match is None:
                continue
            environ["wsgiorg.routing_args"] = ((), match.groupdict())
            method = environ.get("REQUEST_METHOD", "GET")
            app = methods.get(method)
            if app is None:
                return _method_not_allowed(", ".join(methods))(environ, start_response)
            return app(environ, start_response)
        raise http.error(webob.exc.HTTPNotFound)


def _method_not_allowed(allow: str) -> webob.exc.HTTPException:
    return http.error(
        webob.exc.HTTPMethodNotAllowed,
        "The method specified is not allowed for this resource.",
        headers={"allow": allow},
    )
