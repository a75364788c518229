"""The Placement query a request becomes, and the Selection object."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from refcloud.scheduler.host_state import HostState
from refcloud.scheduler.request_spec import Flavor, ResourceRequest
from refcloud.scheduler.selection import Selection

from .cloud import spec


def test_querystring_is_sorted_and_encoded() -> None:
    query = ResourceRequest({"VCPU": 2, "DISK_GB": 10, "MEMORY_MB": 512}, required=("B", "A"),
                            member_of=("agg",), limit=50).to_querystring()
    assert query.split("&")[0].startswith("limit=")
    assert parse_qsl(query) == [
        ("limit", "50"),
        ("member_of", "in:agg"),
        ("required", "A,B"),
        ("resources", "DISK_GB:10,MEMORY_MB:512,VCPU:2"),
        ("root_required", "!COMPUTE_STATUS_DISABLED"),
    ]


def test_flavor_leaves_out_zero_amounts_and_spec_keeps_the_cell() -> None:
    assert Flavor("f", 2, 512, 0).resources == {"VCPU": 2, "MEMORY_MB": 512}
    request = spec().resource_request(limit=1000)
    assert request.member_of == () and request.limit == 1000
    assert request.resources == {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10}


def test_selection_carries_a_json_allocation_request_and_backports() -> None:
    host = HostState(uuid="rp", name="node1", cell_uuid="cell", availability_zone="az1",
                     capacity={"VCPU": 8, "MEMORY_MB": 1024, "DISK_GB": 10}, used={})
    request = {"allocations": {"rp": {"resources": {"VCPU": 1}}}, "mappings": {"": ["rp"]}}
    selection = Selection.from_host_state(host, request, "1.36")
    assert isinstance(selection.allocation_request, str)
    assert json.loads(selection.allocation_request) == request
    assert selection.allocation() == request
    assert selection.allocation_request_version == "1.36"
    assert (selection.service_host, selection.nodename, selection.cell_uuid) == (
        "node1", "node1", "cell")
    assert selection.limits == {"numa_topology": None, "vcpu": 8, "memory_mb": 1024,
                                "disk_gb": 10}
    assert selection.to_dict() == {"host": "node1", "nodename": "node1",
                                   "limits": selection.limits}
    assert selection.to_primitive()["data"]["availability_zone"] == "az1"
    assert "availability_zone" not in selection.to_primitive("1.0")["data"]
