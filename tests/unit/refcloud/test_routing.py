"""Routing: 404 for unknown paths, 405 with Allow built from the route table."""

from __future__ import annotations

import httpx
import pytest
from refcloud.placement.routes import ROUTES


@pytest.mark.parametrize("path", sorted(p for p in ROUTES if p and "{" not in p))
def test_wrong_method_is_405_with_allow_from_the_table(client: httpx.Client, path: str) -> None:
    allowed = list(ROUTES[path])
    method = next(m for m in ("PATCH", "OPTIONS", "HEAD") if m not in allowed)
    resp = client.request(method, path)
    assert resp.status_code == 405
    assert resp.headers["allow"] == ", ".join(allowed)
    (error,) = resp.json()["errors"]
    assert error["status"] == 405
    assert error["title"] == "Method Not Allowed"


def test_unknown_path_is_404_in_errors_format(client: httpx.Client) -> None:
    resp = client.get("/no/such/thing", headers={"openstack-api-version": "placement 1.23"})
    assert resp.status_code == 404
    (error,) = resp.json()["errors"]
    assert error["code"] == "placement.undefined_code"
    assert error["request_id"] == resp.headers["x-openstack-request-id"]


def test_error_code_only_from_1_23(client: httpx.Client) -> None:
    old = client.get("/no/such", headers={"openstack-api-version": "placement 1.22"})
    assert "code" not in old.json()["errors"][0]


def test_missing_token_is_401_in_errors_format_but_root_is_open(app_client: httpx.Client) -> None:
    resp = app_client.get("/resource_providers")
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["status"] == 401
    assert app_client.get("/").status_code == 200


def test_request_id_is_unique_per_response(client: httpx.Client) -> None:
    ids = {client.get("/").headers["x-openstack-request-id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(i.startswith("req-") for i in ids)


def test_body_without_content_type_is_400(client: httpx.Client) -> None:
    resp = client.post(
        "/resource_providers", content=b'{"name": "x"}', headers={"content-type": ""}
    )
    assert resp.status_code == 400
    assert "content-type header required" in resp.json()["errors"][0]["detail"]
