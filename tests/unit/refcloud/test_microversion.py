"""The microversion list and negotiation, through the real WSGI app."""

from __future__ import annotations

import httpx
import pytest
from refcloud import microversion


def test_versions_are_sequential_from_1_0_to_1_39() -> None:
    assert microversion.VERSIONS[0] == "1.0"
    assert microversion.VERSIONS[-1] == "1.39"
    minors = [int(v.split(".")[1]) for v in microversion.VERSIONS]
    assert minors == list(range(40))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "placement 1.0"),
        ("placement latest", "placement 1.39"),
        ("placement 1.05", "placement 1.5"),
        ("compute 2.1, placement 1.20", "placement 1.20"),
        ("PLACEMENT 1.14", "placement 1.14"),
    ],
)
def test_negotiated_version_is_echoed(
    client: httpx.Client, header: str | None, expected: str
) -> None:
    headers = {"openstack-api-version": header} if header else {}
    resp = client.get("/resource_providers", headers=headers)
    assert resp.status_code == 200
    assert resp.headers["openstack-api-version"] == expected
    assert resp.headers["vary"] == "openstack-api-version"


@pytest.mark.parametrize("value", ["0.5", "2.0", "1.40"])
def test_out_of_range_version_is_406_with_bounds(client: httpx.Client, value: str) -> None:
    resp = client.get(
        "/resource_providers", headers={"openstack-api-version": f"placement {value}"}
    )
    assert resp.status_code == 406
    assert "openstack-api-version" not in resp.headers
    (error,) = resp.json()["errors"]
    assert error["max_version"] == "1.39"
    assert error["min_version"] == "1.0"
    assert f"Unacceptable version header: {value}" in error["detail"]


@pytest.mark.parametrize("value", ["pony.horse", "1.2.3", "1"])
def test_unparsable_version_is_400(client: httpx.Client, value: str) -> None:
    resp = client.get(
        "/resource_providers", headers={"openstack-api-version": f"placement {value}"}
    )
    assert resp.status_code == 400
    (error,) = resp.json()["errors"]
    assert "invalid version string" in error["detail"]
    assert "max_version" not in error
