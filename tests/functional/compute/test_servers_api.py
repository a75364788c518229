"""The servers API's formats: create, show, list, actions, delete, errors, versions."""

from __future__ import annotations

import time

import httpx
import pytest

from .conftest import ComputeCloud, build

ERROR_KEYS = {"status", "title", "detail", "code", "request_id"}
TINY = {"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 1}


def error_of(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    (error,) = resp.json()["errors"]
    assert set(error) >= ERROR_KEYS
    assert error["status"] == status
    assert error["request_id"] == resp.headers["x-openstack-request-id"]
    assert error["code"].startswith("compute.")
    return error


def test_version_document_needs_no_token_and_versions_are_negotiated(
        compute: ComputeCloud) -> None:
    resp = httpx.Client(transport=compute.http._transport, base_url="http://refcloud").get(
        "/compute/")
    assert resp.status_code == 200
    assert resp.json() == {"versions": [{
        "id": "v1.0", "min_version": "1.0", "max_version": "1.1", "status": "CURRENT",
        "links": [{"rel": "self", "href": "/compute/"},
                  {"rel": "collection", "href": "/compute/"}]}]}
    assert resp.headers["openstack-api-version"] == "compute 1.0"
    assert resp.headers["vary"] == "openstack-api-version"
    latest = compute.http.get("/compute/servers",
                              headers={"openstack-api-version": "compute latest"})
    assert latest.headers["openstack-api-version"] == "compute 1.1"
    placement_header = compute.http.get("/compute/servers",
                                        headers={"openstack-api-version": "placement 1.30"})
    assert placement_header.headers["openstack-api-version"] == "compute 1.0"


def test_unavailable_version_is_406_with_the_range(compute: ComputeCloud) -> None:
    error = error_of(compute.http.get("/compute/servers",
                                      headers={"openstack-api-version": "compute 1.2"}), 406)
    assert (error["min_version"], error["max_version"]) == ("1.0", "1.1")
    error_of(compute.http.get("/compute/servers",
                              headers={"openstack-api-version": "compute one"}), 400)


def test_version_strings_are_strict_and_errors_carry_the_protocol_headers(
        compute: ComputeCloud) -> None:
    """Unlike Placement (microversion-parse): 0.9 and 1.01 are malformed, and the 400/406
    raised before the handlers still echo a version and carry Vary; errors have links."""
    for value in ("0.9", "1.01", "1.1.1"):
        resp = compute.http.get("/compute/servers",
                                headers={"openstack-api-version": f"compute {value}"})
        error = error_of(resp, 400)
        assert error["code"] == "compute.microversion.malformed"
        assert value in error["detail"]
    out_of_range = compute.http.get("/compute/servers",
                                    headers={"openstack-api-version": "compute 1.7"})
    error = error_of(out_of_range, 406)
    assert error["code"] == "compute.microversion.unsupported"
    assert error["links"] and error["links"][0]["rel"] == "help"
    for answer in (resp, out_of_range, compute.http.get("/compute/nowhere")):
        assert answer.headers["openstack-api-version"].startswith("compute 1.")
        assert "openstack-api-version" in answer.headers["vary"].lower()
    assert compute.http.get("/compute/flavors").headers["cache-control"] == "no-cache"


def test_create_is_202_with_location_then_the_server_is_active(compute: ComputeCloud) -> None:
    resp = compute.http.post("/compute/servers",
                             json={"server": {"name": "web", "flavorRef": "1"}})
    assert resp.status_code == 202
    server_id = resp.json()["server"]["id"]
    assert resp.json() == {"server": {"id": server_id, "links": [
        {"rel": "self", "href": f"/compute/servers/{server_id}"}]}}
    assert resp.headers["location"] == f"http://refcloud/compute/servers/{server_id}"
    server = compute.server(server_id)
    assert server["status"] == "ACTIVE"
    assert server["name"] == "web" and server["host"] == "a0"
    assert server["flavor"] == {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}
    assert "fault" not in server
    assert compute.hosts.holders(server_id) == {"a0": TINY}


def test_availability_zone_appears_from_1_1(compute: ComputeCloud) -> None:
    server_id = compute.create()
    assert "availability_zone" not in compute.server(server_id, "1.0")
    assert compute.server(server_id, "1.1")["availability_zone"] == "nova"
    resp = compute.http.get("/compute/servers/detail",
                            headers={"openstack-api-version": "compute 1.1"})
    assert resp.json()["servers"][0]["availability_zone"] == "nova"


def test_list_and_detail(compute: ComputeCloud) -> None:
    ids = [compute.create("one"), compute.create("two")]
    listed = compute.http.get("/compute/servers").json()
    assert [s["id"] for s in listed["servers"]] == ids
    assert set(listed["servers"][0]) == {"id", "name", "links"}
    detail = compute.http.get("/compute/servers/detail").json()["servers"]
    assert [(s["name"], s["status"]) for s in detail] == [("one", "ACTIVE"), ("two", "ACTIVE")]


def test_failed_build_is_rescheduled_in_the_cell(compute: ComputeCloud) -> None:
    compute.set_fault("a0", {"always": True})
    server_id = compute.create()
    server = compute.server(server_id)
    assert server["status"] == "ACTIVE" and server["host"] == "a1"
    assert compute.hosts.holders(server_id) == {"a1": TINY}
    assert compute.hosts.usage("a0")["VCPU"] == 0
    host = compute.http.get("/compute/os-simulation/hosts/a0").json()["host"]
    assert (host["builds"], host["build_failures"]) == (1, 1)
    assert host["fault"] == {"probability": 0.0, "always": True}
    assert host["cell_name"] == "cell1"


def test_build_failing_everywhere_ends_in_error_with_a_fault(compute: ComputeCloud) -> None:
    for name in ("a0", "a1", "a2"):
        compute.set_fault(name, {"always": True})
    server_id = compute.create()
    server = compute.server(server_id)
    assert server["status"] == "ERROR" and server["host"] is None
    assert server["fault"]["code"] == 500
    assert "Exhausted all hosts available for retrying build failures" in server["fault"]["message"]
    assert set(server["fault"]) == {"code", "message", "details", "created"}
    assert compute.hosts.holders(server_id) == {}


def test_no_valid_host_is_error(compute: ComputeCloud) -> None:
    server = compute.server(compute.create(flavor="m1.xlarge"))  # 8 VCPU; hosts have 4
    assert server["status"] == "ERROR"
    assert server["fault"]["message"].startswith("No valid host was found.")


def test_delete_is_204_and_releases_allocations(compute: ComputeCloud) -> None:
    server_id = compute.create()
    assert compute.hosts.holders(server_id)
    resp = compute.http.delete(f"/compute/servers/{server_id}")
    assert resp.status_code == 204 and resp.content == b""
    error_of(compute.http.get(f"/compute/servers/{server_id}"), 404)
    assert compute.hosts.holders(server_id) == {}
    assert compute.hosts.usage("a0")["VCPU"] == 0
    error_of(compute.http.delete(f"/compute/servers/{server_id}"), 404)


def test_actions(compute: ComputeCloud) -> None:
    server_id = compute.create()
    resp = compute.action(server_id, {"reboot": {"type": "HARD"}})
    assert resp.status_code == 202 and resp.content == b""
    assert compute.server(server_id)["status"] == "ACTIVE"
    error = error_of(compute.action(server_id, {"hibernate": None}), 400)
    assert error["code"] == "compute.action.unknown"
    assert error["detail"] == "There is no such action: hibernate"
    error_of(compute.action(server_id, {"reboot": {"type": "SOFT"}, "migrate": None}), 400)
    error_of(compute.action(server_id, {}), 400)
    error_of(compute.action(server_id, {"reboot": {"type": "GENTLE"}}), 400)
    error = error_of(compute.action(server_id, {"confirmResize": None}), 409)
    assert error["code"] == "compute.server.invalid_state"
    assert "while it is in status ACTIVE" in error["detail"]
    error_of(compute.action("00000000-0000-4000-8000-000000000000", {"migrate": None}), 404)


def test_actions_an_error_server_cannot_take(compute: ComputeCloud) -> None:
    server_id = compute.create(flavor="5")  # no valid host: ERROR
    for body in ({"migrate": None}, {"reboot": {"type": "SOFT"}}, {"revertResize": None}):
        error_of(compute.action(server_id, body), 409)


def test_multi_create_is_all_or_nothing(compute: ComputeCloud) -> None:
    compute.create("web", max_count=3)
    servers = compute.http.get("/compute/servers/detail").json()["servers"]
    assert sorted(s["name"] for s in servers) == ["web-1", "web-2", "web-3"]
    assert {s["status"] for s in servers} == {"ACTIVE"}
    # 6 hosts x 4 VCPU = 24; 3 used; 6 more of 4 VCPU cannot fit
    compute.create("big", flavor="4", max_count=6)
    big = [s for s in compute.http.get("/compute/servers/detail").json()["servers"]
           if s["name"].startswith("big")]
    assert len(big) == 6 and {s["status"] for s in big} == {"ERROR"}
    assert all(compute.hosts.holders(s["id"]) == {} for s in big)


def test_other_projects_servers_are_invisible(compute: ComputeCloud) -> None:
    server_id = compute.create()
    other = {"x-auth-token": "alice:proj-a"}
    error_of(compute.http.get(f"/compute/servers/{server_id}", headers=other), 404)
    assert compute.http.get("/compute/servers", headers=other).json() == {"servers": []}
    error_of(compute.http.get("/compute/os-migrations", headers=other), 403)


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("PUT", "/compute/servers", {}, 405),
    ("GET", "/compute/nowhere", {}, 404),
    ("POST", "/compute/servers", {"content": b"{", "headers": {"content-type":
                                                              "application/json"}}, 400),
    ("POST", "/compute/servers", {"json": {"server": {"name": "x"}}}, 400),
    ("POST", "/compute/servers", {"json": {"server": {"name": "x", "flavorRef": "99"}}}, 400),
    ("POST", "/compute/servers", {"json": {"server": {"name": "x", "flavorRef": "1",
                                                      "availability_zone": "mars"}}}, 400),
    ("POST", "/compute/servers", {"content": b"{}", "headers": {"content-type":
                                                               "text/plain"}}, 415),
    ("GET", "/compute/servers", {"headers": {"x-auth-token": ""}}, 403),
])
def test_errors_use_the_api_sig_format(compute: ComputeCloud, method: str, path: str,
                                       kwargs: dict, status: int) -> None:
    resp = compute.http.request(method, path, **kwargs)
    error_of(resp, status)
    if status == 405:
        assert resp.headers["allow"] == "GET, POST"


def test_unacceptable_accept_is_406(compute: ComputeCloud) -> None:
    resp = compute.http.get("/compute/servers", headers={"accept": "text/plain"})
    assert resp.status_code == 406
    assert "Only application/json is provided" in resp.text  # rendered as the client accepts


def test_missing_token_is_401_in_compute_format(compute: ComputeCloud) -> None:
    anonymous = httpx.Client(transport=compute.http._transport, base_url="http://refcloud")
    error_of(anonymous.get("/compute/servers"), 401)


def test_builds_run_in_the_background_and_are_observable() -> None:
    cloud, placement_app = build(inline=False)
    try:
        server_id = cloud.create()
        assert cloud.server(server_id)["status"] in ("BUILD", "ACTIVE")
        deadline = time.monotonic() + 20
        while cloud.server(server_id)["status"] == "BUILD" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cloud.server(server_id)["status"] == "ACTIVE"
        assert cloud.hosts.holders(server_id) == {"a0": TINY}
    finally:
        cloud.app.compute.close()
        placement_app.db.dispose()
