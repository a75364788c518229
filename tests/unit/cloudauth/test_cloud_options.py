"""Clouds by name, headers, TLS options and token handling, without a real Keystone.

The real Keystone, Placement and TLS proxy are in ``tests/functional/realcloud``
(``-m realcloud``); these tests cover what needs no server: option parsing, the
one-line failures that happen before any request, scrubbing, and the marker swap and
401 retry of :class:`~interopcheck.runner.keystone_auth.KeystoneAuth` against a
server that accepts one token only.
"""

from __future__ import annotations

import io
import socket
import ssl
from pathlib import Path

import httpx
import pytest
import yaml

from interopcheck.cli import build_parser, main
from interopcheck.runner.cloudconfig import CloudConfigError, parse_header, tls_verify
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.keystone_auth import TOKEN_MARKER, KeystoneAuth
from tests.support.tls import CertificateAuthority


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clouds.yaml whose Keystone is a closed loopback port."""
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {
        "down": {"auth": {"auth_url": f"http://127.0.0.1:{_closed_port()}/v3",
                          "username": "u", "password": "pw-very-secret-1",
                          "project_name": "p", "user_domain_name": "Default",
                          "project_domain_name": "Default"},
                 "region_name": "RegionOne"},
        "nopass": {"auth": {"auth_url": "http://127.0.0.1:1/v3", "username": "u"}},
    }}))
    for name in [k for k in list(__import__("os").environ) if k.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def test_header_option_parsing() -> None:
    assert parse_header("X-Api-Key: abc: def", "--header-a") == ("X-Api-Key", "abc: def")
    with pytest.raises(CloudConfigError, match="--header-a: expected 'Name: value'") as exc:
        parse_header("no-colon-secret", "--header-a")
    assert "no-colon-secret" not in str(exc.value)


def test_tls_options(tmp_path: Path) -> None:
    assert tls_verify() is True
    assert tls_verify(insecure=True) is False
    ca = CertificateAuthority(tmp_path / "ca")
    client = ca.issue("client", client=True)
    context = tls_verify(str(ca.ca_file), cert=str(client.cert), key=str(client.key))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    insecure_with_cert = tls_verify(None, True, str(client.cert), str(client.key))
    assert isinstance(insecure_with_cert, ssl.SSLContext)
    assert insecure_with_cert.verify_mode == ssl.CERT_NONE
    with pytest.raises(CloudConfigError, match="cannot load the TLS files"):
        tls_verify(str(tmp_path / "missing.pem"))


def test_unknown_cloud_is_one_line_exit_2(clouds_yaml: Path) -> None:
    code, _out, err = _run(["diff", "--os-cloud-a", "nosuch", "--os-cloud-b", "down"])
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--os-cloud-a nosuch: no cloud of that name" in err
    assert str(clouds_yaml) in err and "down, nopass" in err


def test_unreachable_keystone_is_one_line_exit_2(clouds_yaml: Path) -> None:
    code, out, err = _run(["check", "--os-cloud", "down"])
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--os-cloud down: cannot reach Keystone at http://127.0.0.1:" in err
    assert "pw-very-secret-1" not in out + err


def test_incomplete_auth_is_one_line_exit_2(clouds_yaml: Path) -> None:
    code, _out, err = _run(["check", "--os-cloud", "nopass"])
    assert code == 2
    assert err.count("\n") == 1 and "--os-cloud nopass: the cloud's auth" in err


def test_os_cloud_from_the_environment(clouds_yaml: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLOUD", "nosuch")
    code, _out, err = _run(["check"])
    assert code == 2 and "--os-cloud nosuch: no cloud of that name" in err


def test_a_missing_url_names_both_ways(clouds_yaml: Path) -> None:
    code, _out, err = _run(["diff", "http://127.0.0.1:1"])
    assert code == 2
    assert err == ("interopcheck: URL_B is missing: give the service URL or name a cloud of "
                   "clouds.yaml with --os-cloud-b\n")


def test_one_url_beside_cloud_a_is_cloud_b(clouds_yaml: Path) -> None:
    from interopcheck.runner.cloud_options import assign_urls

    args = build_parser().parse_args(["diff", "--os-cloud-a", "down", "http://b.example"])
    assign_urls(args)
    assert (args.url_a, args.url_b) == (None, "http://b.example")
    args = build_parser().parse_args(["diff", "--os-cloud-a", "down", "http://a", "http://b"])
    assign_urls(args)
    assert (args.url_a, args.url_b) == ("http://a", "http://b")


def test_bad_header_is_one_line(clouds_yaml: Path) -> None:
    code, _out, err = _run(["diff", "http://127.0.0.1:1", "http://127.0.0.1:2",
                            "--header-b", "oops"])
    assert code == 2 and err.startswith("interopcheck: --header-b: expected 'Name: value'")


def test_an_untrusted_certificate_is_one_line_exit_2(tmp_path: Path) -> None:
    """A TLS server with a certificate of an unknown CA, without --cacert."""
    import threading

    ca = CertificateAuthority(tmp_path / "ca")
    leaf = ca.issue("server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf.cert, leaf.key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]

    def serve() -> None:
        for _ in range(2):
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        code, _out, err = _run(["check", f"https://127.0.0.1:{port}", "--no-probes"])
    finally:
        listener.close()
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"URL: the TLS certificate of https://127.0.0.1:{port} is not trusted" in err
    assert "--cacert" in err


def test_cloud_scrubs_tokens_secret_headers_and_keystone_tokens() -> None:
    class Plugin:
        auth_ref = None

        def get_token(self, session: object) -> str:
            return "ks-token-0123456789"

    auth = KeystoneAuth(None, Plugin(), "test")
    auth.token()
    cloud = Cloud(name="A", base_url="https://x", token="static-token-xyz", auth=auth,
                  headers={"X-Api-Key": "gateway-key-123", "X-Trace": "1"})
    text = "static-token-xyz gateway-key-123 ks-token-0123456789 X-Trace 1"
    assert cloud.scrub(text) == "<redacted> <redacted> <redacted> X-Trace 1"


def test_insecure_is_shown_with_the_url() -> None:
    cloud = Cloud(name="A", base_url="https://host:1/x?token=s", verify=False)
    assert cloud.display_url == "https://host:1/x (TLS NOT VERIFIED: --insecure)"
    assert Cloud(name="A", base_url="https://host:1/").display_url == "https://host:1/"


class _Plugin:
    """A keystoneauth-shaped plugin handing out numbered tokens (a Keystone stand-in)."""

    auth_ref = None

    def __init__(self) -> None:
        self.number = 1
        self.invalidated = 0

    def get_token(self, session: object) -> str:
        return f"token-{self.number}"

    def invalidate(self) -> bool:
        self.invalidated += 1
        self.number += 1
        return True


def test_marker_becomes_the_current_token_and_a_401_is_retried_once() -> None:
    accepted = {"token-2"}
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("x-auth-token")
        seen.append(token)
        if request.url.path == "/open":
            return httpx.Response(200, json={"token": token})
        return httpx.Response(200 if token in accepted else 401, json={})

    plugin = _Plugin()
    auth = KeystoneAuth(None, plugin, "--os-cloud-a real")
    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://svc",
                      auth=auth) as client:
        first = client.get("/x", headers={"x-auth-token": TOKEN_MARKER})
        assert first.status_code == 200
        assert seen == ["token-1", "token-2"] and auth.retries == 1 and auth.renewals == 1
        assert client.get("/open").json() == {"token": None}  # no marker: nothing added
        own = client.get("/x", headers={"x-auth-token": "alice:p"})  # the step's own token
        assert own.status_code == 401 and seen[-1] == "alice:p"
        accepted.clear()
        assert client.get("/x", headers={"x-auth-token": TOKEN_MARKER}).status_code == 401
        assert auth.retries == 2 and plugin.invalidated == 2
    assert auth.secrets() == ["token-1", "token-2", "token-3"]


def test_header_options_are_sent_on_every_call_and_scrubbed() -> None:
    import argparse

    from interopcheck.runner.cloud_options import CloudSpec, build_cloud, connection

    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, text=f"echo {request.headers.get('x-api-key')}")

    args = argparse.Namespace(cacert=None, insecure=False, cert=None, key=None,
                              region_name=None, interface=None)
    conn = connection(args, ["X-Api-Key: gw-secret-42", "X-Tenant: blue"], "--header-a")
    cloud = build_cloud(CloudSpec("A", "https://gw.example", None, "tok", "URL_A",
                                  "--os-cloud-a", "--token-a"), "placement", conn, 5.0,
                        httpx.MockTransport(handler))
    answer = cloud.client().get("/")
    assert seen[0]["x-api-key"] == "gw-secret-42" and seen[0]["x-tenant"] == "blue"
    assert cloud.scrub(answer.text) == "echo <redacted>"
    assert cloud.scrub("blue") == "blue"  # not a credential header: kept
