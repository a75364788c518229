"""Drift modes: each one changes exactly its documented part of a response, in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import refcloud
from refcloud import drift
from refcloud.cli import main as refcloud_main


def _client(*modes: str) -> httpx.Client:
    app = refcloud.make_app(refcloud.Config(drift=modes))
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                        headers={"x-auth-token": "admin"})


@pytest.fixture
def plain() -> Iterator[httpx.Client]:
    with _client() as c:
        yield c


def _v(minor: int) -> dict[str, str]:
    return {"openstack-api-version": f"placement 1.{minor}"}


def _provider(c: httpx.Client, name: str | None = None) -> str:
    rp = str(uuid.uuid4())
    resp = c.post("/resource_providers", json={"name": name or f"rp-{rp}", "uuid": rp})
    assert resp.status_code == 201, resp.text
    return rp


def test_registry_names_docs_and_layers() -> None:
    assert list(drift.DRIFTS) == [
        "extra-url", "extra-field", "missing-field", "type-change", "status-code",
        "extra-header", "missing-header", "wrapped-resource", "error-code",
    ]
    for name, mode in drift.DRIFTS.items():
        assert mode.name == name
        assert mode.doc and "\n" not in mode.doc
        assert mode.layer in ("inner", "outer")
        assert name in drift.help_text()


def test_unknown_mode_is_one_error_naming_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown drift mode 'nope'; valid modes: extra-url, "):
        refcloud.make_app(refcloud.Config(drift=("nope",)))


def test_cli_rejects_unknown_mode_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert refcloud_main(["serve", "--drift", "nope", "--db", "sqlite://"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("refcloud: error: unknown drift mode 'nope'; valid modes: ")
    assert "wrapped-resource" in err[0]


def test_cli_help_documents_every_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        refcloud_main(["serve", "--help"])
    out = capsys.readouterr().out
    for mode in drift.DRIFTS.values():
        assert mode.name in out


def test_no_drift_installs_nothing() -> None:
    app = refcloud.make_app(refcloud.Config())
    inner = refcloud.make_app(refcloud.Config(drift=("extra-header",)))
    assert type(app._app).__name__ == "RequestId"
    assert type(inner._app).__name__ != "RequestId"


def test_extra_url_serves_aggregates_at_1_0(plain: httpx.Client) -> None:
    with _client("extra-url") as c:
        for client in (plain, c):
            rp = _provider(client)
            resp = client.get(f"/resource_providers/{rp}/aggregates", headers=_v(0))
            if client is plain:
                assert resp.status_code == 404
            else:
                assert resp.status_code == 200
                assert resp.json() == {"aggregates": []}
                assert resp.headers["openstack-api-version"] == "placement 1.0"
            # other methods and versions are untouched
            assert client.put(f"/resource_providers/{rp}/aggregates", json=[],
                              headers=_v(0)).status_code == 404
            assert client.get(f"/resource_providers/{rp}/aggregates",
                              headers=_v(19)).json().keys() == {
                "aggregates", "resource_provider_generation"}


def test_extra_field_adds_description(plain: httpx.Client) -> None:
    with _client("extra-field") as c:
        rp = _provider(c)
        assert c.get(f"/resource_providers/{rp}").json()["description"] == ""
        listed = c.get(f"/resource_providers?uuid={rp}").json()["resource_providers"]
        assert listed[0]["description"] == ""
        created = c.post("/resource_providers", json={"name": f"x-{rp}"}, headers=_v(20)).json()
        assert created["description"] == ""
        rp2 = _provider(plain)
        assert "description" not in plain.get(f"/resource_providers/{rp2}").json()


def test_missing_field_drops_links() -> None:
    with _client("missing-field") as c:
        rp = _provider(c)
        body = c.get(f"/resource_providers/{rp}").json()
        assert "links" not in body and body["uuid"] == rp
        renamed = c.put(f"/resource_providers/{rp}", json={"name": f"n-{rp}"}).json()
        assert "links" not in renamed
        # other resources keep their links
        assert "links" in c.get("/resource_classes/VCPU", headers=_v(2)).json()


def test_type_change_makes_generation_a_string() -> None:
    with _client("type-change") as c:
        rp = _provider(c)
        assert c.get(f"/resource_providers/{rp}").json()["generation"] == "0"
        listed = c.get("/resource_providers").json()["resource_providers"]
        assert all(isinstance(p["generation"], str) for p in listed)
        inv = c.get(f"/resource_providers/{rp}/inventories").json()
        assert inv["resource_provider_generation"] == 0


def test_status_code_post_resource_classes_200(plain: httpx.Client) -> None:
    with _client("status-code") as c:
        for client, expected in ((plain, 201), (c, 200)):
            resp = client.post("/resource_classes", json={"name": "CUSTOM_DRIFT_X"},
                               headers=_v(2))
            assert resp.status_code == expected
            assert resp.headers["location"].endswith("/resource_classes/CUSTOM_DRIFT_X")
            assert client.put("/resource_classes/CUSTOM_DRIFT_Y",
                              headers=_v(7)).status_code == 201


def test_extra_header_on_every_response(plain: httpx.Client) -> None:
    with _client("extra-header") as c:
        for path, headers in (("/", {}), ("/resource_providers", {"x-auth-token": ""}),
                              ("/resource_providers", _v(99))):
            assert c.get(path, headers=headers).headers["x-content-type-options"] == "nosniff"
            assert "x-content-type-options" not in plain.get(path, headers=headers).headers


def test_missing_header_drops_cache_control(plain: httpx.Client) -> None:
    with _client("missing-header") as c:
        rp = _provider(c)
        resp = c.get(f"/resource_providers/{rp}", headers=_v(15))
        assert "last-modified" in resp.headers and "cache-control" not in resp.headers
        rp2 = _provider(plain)
        assert plain.get(f"/resource_providers/{rp2}",
                         headers=_v(15)).headers["cache-control"] == "no-cache"


def test_wrapped_resource_wraps_one_provider_only() -> None:
    with _client("wrapped-resource") as c:
        rp = _provider(c)
        body = c.get(f"/resource_providers/{rp}").json()
        assert list(body) == ["resource_provider"] and body["resource_provider"]["uuid"] == rp
        assert "resource_providers" in c.get("/resource_providers").json()
        assert "uuid" in c.put(f"/resource_providers/{rp}", json={"name": f"n-{rp}"}).json()
        assert c.get(f"/resource_providers/{uuid.uuid4()}").status_code == 404


def test_error_code_for_duplicate_name(plain: httpx.Client) -> None:
    with _client("error-code") as c:
        for client, code in ((plain, "placement.duplicate_name"),
                             (c, "placement.undefined_code")):
            name = f"dup-{uuid.uuid4()}"
            _provider(client, name)
            resp = client.post("/resource_providers", json={"name": name}, headers=_v(23))
            assert resp.status_code == 409
            assert resp.json()["errors"][0]["code"] == code
            # other errors keep their codes
            missing = client.get(f"/resource_providers/{uuid.uuid4()}", headers=_v(23))
            assert missing.json()["errors"][0]["code"] == "placement.undefined_code"
            stale = client.put(f"/resource_providers/{_provider(client)}/inventories",
                               json={"resource_provider_generation": 5,
                                     "inventories": {"VCPU": {"total": 1}}}, headers=_v(23))
            assert stale.json()["errors"][0]["code"] == "placement.concurrent_update"


def test_modes_combine() -> None:
    with _client("extra-field", "missing-field", "type-change", "extra-header") as c:
        rp = _provider(c)
        resp = c.get(f"/resource_providers/{rp}")
        body = resp.json()
        assert body["description"] == "" and "links" not in body and body["generation"] == "0"
        assert resp.headers["x-content-type-options"] == "nosniff"
