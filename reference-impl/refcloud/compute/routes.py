"""The servers API's routes: path -> {METHOD: handler} (refcloud's Router)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import webob.exc

from refcloud.compute import wsgi
from refcloud.compute.handlers import actions, flavors, migrations, root, servers, simulation
from refcloud.routing import Router, Routes

ROUTES: Routes = {
    "/": {"GET": root.home},
    "": {"GET": root.home},
    "/servers": {"GET": servers.list_servers, "POST": servers.create_server},
    "/servers/detail": {"GET": servers.list_servers_detail},
    "/servers/{server_id}": {"GET": servers.show_server, "DELETE": servers.delete_server},
    "/servers/{server_id}/action": {"POST": actions.server_action},
    "/flavors": {"GET": flavors.list_flavors},
    "/os-migrations": {"GET": migrations.list_migrations},
    "/os-simulation/hosts": {"GET": simulation.list_hosts},
    "/os-simulation/hosts/{host}": {"GET": simulation.show_host, "PUT": simulation.set_host},
}


class ComputeRouter(Router):
    """refcloud's Router, its 405 (with ``Allow``) raised to render in compute's format."""

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for pattern, methods in self._table:
            if pattern.match(path):
                if environ.get("REQUEST_METHOD", "GET") not in methods:
                    raise wsgi.error(webob.exc.HTTPMethodNotAllowed,
                                     "The method specified is not allowed for this resource.",
                                     headers={"allow": ", ".join(methods)})
                break
        return super().__call__(environ, start_response)
