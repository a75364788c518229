"""Cold migration: the target is held by a migration consumer until confirm or revert."""

from __future__ import annotations

from .conftest import CELL1, ComputeCloud

TINY = {"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 1}


def migrate(compute: ComputeCloud) -> tuple[str, dict]:
    server_id = compute.create()
    assert compute.server(server_id)["host"] == "a0"
    resp = compute.action(server_id, {"migrate": None})
    assert resp.status_code == 202, resp.text
    [migration] = compute.http.get("/compute/os-migrations",
                                   params={"instance_uuid": server_id}).json()["migrations"]
    return server_id, migration


def test_migrate_holds_the_target_under_the_migration_uuid(compute: ComputeCloud) -> None:
    server_id, migration = migrate(compute)
    server = compute.server(server_id)
    assert server["status"] == "VERIFY_RESIZE"
    target = migration["dest_compute"]
    assert server["host"] == target and migration["source_compute"] == "a0"
    assert compute.hosts.cell_of[target] == CELL1  # never leaves the cell
    assert migration["status"] == "finished" and migration["migration_type"] == "migration"
    assert compute.hosts.holders(server_id) == {"a0": TINY}
    assert compute.hosts.holders(migration["uuid"]) == {target: TINY}


def test_confirm_moves_the_target_allocation_to_the_instance(compute: ComputeCloud) -> None:
    server_id, migration = migrate(compute)
    target = migration["dest_compute"]
    assert compute.action(server_id, {"confirmResize": None}).status_code == 202
    server = compute.server(server_id)
    assert (server["status"], server["host"]) == ("ACTIVE", target)
    assert compute.hosts.holders(server_id) == {target: TINY}
    assert compute.hosts.holders(migration["uuid"]) == {}
    assert compute.hosts.usage("a0")["VCPU"] == 0
    [after] = compute.http.get("/compute/os-migrations").json()["migrations"]
    assert after["status"] == "confirmed"
    assert compute.action(server_id, {"confirmResize": None}).status_code == 409


def test_revert_drops_the_target_allocation(compute: ComputeCloud) -> None:
    server_id, migration = migrate(compute)
    target = migration["dest_compute"]
    assert compute.action(server_id, {"revertResize": {}}).status_code == 202
    server = compute.server(server_id)
    assert (server["status"], server["host"]) == ("ACTIVE", "a0")
    assert compute.hosts.holders(server_id) == {"a0": TINY}
    assert compute.hosts.holders(migration["uuid"]) == {}
    assert compute.hosts.usage(target)["VCPU"] == 0
    [after] = compute.http.get("/compute/os-migrations").json()["migrations"]
    assert after["status"] == "reverted"


def test_delete_while_verifying_releases_both_allocations(compute: ComputeCloud) -> None:
    server_id, migration = migrate(compute)
    assert compute.http.delete(f"/compute/servers/{server_id}").status_code == 204
    assert compute.hosts.holders(server_id) == {}
    assert compute.hosts.holders(migration["uuid"]) == {}
    assert all(compute.hosts.usage(h)["VCPU"] == 0 for h in compute.hosts.hosts)


def test_migrate_without_a_destination_in_the_cell_is_400(compute: ComputeCloud) -> None:
    server_id = compute.create()
    for name in ("a1", "a2"):  # the rest of cell1 disabled
        compute.hosts.placement.set_traits(compute.hosts.hosts[name],
                                           ["COMPUTE_STATUS_DISABLED"])
    resp = compute.action(server_id, {"migrate": None})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "compute.no_valid_host"
    server = compute.server(server_id)
    assert (server["status"], server["host"]) == ("ACTIVE", "a0")
    assert compute.http.get("/compute/os-migrations").json() == {"migrations": []}
    assert compute.hosts.holders(server_id) == {"a0": TINY}


def test_migrate_to_a_named_host(compute: ComputeCloud) -> None:
    server_id = compute.create()
    assert compute.action(server_id, {"migrate": {"host": "a2"}}).status_code == 202
    assert compute.server(server_id)["host"] == "a2"
    # a host in another cell is never a destination
    other = compute.create()
    assert compute.action(other, {"migrate": {"host": "b0"}}).status_code == 400
