"""Hostile request inputs against an in-process refcloud (issue 15): no 500, bounded answers,
filters linear in their repetitions, on SQLite and PostgreSQL where storage is involved."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.support.postgres import PostgresServer

HEADERS = {"x-auth-token": "admin", "openstack-api-version": "placement latest"}
JSON_CT = {"content-type": "application/json"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'refcloud.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"hostile_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def api(db_url: str) -> Iterator[httpx.Client]:
    app = refcloud.make_app(refcloud.Config(db_url=db_url))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                      headers=HEADERS) as c:
        yield c
    app.db.dispose()


def _post(api: httpx.Client, url: str, body: bytes | str) -> httpx.Response:
    return api.post(url, content=body, headers=JSON_CT)


def _errors(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["content-type"].startswith("application/json")
    error = resp.json()["errors"][0]
    assert error["status"] == status
    return error


def _provider(api: httpx.Client, name: str) -> str:
    rp = str(uuid.uuid4())
    assert _post(api, "/resource_providers", json.dumps({"name": name, "uuid": rp})).status_code \
        == 200
    return rp


# --- member_of repeated: linear, not exponential --------------------------------------------


def test_member_of_repeated_300_times_answers_quickly(api: httpx.Client) -> None:
    aggs = [str(uuid.uuid4()) for _ in range(3)]
    inside, outside = _provider(api, "inside"), _provider(api, "outside")
    resp = api.put(f"/resource_providers/{inside}/aggregates",
                   json={"aggregates": aggs, "resource_provider_generation": 0})
    assert resp.status_code == 200, resp.text
    resp = api.put(f"/resource_providers/{outside}/aggregates",
                   json={"aggregates": aggs[:1], "resource_provider_generation": 0})
    assert resp.status_code == 200, resp.text
    # 300 distinct any-of groups, each satisfied by the "inside" provider only.
    params = [("member_of", f"in:{aggs[1 + i % 2]},{uuid.uuid4()}") for i in range(300)]
    started = time.monotonic()
    resp = api.get("/resource_providers", params=params)
    elapsed = time.monotonic() - started
    assert resp.status_code == 200, resp.text[:300]
    assert [p["uuid"] for p in resp.json()["resource_providers"]] == [inside]
    assert elapsed < 5, f"300 member_of took {elapsed:.1f}s"  # bound, not a benchmark
    # The same value repeated 1,000 times: one group, still an answer (SQLite gave a 500).
    resp = api.get("/resource_providers", params=[("member_of", aggs[0])] * 1000)
    assert resp.status_code == 200, resp.text[:300]
    assert sorted(p["uuid"] for p in resp.json()["resource_providers"]) == sorted(
        [inside, outside])
    # Unknown aggregates match nothing; forbidden ones still apply.
    resp = api.get("/resource_providers",
                   params=[("member_of", str(uuid.uuid4()))] * 300)
    assert resp.json()["resource_providers"] == []
    resp = api.get("/resource_providers",
                   params=[("member_of", aggs[0])] * 300 + [("member_of", f"!{aggs[1]}")])
    assert [p["uuid"] for p in resp.json()["resource_providers"]] == [outside]


# --- JSON decoding guards: 400, never 500 ---------------------------------------------------


@pytest.mark.parametrize("body", [
    pytest.param('{"name": "\\ud800", "uuid": "%s"}', id="lone-surrogate-name"),
    pytest.param('{"name": "\\udfff x", "uuid": "%s"}', id="lone-low-surrogate"),
    pytest.param("[" * 5000 + "]" * 5000, id="deep-5000"),
    pytest.param("[" * 1_000_000 + "]" * 1_000_000, id="deep-1M"),
    pytest.param('{"name": "x", "uuid": "%s", "extra": ' + "[" * 900 + "]" * 900 + "}",
                 id="deep-900-in-schema-error"),
])
def test_provider_body_guards(api: httpx.Client, body: str) -> None:
    if "%s" in body:
        body = body % uuid.uuid4()
    _errors(_post(api, "/resource_providers", body), 400)


def test_lone_surrogate_trait_is_400(api: httpx.Client) -> None:
    rp = _provider(api, "traits")
    body = '{"traits": ["CUSTOM_\\ud800"], "resource_provider_generation": 0}'
    _errors(api.put(f"/resource_providers/{rp}/traits", content=body, headers=JSON_CT), 400)


@pytest.mark.parametrize("ratio", ["NaN", "-Infinity", "Infinity"])
def test_non_finite_allocation_ratio_is_400(api: httpx.Client, ratio: str) -> None:
    rp = _provider(api, "ratio")
    body = ('{"resource_provider_generation": 0, "inventories": {"VCPU": '
            '{"total": 8, "allocation_ratio": ' + ratio + "}}}")
    error = _errors(api.put(f"/resource_providers/{rp}/inventories", content=body,
                            headers=JSON_CT), 400)
    assert ratio.lstrip("-") in error["detail"]
    inv = api.get(f"/resource_providers/{rp}/inventories").json()["inventories"]
    assert inv == {}


# --- error details echo only an excerpt ------------------------------------------------------


def test_schema_error_echoes_only_an_excerpt(api: httpx.Client) -> None:
    big = json.dumps({"name": "x" * 5_000_000, "uuid": str(uuid.uuid4()), "bogus": [1] * 1000})
    resp = _post(api, "/resource_providers", big)
    error = _errors(resp, 400)
    assert "JSON does not validate" in error["detail"]
    assert len(resp.content) < 4096, len(resp.content)


def test_query_error_echoes_only_an_excerpt(api: httpx.Client) -> None:
    resp = api.get("/resource_providers", params={"name": "n" * 20_000, "bogus": "y" * 20_000})
    _errors(resp, 400)
    assert len(resp.content) < 4096, len(resp.content)


# --- request body limit ----------------------------------------------------------------------


def test_body_over_the_limit_is_413_in_the_errors_format(api: httpx.Client) -> None:
    from refcloud import limits

    resp = _post(api, "/resource_providers", b" " * (limits.MAX_BODY_BYTES + 1))
    error = _errors(resp, 413)
    assert error["request_id"].startswith("req-")
    # just under the limit is read (and is not JSON)
    _errors(_post(api, "/resource_providers", b" " * 1024 + b"{"), 400)
