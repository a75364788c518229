"""Server and migration records, in this process's memory (a simulation).

Allocations live in Placement; these records hold what Placement does not
(name, status, host, fault). State changes that must not race (an action
checking the status it starts from) go through ``begin_task``.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from dataclasses import dataclass
from typing import Any

from refcloud.scheduler.request_spec import Flavor

BUILD = "BUILD"
ACTIVE = "ACTIVE"
ERROR = "ERROR"
RESIZE = "RESIZE"
REBOOT = "REBOOT"
VERIFY_RESIZE = "VERIFY_RESIZE"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class ServerNotFound(Exception):
    def __init__(self, server_id: str) -> None:
        super().__init__(f"Instance {server_id} could not be found.")


class InvalidState(Exception):
    """An action the server's current status (or running task) forbids."""

    def __init__(self, action: str, server_id: str, what: str, value: str) -> None:
        super().__init__(f"Cannot '{action}' instance {server_id} while it is in {what} {value}")


@dataclass(frozen=True)
class Server:
    id: str
    name: str
    project_id: str
    user_id: str
    flavor: Flavor
    created: datetime.datetime
    updated: datetime.datetime
    status: str = BUILD
    task_state: str | None = None
    host: str | None = None
    compute_node_uuid: str | None = None
    cell_uuid: str | None = None
    availability_zone: str | None = None
    fault: dict[str, Any] | None = None
    migration_uuid: str | None = None


@dataclass(frozen=True)
class Migration:
    uuid: str
    instance_uuid: str
    project_id: str
    user_id: str
    source_compute: str
    source_node_uuid: str
    dest_compute: str
    dest_node_uuid: str
    cell_uuid: str
    created: datetime.datetime
    updated: datetime.datetime
    status: str = "finished"
    migration_type: str = "migration"


class ServerStore:
    def __init__(self) -> None:
        self._servers: dict[str, Server] = {}
        self._migrations: dict[str, Migration] = {}
        self._lock = threading.Lock()

    def add(self, server: Server) -> None:
        with self._lock:
            self._servers[server.id] = server

    def get(self, server_id: str) -> Server:
        with self._lock:
            server = self._servers.get(server_id)
        if server is None:
            raise ServerNotFound(server_id)
        return server

    def find(self, server_id: str) -> Server | None:
        with self._lock:
            return self._servers.get(server_id)

    def list(self, project_id: str | None = None) -> list[Server]:
        """Servers in creation order (all of them when ``project_id`` is None)."""
        with self._lock:
            return [s for s in self._servers.values()
                    if project_id is None or s.project_id == project_id]

    def update(self, server_id: str, **changes: Any) -> Server | None:
        """Change a server (None if it was deleted meanwhile)."""
        with self._lock:
            server = self._servers.get(server_id)
            if server is None:
                return None
            server = dataclasses.replace(server, updated=now(), **changes)
            self._servers[server_id] = server
            return server

    def begin_task(self, server_id: str, action: str, allowed: set[str], task: str,
                   **changes: Any) -> Server:
        """Atomically check the status (and that no task runs) and start ``task``."""
        with self._lock:
            server = self._servers.get(server_id)
            if server is None:
                raise ServerNotFound(server_id)
            if server.task_state is not None:
                raise InvalidState(action, server_id, "task_state", server.task_state)
            if server.status not in allowed:
                raise InvalidState(action, server_id, "status", server.status)
            server = dataclasses.replace(server, task_state=task, updated=now(), **changes)
            self._servers[server_id] = server
            return server

    def remove(self, server_id: str) -> Server:
        with self._lock:
            server = self._servers.pop(server_id, None)
        if server is None:
            raise ServerNotFound(server_id)
        return server

    def add_migration(self, migration: Migration) -> None:
        with self._lock:
            self._migrations[migration.uuid] = migration

    def migration(self, migration_uuid: str) -> Migration | None:
        with self._lock:
            return self._migrations.get(migration_uuid)

    def set_migration_status(self, migration_uuid: str, status: str) -> None:
        with self._lock:
            found = self._migrations.get(migration_uuid)
            if found is not None:
                self._migrations[migration_uuid] = dataclasses.replace(
                    found, status=status, updated=now())

    def migrations(self, instance_uuid: str | None = None) -> list[Migration]:
        """Migrations in creation order (those of one instance, if given)."""
        with self._lock:
            return [m for m in self._migrations.values()
                    if instance_uuid is None or m.instance_uuid == instance_uuid]
