"""The servers API's routes: path -> {METHOD: handler} (refcloud's Router)."""

from __future__ import annotations

from refcloud.compute.handlers import actions, flavors, migrations, root, servers, simulation
from refcloud.routing import Routes

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

