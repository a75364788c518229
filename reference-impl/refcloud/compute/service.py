"""The compute service behind the servers API: records, scheduling, builds, actions.

Builds run on worker threads (or inline, ``ComputeConfig.inline_tasks``):
POST /servers answers as soon as the records exist, in status BUILD.
Actions that need a destination (migrate) schedule in the request, so a
missing destination is the API's 400, as Nova's cold migrate.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from refcloud.compute import migration as migration_mod
from refcloud.compute.conductor import BuildResult, Conductor
from refcloud.compute.config import ComputeConfig
from refcloud.compute.hosts import ComputeFleet
from refcloud.compute.store import (
    ACTIVE,
    ERROR,
    RESIZE,
    VERIFY_RESIZE,
    Server,
    ServerNotFound,
    ServerStore,
    now,
)
from refcloud.scheduler.cells import HostMap
from refcloud.scheduler.interface import NoValidHost, Placement, PlacementError
from refcloud.scheduler.request_spec import Flavor, RequestSpec
from refcloud.scheduler.scheduler import Scheduler

LOG = logging.getLogger(__name__)


class ComputeService:
    def __init__(self, placement: Placement, config: ComputeConfig | None = None) -> None:
        self.config = config or ComputeConfig()
        self.placement = placement
        rng = random.Random(self.config.seed)
        self.host_map = HostMap(placement, self.config.cells,
                                az_aggregates=self.config.az_aggregates,
                                default_availability_zone=self.config.default_availability_zone,
                                refresh_interval=self.config.host_refresh_interval)
        self.scheduler = Scheduler(placement, self.host_map, self.config.scheduler,
                                   random.Random(rng.random()))
        self.fleet = ComputeFleet(random.Random(rng.random()))
        self.conductor = Conductor(placement, self.scheduler, self.fleet)
        self.store = ServerStore()
        self._executor = (None if self.config.inline_tasks
                          else ThreadPoolExecutor(self.config.workers, "refcloud-compute"))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    # -- servers ----------------------------------------------------------

    def create_servers(self, *, name: str, flavor: Flavor, count: int, project_id: str,
                       user_id: str, availability_zone: str | None) -> list[Server]:
        """Records in BUILD for ``count`` instances, then one build request for all."""
        stamp = now()
        servers = [
            Server(id=str(uuid.uuid4()), name=name if count == 1 else f"{name}-{i + 1}",
                   project_id=project_id, user_id=user_id, flavor=flavor, created=stamp,
                   updated=stamp, availability_zone=availability_zone)
            for i in range(count)
        ]
        for server in servers:
            self.store.add(server)
        spec = RequestSpec(flavor=flavor, project_id=project_id, user_id=user_id,
                           availability_zone=availability_zone)
        self._submit(self._build, [s.id for s in servers], spec)
        return servers

    def _build(self, server_ids: list[str], spec: RequestSpec) -> None:
        try:
            results = self.conductor.schedule_and_build(spec, server_ids,
                                                        self.config.max_attempts - 1)
        except Exception as exc:  # never leave servers in BUILD
            LOG.exception("building %s failed", server_ids)
            results = [BuildResult(i, fault="Unexpected error while building.",
                                   fault_details=str(exc)) for i in server_ids]
        for result in results:
            self._record(result)

    def _record(self, result: BuildResult) -> None:
        selection = result.selection
        if selection is not None:
            updated = self.store.update(
                result.instance_uuid, status=ACTIVE, host=selection.service_host,
                compute_node_uuid=selection.compute_node_uuid, cell_uuid=selection.cell_uuid,
                availability_zone=selection.availability_zone)
        else:
            fault = {"code": 500, "message": result.fault or "Build failed.",
                     "details": result.fault_details, "created": now()}
            updated = self.store.update(result.instance_uuid, status=ERROR, fault=fault)
        if updated is None:  # deleted while building: give back what the build holds
            self._release(result.instance_uuid)

    def reboot(self, server_id: str) -> None:
        """A reboot of an ACTIVE server (instant in the simulation)."""
        self.store.begin_task(server_id, "reboot", {ACTIVE}, "rebooting")
        self.store.update(server_id, task_state=None)

    def migrate(self, server_id: str, host: str | None = None) -> None:
        """Claim a target in the server's cell for a migration consumer; VERIFY_RESIZE."""
        server = self.store.begin_task(server_id, "migrate", {ACTIVE}, "resize_prep",
                                       status=RESIZE)
        try:
            migration = migration_mod.start(self.scheduler, server, host)
        except (NoValidHost, PlacementError):
            self.store.update(server_id, status=ACTIVE, task_state=None)
            raise
        self.store.add_migration(migration)
        info = self.host_map.lookup(migration.dest_node_uuid)
        updated = self.store.update(
            server_id, status=VERIFY_RESIZE, task_state=None, host=migration.dest_compute,
            compute_node_uuid=migration.dest_node_uuid, migration_uuid=migration.uuid,
            availability_zone=info.availability_zone if info else server.availability_zone)
        if updated is None:
            self._release(migration.uuid)

    def confirm_migration(self, server_id: str) -> None:
        server = self.store.begin_task(server_id, "confirmResize", {VERIFY_RESIZE},
                                       "resize_confirming")
        migration = self._migration_of(server)
        try:
            self.store.add_migration(migration_mod.confirm(self.placement, migration))
        except PlacementError:
            self.store.update(server_id, task_state=None)
            raise
        self.store.update(server_id, status=ACTIVE, task_state=None, migration_uuid=None)

    def revert_migration(self, server_id: str) -> None:
        server = self.store.begin_task(server_id, "revertResize", {VERIFY_RESIZE},
                                       "resize_reverting")
        migration = self._migration_of(server)
        try:
            self.store.add_migration(migration_mod.revert(self.placement, migration))
        except PlacementError:
            self.store.update(server_id, task_state=None)
            raise
        info = self.host_map.lookup(migration.source_node_uuid)
        self.store.update(
            server_id, status=ACTIVE, task_state=None, host=migration.source_compute,
            compute_node_uuid=migration.source_node_uuid, migration_uuid=None,
            availability_zone=info.availability_zone if info else server.availability_zone)

    def delete(self, server_id: str) -> None:
        """Forget the server and delete its (and its migration's) allocations."""
        server = self.store.remove(server_id)
        self._release(server.id)
        if server.migration_uuid:
            self._release(server.migration_uuid)
            self.store.set_migration_status(server.migration_uuid, "deleted")

    def _migration_of(self, server: Server) -> migration_mod.Migration:
        found = self.store.migration(server.migration_uuid or "")
        if found is None:
            raise ServerNotFound(server.id)
        return found

    def _release(self, consumer: str) -> None:
        try:
            self.placement.delete_allocations(consumer)
        except PlacementError:
            LOG.exception("could not delete the allocations of %s", consumer)

    def _submit(self, func: Callable[..., Any], *args: Any) -> None:
        if self._executor is None:
            func(*args)
            return
        future = self._executor.submit(func, *args)
        future.add_done_callback(_log_failure)


def _log_failure(future: Any) -> None:
    exc = future.exception()
    if exc is not None:
        LOG.error("background build failed", exc_info=exc)
