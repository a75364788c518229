"""The servers API beside Placement: /compute goes to compute, nothing else changes."""

from __future__ import annotations

import subprocess
import uuid

import httpx
import pytest
import refcloud
from refcloud.compute.mount import with_compute

from tests.support.refcloud_proc import refcloud_command, refcloud_process

PLACEMENT_REQUESTS = [
    ("GET", "/", {}),
    ("GET", "", {}),
    ("GET", "/resource_providers", {"openstack-api-version": "placement 1.39"}),
    ("GET", "/resource_providers", {"openstack-api-version": "placement 9.99"}),
    ("GET", "/computex", {"openstack-api-version": "placement 1.39"}),
    ("GET", "/compute_nodes", {}),
    ("PATCH", "/traits", {"openstack-api-version": "placement 1.39"}),
]


def _comparable(resp: httpx.Response) -> tuple:
    headers = sorted((k, v) for k, v in resp.headers.items()
                     if k not in ("x-openstack-request-id", "last-modified", "date"))
    body = resp.content.replace(resp.headers["x-openstack-request-id"].encode(), b"REQ")
    return resp.status_code, headers, body


@pytest.mark.parametrize(("method", "path", "headers"), PLACEMENT_REQUESTS)
def test_placement_answers_exactly_as_without_the_mount(method: str, path: str,
                                                        headers: dict) -> None:
    plain = refcloud.make_app(refcloud.Config(db_url="sqlite://"))
    mounted = with_compute(refcloud.make_app(refcloud.Config(db_url="sqlite://")))
    answers = []
    for app in (plain, mounted):
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://r",
                          headers={"x-auth-token": "admin", **headers}) as client:
            answers.append(_comparable(client.request(method, path)))
    assert answers[0] == answers[1]


def test_refcloud_serve_serves_the_servers_api(tmp_path) -> None:
    cell = str(uuid.uuid4())
    with refcloud_process(f"sqlite:///{tmp_path / 'rc.db'}", log_dir=tmp_path,
                          extra_args=["--cell", f"cellA={cell}"]) as rc:
        root = httpx.get(rc.url + "/compute/")
        assert root.status_code == 200
        assert root.headers["openstack-api-version"] == "compute 1.0"
        assert httpx.get(rc.url + "/").json()["versions"][0]["max_version"] == "1.39"
        headers = {"x-auth-token": "admin", "openstack-api-version": "placement 1.39"}
        rp = str(uuid.uuid4())
        assert httpx.post(rc.url + "/resource_providers", headers=headers,
                          json={"name": "node1", "uuid": rp}).status_code == 200
        assert httpx.put(rc.url + f"/resource_providers/{rp}/aggregates", headers=headers,
                         json={"resource_provider_generation": 0,
                               "aggregates": [cell]}).status_code == 200
        hosts = httpx.get(rc.url + "/compute/os-simulation/hosts",
                          headers={"x-auth-token": "admin"}).json()["hosts"]
        assert [(h["name"], h["cell_name"]) for h in hosts] == [("node1", "cellA")]


def test_a_malformed_cell_option_is_refused() -> None:
    done = subprocess.run([*refcloud_command(), "serve", "--port", "0", "--db", "sqlite://",
                           "--cell", "nouuid"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--cell wants NAME=UUID" in done.stderr
