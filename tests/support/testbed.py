"""The test bed of real services behind Keystone and TLS, with a clouds.yaml for them.

    with testbed(tmp_path) as bed:
        bed.env()  # OS_CLIENT_CONFIG_FILE=bed.clouds_yaml
        ... interopcheck diff --os-cloud-a real --os-cloud-b ref

What runs (every port a free loopback port, everything stopped on exit):

- one real Keystone (:mod:`tests.support.keystone_server`; ``[token] expiration``
  from the ``token_expiration`` argument), with the catalog: ``identity`` and
  ``placement``, whose ``RegionOne`` endpoint is the real Placement and whose
  ``RegionTwo`` endpoint is refcloud;
- the real Placement (``../shared/tools/real-placement/start.sh`` with
  ``RP_KEYSTONE_URL``: keystonemiddleware ``auth_token``) on a fresh database;
- ``refcloud serve --auth keystone`` (keystonemiddleware too) on a fresh database;
- one nginx (:mod:`tests.support.nginx_tls`) terminating TLS for all three with a
  certificate of a throwaway CA (:mod:`tests.support.tls`);
- ``clouds.yaml``: ``real`` and ``ref`` (password), ``real-appcred``
  (``v3applicationcredential``), ``real-token`` (``v3token``, with a token issued at start:
  :meth:`Testbed.issue_token` gives a fresh one), ``real-badpass`` (a wrong password) and
  ``real-noca`` (no ``cacert``: the CA is unknown).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from tests.support.keystone_server import KeystoneServer
from tests.support.nginx_tls import Route, TlsProxy, free_port
from tests.support.processes import stop_process
from tests.support.shared import real_placement_tools
from tests.support.tls import CertificateAuthority

SERVICE_USER = "admin"
_LISTENING = re.compile(r"refcloud listening on http://[^:]+:(\d+)")


class TestbedError(RuntimeError):
    """A service of the test bed could not be started (the message says which and why)."""


@dataclass
class Testbed:
    """The running services, their URLs, the CA, the clouds.yaml and the secrets in it."""

    directory: Path
    ca_file: Path
    keystone_url: str
    placement_url: str
    refcloud_url: str
    clouds_yaml: Path
    token_expiration: int
    secrets: list[str] = field(default_factory=list, repr=False)
    logs: list[Path] = field(default_factory=list)

    def issue_token(self) -> str:
        """A new project-scoped token of the admin user (it lives ``token_expiration`` s)."""
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": SERVICE_USER, "domain": {"id": "default"}, "password": self.secrets[0]}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        answer = httpx.post(f"{self.keystone_url}/auth/tokens", json=body,
                            verify=str(self.ca_file), timeout=60)
        answer.raise_for_status()
        token = answer.headers["x-subject-token"]
        self.secrets.append(token)
        return token

    def env(self, **extra: str) -> dict[str, str]:
        """The process environment for interopcheck: this clouds.yaml, no other ``OS_*``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env["OS_CLIENT_CONFIG_FILE"] = str(self.clouds_yaml)
        env.update(extra)
        return env


def _wait_http(url: str, ok: tuple[int, ...], timeout: float, what: str,
               proc: subprocess.Popen | None = None, log: Path | None = None,
               verify: str | bool = True) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5, verify=verify).status_code in ok:
                return
        except httpx.TransportError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise TestbedError(f"{what} did not answer {url}:\n{tail}")
        time.sleep(0.2)


class _Catalog:
    """Keystone's API as the bootstrap admin (plain HTTP, on Keystone's own port)."""

    def __init__(self, url: str, password: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=60)
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": SERVICE_USER, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        answer = self.client.post("/v3/auth/tokens", json=body)
        if answer.status_code != 201:
            raise TestbedError(f"keystone: admin token: {answer.status_code} {answer.text}")
        self.token = answer.headers["x-subject-token"]
        self.user_id = answer.json()["token"]["user"]["id"]
        self.client.headers["x-auth-token"] = self.token

    def post(self, path: str, body: dict) -> dict:
        answer = self.client.post(path, json=body)
        if answer.status_code not in (200, 201):
            raise TestbedError(f"keystone: POST {path}: {answer.status_code} {answer.text}")
        return answer.json()

    def register(self, service_type: str, endpoints: dict[str, str]) -> None:
        service = self.post("/v3/services", {"service": {"type": service_type,
                                                         "name": service_type}})["service"]
        for region, url in endpoints.items():
            if self.client.get(f"/v3/regions/{region}").status_code == 404:
                self.post("/v3/regions", {"region": {"id": region}})
            self.post("/v3/endpoints", {"endpoint": {"service_id": service["id"],
                                                     "interface": "public", "region_id": region,
                                                     "url": url}})

    def application_credential(self) -> tuple[str, str]:
        created = self.post(f"/v3/users/{self.user_id}/application_credentials",
                            {"application_credential": {"name": "interopcheck-testbed"}})
        cred = created["application_credential"]
        return cred["id"], cred["secret"]

    def close(self) -> None:
        self.client.close()


def _refcloud(directory: Path, port: int, keystone_url: str, ca_file: Path,
              password: str) -> subprocess.Popen:
    script = shutil.which("refcloud", path=str(Path(sys.executable).parent))
    argv = [*([script] if script else [sys.executable, "-m", "refcloud"]), "serve",
            "--host", "127.0.0.1", "--port", str(port), "--db",
            f"sqlite:///{directory / 'refcloud.db'}", "--fresh", "--quiet",
            "--auth", "keystone", "--keystone-url", keystone_url,
            "--keystone-cafile", str(ca_file)]
    log = directory / "refcloud.log"
    with open(log, "wb") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env=dict(os.environ, PYTHONUNBUFFERED="1",
                                         REFCLOUD_KEYSTONE_PASSWORD=password))


