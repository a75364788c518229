"""The microversion list and negotiation, through the real WSGI app."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import httpx
import pytest
from refcloud import microversion
from refcloud.placement.routes import ROUTES


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


def test_named_versions_cover_every_version_once() -> None:
    named = {v for k, v in vars(microversion).items()
             if isinstance(v, microversion.Version) and k.isupper()}
    assert [str(v) for v in sorted(named)] == microversion.VERSIONS
    assert str(microversion.NESTED_PROVIDERS) == "1.14"
    assert str(microversion.CACHE_HEADERS) == "1.15"


def test_tables_give_the_newest_entry_reached_and_their_ranges() -> None:
    table = ((microversion.BASE, "a"), (microversion.NESTED_PROVIDERS, "b"),
             (microversion.CONSUMER_TYPES, "c"))
    rows = [(str(lo), str(hi) if hi else None, v) for lo, hi, v in microversion.ranges(table)]
    assert rows == [("1.0", "1.13", "a"), ("1.14", "1.37", "b"), ("1.38", None, "c")]


@pytest.mark.parametrize(
    ("path", "method", "first"),
    [
        ("/resource_providers", "GET", "1.0"),
        ("/resource_providers/{uuid}/aggregates", "PUT", "1.1"),
        ("/resource_classes/{name}", "PUT", "1.2"),
        ("/resource_providers/{uuid}/inventories", "DELETE", "1.5"),
        ("/traits", "GET", "1.6"),
        ("/allocation_candidates", "GET", "1.10"),
        ("/reshaper", "POST", "1.30"),
    ],
)
def test_a_routed_handler_says_its_first_version(path: str, method: str, first: str) -> None:
    assert str(microversion.min_version_of(ROUTES[path][method])) == first


@pytest.mark.parametrize(
    ("path", "below", "status"),
    [("/reshaper", "1.29", 404), ("/resource_providers/{uuid}/inventories", "1.4", 405)],
)
def test_below_the_first_version_is_404_or_405(
    client: httpx.Client, path: str, below: str, status: int
) -> None:
    method = "POST" if path == "/reshaper" else "DELETE"
    url = path.replace("{uuid}", "c8bd32b4-96b6-4b55-a6a2-6c1bd5bbf3f2")
    resp = client.request(method, url, headers={"openstack-api-version": f"placement {below}"},
                          json={})
    assert resp.status_code == status
    assert resp.json()["errors"][0]["status"] == status


def _gen_openapi() -> Any:
    path = Path(__file__).resolve().parents[3] / "reference-impl" / "tools" / "gen_openapi.py"
    spec = importlib.util.spec_from_file_location("gen_openapi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_openapi_operations_are_the_routes_at_their_handlers_versions() -> None:
    doc = _gen_openapi().build()
    documented = {(path, method.upper()) for path, item in doc["paths"].items()
                  for method in item if method != "x-interopcheck-ignore"}
    assert documented == {(p, m) for p, methods in ROUTES.items() for m in methods if p}
    for path, methods in ROUTES.items():
        for method, app in methods.items():
            if path:
                op = doc["paths"][path][method.lower()]
                assert op["x-openstack"]["min-ver"] == str(microversion.min_version_of(app))


def test_openapi_generator_refuses_an_undescribed_route() -> None:
    gen = _gen_openapi()
    builder = gen.Builder()
    with pytest.raises(SystemExit, match="route GET /new is not described"):
        builder.emit({"/new": {"GET": ROUTES["/traits"]["GET"]}})
