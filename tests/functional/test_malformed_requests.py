"""No request, however malformed, gets a 5xx or a traceback; every error is in the errors format.

Sweeps every route and method of refcloud with bad bodies, bad query strings, bad path
parameters, bad headers and every microversion boundary, against one in-process app.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import refcloud
from refcloud.placement.routes import ROUTES

BAD_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not-json", b"{not json"),
    ("null", b"null"),
    ("list", b"[1, 2]"),
    ("string", b'"x"'),
    ("number", b"42"),
    ("deep", b"[" * 200 + b"]" * 200),
    ("bad-utf8", b'{"name": "\xff\xfe"}'),
    (
        "wrong-types",
        json.dumps(
            {
                "name": 5,
                "uuid": 5,
                "inventories": [],
                "allocations": 7,
                "traits": "x",
                "resource_provider_generation": "1",
                "aggregates": {},
                "project_id": [],
                "user_id": {},
                "consumer_generation": "g",
                "consumer_type": 1,
                "total": "10",
            }
        ).encode(),
    ),
    (
        "huge-ints",
        json.dumps(
            {
                "resource_provider_generation": 10**30,
                "total": 10**30,
                "inventories": {"VCPU": {"total": 10**30}},
                "allocations": {
                    "00000000-0000-0000-0000-000000000001": {"resources": {"VCPU": 10**30}}
                },
            }
        ).encode(),
    ),
]
BAD_PARAMS = [
    "/<script>",
    "/%00",
    "/" + "a" * 300,
    "/00000000-0000-0000-0000-000000000000",
    "/not-a-uuid",
    "/%E2%98%83",
    "/CUSTOM_%FF",
]
BAD_QUERIES = [
    "?name=",
    "?uuid=x",
    "?member_of=in:",
    "?member_of=!in:x,y",
    "?resources=VCPU",
    "?resources=VCPU:-1",
    "?resources=VCPU:1,,",
    "?required=!",
    "?required=in:",
    "?in_tree=x",
    "?limit=0",
    "?project_id=",
    "?associated=maybe",
    "?name=startswith:",
    "?%ff=1",
    "?resources=%ff:1",
]
VERSIONS = [None, "1.0", "1.5", "1.14", "1.15", "1.22", "1.23", "1.28", "1.30", "1.38", "latest"]


def _fill(path: str) -> Iterator[str]:
    if "{" not in path:
        yield path
        return
    head, _, rest = path.partition("{")
    _param, _, tail = rest.partition("}")
    for value in BAD_PARAMS:
        for filled in _fill(tail):
            yield head + value.lstrip("/") + filled


def _requests(
    versions: list[str | None] = VERSIONS,
) -> Iterator[tuple[str, str, dict[str, str], bytes]]:
    for path, methods in ROUTES.items():
        if not path:
            continue
        for method in methods:
            for url in itertools.islice(_fill(path), 6):
                for version in versions:
                    headers = {"content-type": "application/json"}
                    if version:
                        headers["openstack-api-version"] = f"placement {version}"
                    if method in ("PUT", "POST"):
                        for _name, body in BAD_BODIES:
                            yield method, url, headers, body
                    else:
                        for query in BAD_QUERIES[:: 1 if method == "GET" else 4]:
                            yield method, url + query, headers, b""
            # odd headers on the collection itself
            yield method, path, {"content-type": "text/plain"}, b"{}"
            yield method, path, {"accept": "text/html"}, b""
            yield method, path, {"accept": "application/xml"}, b""
            yield method, path, {"content-type": "application/json", "content-length": "abc"}, b""


def _assert_errors_format(resp: httpx.Response, what: str) -> None:
    assert resp.status_code < 500, f"{what} -> {resp.status_code}: {resp.text[:300]}"
    if resp.status_code >= 400 and resp.headers.get("content-type", "").startswith(
        "application/json"
    ):
        body = resp.json()
        assert list(body) == ["errors"], f"{what}: not the errors format: {body}"
        (error,) = body["errors"]
        assert error["status"] == resp.status_code, what
        assert {"status", "title", "detail", "request_id"} <= set(error), what


def _sweep(client: httpx.Client, versions: list[str | None] = VERSIONS) -> None:
    count = 0
    for method, url, headers, body in _requests(versions):
        try:
            resp = client.request(method, url, headers=headers, content=body)
        except httpx.InvalidURL:
            continue
        _assert_errors_format(resp, f"{method} {url} {headers} {body[:40]!r}")
        count += 1
    assert count > 300 * len(versions)


def test_no_malformed_request_gets_a_server_error(client: httpx.Client) -> None:
    _sweep(client)


@pytest.mark.postgresql
def test_no_malformed_request_gets_a_server_error_on_postgresql(postgres_server: Any) -> None:
    """The same sweep on PostgreSQL, which refuses text SQLite accepts (NUL characters)."""
    url = postgres_server.create_database("malformed")
    app = refcloud.make_app(refcloud.Config(db_url=url))
    try:
        with httpx.Client(
            transport=httpx.WSGITransport(app=app),
            base_url="http://refcloud",
            headers={"x-auth-token": "admin"},
        ) as client:
            _sweep(client, versions=[None, "1.23", "latest"])
    finally:
        app.db.dispose()


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_errors_follow_accept_but_are_never_server_errors(
    client: httpx.Client, accept: str
) -> None:
    resp = client.get("/resource_providers/nope", headers={"accept": accept})
    assert resp.status_code in (404, 406)
