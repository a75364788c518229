"""Routing: 404 for unknown paths, 405 with Allow built from the route table."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from refcloud.app import make_app
from refcloud.config import Config
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


#: webob's text for a 401, as real Placement's noauth2 sends it (tests/golden/recorded).
WEBOB_401_MESSAGE = (
    "This server could not verify that you are authorized to access the document you "
    "requested. Either you supplied the wrong credentials (e.g., bad password), or your "
    "browser does not understand how to supply the credentials required.<br /><br />\n\n\n"
)


@pytest.mark.parametrize("version", [None, "placement 1.39"])
def test_missing_token_is_real_placements_401_but_root_is_open(
    app_client: httpx.Client, version: str | None
) -> None:
    headers = {"openstack-api-version": version} if version else {}
    resp = app_client.get("/resource_providers", headers=headers)
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/json"
    assert "openstack-api-version" not in resp.headers
    assert "vary" not in resp.headers
    assert resp.headers["x-openstack-request-id"].startswith("req-")
    assert resp.json() == {
        "message": WEBOB_401_MESSAGE, "code": "401 Unauthorized", "title": "Unauthorized",
    }
    assert app_client.get("/").status_code == 200


def test_missing_token_401_in_errors_format_behind_the_option(tmp_path: Path) -> None:
    app = make_app(Config(db_url=f"sqlite:///{tmp_path / 'rc.db'}", apisig_401=True))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://rc") as anon:
        resp = anon.get("/resource_providers",
                        headers={"openstack-api-version": "placement 1.39"})
    app.db.dispose()
    assert resp.status_code == 401
    (error,) = resp.json()["errors"]
    assert error["status"] == 401
    assert error["title"] == "Unauthorized"
    assert "code" not in error  # answered before version negotiation
    assert error["request_id"] == resp.headers["x-openstack-request-id"]


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
