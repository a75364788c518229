"""Cold migration: the target is claimed by a migration consumer, then confirmed or reverted.

While a migration waits for confirmation the instance consumer keeps its
allocation on the source host and the migration (a consumer of its own, its
uuid) holds the allocation on the target host. Confirm moves the migration's
allocation to the instance in one ``POST /allocations`` (the source allocation
is replaced, the migration consumer left empty); revert deletes the
migration's allocation and the instance stays on the source.
"""

from __future__ import annotations

import dataclasses
import uuid

from refcloud.compute.store import Migration, Server, now
from refcloud.scheduler.interface import Placement
from refcloud.scheduler.request_spec import RequestSpec
from refcloud.scheduler.scheduler import Scheduler


def start(scheduler: Scheduler, server: Server, target_host: str | None = None) -> Migration:
    """Pick and claim a target in the server's cell (NoValidHost if none)."""
    assert server.host and server.cell_uuid and server.compute_node_uuid
    spec = RequestSpec(
        flavor=server.flavor,
        project_id=server.project_id,
        user_id=server.user_id,
        ignore_hosts=frozenset({server.host}),
        force_hosts=frozenset({target_host}) if target_host else frozenset(),
        requested_cell=server.cell_uuid,
    )
    migration_uuid = str(uuid.uuid4())
    [[target]] = scheduler.select_destinations(spec, [migration_uuid], 0)
    stamp = now()
    return Migration(
        uuid=migration_uuid, instance_uuid=server.id, project_id=server.project_id,
        user_id=server.user_id, source_compute=server.host,
        source_node_uuid=server.compute_node_uuid, dest_compute=target.service_host,
        dest_node_uuid=target.compute_node_uuid, cell_uuid=target.cell_uuid,
        created=stamp, updated=stamp,
    )


def confirm(placement: Placement, migration: Migration) -> Migration:
    """The instance takes the target allocation; the source allocation goes."""
    placement.move_allocations(migration.uuid, migration.instance_uuid,
                               migration.project_id, migration.user_id)
    return dataclasses.replace(migration, status="confirmed", updated=now())


def revert(placement: Placement, migration: Migration) -> Migration:
    """The target allocation goes; the instance keeps the source allocation."""
    placement.delete_allocations(migration.uuid)
    return dataclasses.replace(migration, status="reverted", updated=now())
