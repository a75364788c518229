"""Host -> cell from Placement aggregates."""

from __future__ import annotations

import uuid

from refcloud.scheduler.cells import HostMap

from .cloud import Cloud, inventory


def test_hosts_belong_to_the_cell_whose_aggregate_they_are_in(cloud: Cloud) -> None:
    a, b = cloud.add_cell("a"), cloud.add_cell("b")
    cloud.add_host("h1", a)
    cloud.add_host("h2", b)
    loose = str(uuid.uuid4())
    cloud.placement.register_host("loose", loose, inventory(), [str(uuid.uuid4())])
    host_map = cloud.host_map()
    assert host_map.lookup(cloud.hosts["h1"]).cell_uuid == a
    assert host_map.by_name("h2").cell_uuid == b
    assert host_map.lookup(loose) is None  # in no cell: not a compute node we schedule to
    assert [h.name for h in host_map.hosts()] == ["h1", "h2"]
    assert host_map.cell_name(b) == "b"


def test_unknown_host_refreshes_at_most_every_interval(cloud: Cloud) -> None:
    cell = cloud.add_cell("a")
    now = [100.0]
    host_map = HostMap(cloud.placement, cloud.cells, refresh_interval=10, clock=lambda: now[0])
    assert host_map.hosts() == []
    late = cloud.add_host("late", cell)
    now[0] += 5
    assert host_map.lookup(late) is None  # refreshed too recently
    now[0] += 5
    assert host_map.lookup(late).name == "late"


def test_static_map_never_asks_placement() -> None:
    from refcloud.scheduler.cells import HostInfo

    host_map = HostMap.static([HostInfo("u1", "n1", "c1")], {"c1": "cell1"})
    assert host_map.lookup("u1").name == "n1"
    assert host_map.lookup("u2") is None