def _start_placement(port: int, keystone_url: str, ca_file: Path, password: str) -> None:
    start = real_placement_tools() / "start.sh"
    if not start.exists():
        raise TestbedError(f"cannot start real Placement: {start} not found (put the "
                           "project's shared/ folder beside the checkout or set "
                           "INTEROPCHECK_SHARED)")
    # Install first without the CA below (pip must keep trusting the package index).
    done = subprocess.run([str(start), str(port)], env=dict(os.environ, RP_INSTALL_ONLY="1"),
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise TestbedError(f"real Placement: start.sh (install) failed:\n{done.stderr[-2000:]}")
    env = dict(os.environ, RP_FRESH="1", RP_KEYSTONE_URL=keystone_url,
               RP_KS_USER=SERVICE_USER, RP_KS_PASSWORD=password, RP_KS_PROJECT="admin",
               # keystonemiddleware (requests) trusts the test bed's CA through this
               REQUESTS_CA_BUNDLE=str(ca_file))
    done = subprocess.run([str(start), str(port)], env=env, capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        raise TestbedError(f"real Placement (start.sh {port}) failed:\n"
                           + done.stderr.replace(password, "<redacted>")[-2000:])


def _stop_placement(port: int) -> None:
    stop = real_placement_tools() / "stop.sh"
    subprocess.run([str(stop), str(port)], capture_output=True, text=True, timeout=60)
    instance = Path(os.environ.get("RP_BASE", "/tmp/realplacement")) / f"inst-{port}"
    if instance.is_dir() and not (instance / "server.pid").exists():
        shutil.rmtree(instance, ignore_errors=True)


def _cloud(auth_url: str, region: str, ca_file: Path | None, **auth: str) -> dict:
    entry: dict = {"region_name": region, "interface": "public", "identity_api_version": 3}
    if "application_credential_id" in auth:
        entry["auth_type"] = "v3applicationcredential"
    elif "token" in auth:
        entry["auth_type"] = "v3token"
        auth = dict(auth, project_name="admin", project_domain_name="Default")
    else:
        auth = dict(auth, username=SERVICE_USER, project_name="admin",
                    user_domain_name="Default", project_domain_name="Default")
    entry["auth"] = {"auth_url": auth_url, **auth}
    if ca_file is not None:
        entry["cacert"] = str(ca_file)
    return entry


@contextlib.contextmanager
def testbed(directory: Path, token_expiration: int = 3600) -> Iterator[Testbed]:
    """Start the test bed in ``directory`` (see the module docstring); stop it on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    ca = CertificateAuthority(directory / "ca")
    server_cert = ca.issue("testbed-server")
    ks_back, ks_front = free_port(), free_port()
    rp_back, rp_front = free_port(), free_port()
    rc_back, rc_front = free_port(), free_port()
    routes = [Route("keystone", ks_front, ks_back, server_cert),
              Route("placement", rp_front, rp_back, server_cert),
              Route("refcloud", rc_front, rc_back, server_cert)]
    keystone_url = f"{routes[0].url}/v3"
    proxy = TlsProxy(directory / "nginx", routes)
    keystone = KeystoneServer(directory / "keystone", ks_back, keystone_url,
                              admin_password=password, token_expiration=token_expiration)
    refcloud: subprocess.Popen | None = None
    placement_started = False
    try:
        proxy.start()
        keystone.start()
        catalog = _Catalog(f"http://127.0.0.1:{ks_back}", password)
        try:
            catalog.register("placement", {"RegionOne": routes[1].url,
                                           "RegionTwo": routes[2].url})
            cred_id, cred_secret = catalog.application_credential()
            static_token = catalog.token
        finally:
            catalog.close()
        placement_started = True
        _start_placement(rp_back, keystone_url, ca.ca_file, password)
        refcloud = _refcloud(directory, rc_back, keystone_url, ca.ca_file, password)
        _wait_http(f"http://127.0.0.1:{rc_back}/", (200,), 60, "refcloud", refcloud,
                   directory / "refcloud.log")
        for route in routes[1:]:
            _wait_http(route.url + "/", (200,), 30, f"nginx -> {route.name}",
                       verify=str(ca.ca_file))
        clouds = {
            "real": _cloud(keystone_url, "RegionOne", ca.ca_file, password=password),
            "ref": _cloud(keystone_url, "RegionTwo", ca.ca_file, password=password),
            "real-appcred": _cloud(keystone_url, "RegionOne", ca.ca_file,
                                   application_credential_id=cred_id,
                                   application_credential_secret=cred_secret),
            "real-token": _cloud(keystone_url, "RegionOne", ca.ca_file, token=static_token),
            "real-badpass": _cloud(keystone_url, "RegionOne", ca.ca_file,
                                   password=password + "-wrong"),
            "real-noca": _cloud(keystone_url, "RegionOne", None, password=password),
        }
        clouds_yaml = directory / "clouds.yaml"
        clouds_yaml.write_text(yaml.safe_dump({"clouds": clouds}, sort_keys=False))
        rp_base = Path(os.environ.get("RP_BASE", "/tmp/realplacement"))
        yield Testbed(
            directory=directory, ca_file=ca.ca_file, keystone_url=keystone_url,
            placement_url=routes[1].url, refcloud_url=routes[2].url, clouds_yaml=clouds_yaml,
            token_expiration=token_expiration,
            secrets=[password, password + "-wrong", cred_secret, static_token],
            logs=[keystone.log_file, directory / "refcloud.log",
                  rp_base / f"inst-{rp_back}" / "server.log", proxy.log_file])
    finally:
        stop_process(refcloud)
        if placement_started:
            _stop_placement(rp_back)
        keystone.stop()
        proxy.stop()
