"""``refcloud serve --auth keystone``: keystonemiddleware's auth_token in front (in process).

A request without a token never reaches Keystone, so these run with a Keystone URL that
nothing listens on; validating real tokens is the realcloud test bed's job
(``tests/functional/realcloud``).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import refcloud
from refcloud import cli as refcloud_cli
from refcloud.keystone import KeystoneOptions, protect

pytest.importorskip("keystonemiddleware", reason="pip install 'interopcheck[keystone]'")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def protected(tmp_path: Path) -> httpx.Client:
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'r.db'}"))
    keystone = f"http://127.0.0.1:{_closed_port()}/v3"
    wrapped = protect(app, KeystoneOptions(url=keystone, password="service-secret"))
    return httpx.Client(transport=httpx.WSGITransport(app=wrapped), base_url="http://rc")


def test_no_token_gets_keystonemiddleware_401(protected: httpx.Client) -> None:
    answer = protected.get("/resource_providers",
                           headers={"openstack-api-version": "placement 1.39"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == 401
    assert answer.headers["www-authenticate"].startswith("Keystone uri=")
    assert "service-secret" not in answer.text


def test_the_root_needs_no_token(protected: httpx.Client) -> None:
    answer = protected.get("/")
    assert answer.status_code == 200
    assert answer.json()["versions"][0]["max_version"] == "1.39"


def test_noauth2_identity_headers_do_not_pass(protected: httpx.Client) -> None:
    """Without a valid token, X-Roles from the client never reach refcloud."""
    answer = protected.get("/resource_providers", headers={"x-roles": "admin"})
    assert answer.status_code == 401


def test_serve_needs_a_keystone_url_and_a_password(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REFCLOUD_KEYSTONE_PASSWORD", raising=False)
    argv = ["serve", "--db", "sqlite://", "--port", "0", "--auth", "keystone"]
    assert refcloud_cli.main(argv) == 2
    assert capsys.readouterr().err == ("refcloud: error: --auth keystone needs --keystone-url "
                                       "(Keystone's /v3 URL)\n")
    assert refcloud_cli.main([*argv, "--keystone-url", "http://127.0.0.1:1/v3"]) == 2
    assert "set the service user's password in $REFCLOUD_KEYSTONE_PASSWORD" in \
        capsys.readouterr().err
