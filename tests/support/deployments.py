"""Differently deployed real Placements, for the ``realdeploy`` tests.

Each :class:`Deployment` is real OpenStack Placement installed from PyPI into its own venv
(``../shared/tools/real-placement/start.sh`` with ``RP_BASE``; ~30 s per venv the first
time, then reused from ``$INTEROPCHECK_DEPLOY_BASE``, default ``/tmp/interopcheck-deploy``),
on a fresh SQLite database and a free loopback port:

- a release (``openstack-placement==12.0.0`` needs ``oslo.policy<4.5`` here);
- library versions (``jsonschema==4.18.0``);
- a WSGI server: gunicorn (what start.sh runs) or waitress (started here on the same
  instance directory and configuration);
- behind a proxy: Debian's nginx as a reverse proxy that adds HSTS, X-Frame-Options and
  X-Content-Type-Options to every answer (``add_header ... always``).

Every process started here is stopped by its PID when the context exits.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.shared import real_placement_tools

__all__ = ["DEPLOYMENTS", "Deployment", "deployed", "nginx_proxy"]

BASE = Path(os.environ.get("INTEROPCHECK_DEPLOY_BASE", "/tmp/interopcheck-deploy"))


@dataclass(frozen=True)
class Deployment:
    """How one real Placement is deployed."""

    name: str
    spec: str = "openstack-placement>=16,<17"
    extra: str = ""
    server: str = "gunicorn"  # or "waitress"
    proxy: bool = False  # behind nginx adding security headers

    @property
    def venv_base(self) -> Path:
        """``RP_BASE`` of the venv (deployments with the same packages share one)."""
        key = "".join(c if c.isalnum() else "-" for c in f"{self.spec} {self.extra}")
        return BASE / key.strip("-")


DEPLOYMENTS = {
    "placement-16": Deployment("placement-16"),
    "placement-12": Deployment("placement-12", spec="openstack-placement==12.0.0",
                               extra="oslo.policy<4.5"),
    "placement-16-jsonschema-4.18": Deployment("placement-16-jsonschema-4.18",
                                               extra="jsonschema==4.18.0"),
    "placement-16-nginx": Deployment("placement-16-nginx", proxy=True),
    "placement-16-waitress": Deployment("placement-16-waitress", server="waitress"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes] | None, what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
    pytest.fail(f"{what} did not answer at {url}:\n{tail}", pytrace=False)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _env(d: Deployment) -> dict[str, str]:
    env = dict(os.environ, RP_BASE=str(d.venv_base), RP_PIP_SPEC=d.spec, RP_FRESH="1")
    if d.extra:
        env["RP_PIP_EXTRA"] = d.extra
    return env


@contextmanager
def _gunicorn(d: Deployment) -> Iterator[str]:
    tools = real_placement_tools()
    port = free_port()
    started = subprocess.run([str(tools / "start.sh"), str(port)], env=_env(d),
                             capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        pytest.fail(f"start.sh {port} for {d.name} failed (exit {started.returncode}):\n"
                    f"{started.stderr[-1500:]}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(tools / "stop.sh"), str(port)], env=_env(d), capture_output=True,
                       text=True, timeout=60)
        shutil.rmtree(d.venv_base / f"inst-{port}", ignore_errors=True)


@contextmanager
def _waitress(d: Deployment) -> Iterator[str]:
    """start.sh's venv and configuration (SQLite, noauth2, legacy policy), served by waitress."""
    tools = real_placement_tools()
    subprocess.run([str(tools / "start.sh")], env=dict(_env(d), RP_INSTALL_ONLY="1"),
                   capture_output=True, text=True, timeout=900, check=True)
    venv = d.venv_base / "venv"
    if not (venv / "bin" / "waitress-serve").exists():
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                        "--disable-pip-version-check", "waitress"], check=True,
                       capture_output=True, timeout=600)
    port = free_port()
    inst = d.venv_base / f"inst-{port}-waitress"
    shutil.rmtree(inst, ignore_errors=True)
    inst.mkdir(parents=True)
    conf = inst / "placement.conf"
    conf.write_text(
        "[DEFAULT]\ndebug = False\n[api]\nauth_strategy = noauth2\n[placement_database]\n"
        f"connection = sqlite:///{inst}/placement.db\n[oslo_policy]\n"
        f"enforce_new_defaults = False\npolicy_file = {inst}/no-such-policy.yaml\n")
    subprocess.run([str(venv / "bin" / "placement-manage"), "--config-file", str(conf), "db",
                    "sync"], check=True, capture_output=True, timeout=300)
    log = inst / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "waitress-serve"), f"--listen=127.0.0.1:{port}", "--threads=1",
             "placement.wsgi.api:application"],
            env=dict(os.environ, OS_PLACEMENT_CONFIG_DIR=str(inst)), stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/", proc, f"waitress for {d.name}", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)
        shutil.rmtree(inst, ignore_errors=True)


NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
            add_header X-Frame-Options "DENY" always;
            add_header X-Content-Type-Options "nosniff" always;
        }}
    }}
}}
"""


@contextmanager
def nginx_proxy(upstream: str) -> Iterator[str]:
    """Debian's nginx on a free port as a reverse proxy to ``upstream`` adding 3 headers."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: apt-get update && apt-get install -y nginx-light",
                    pytrace=False)
    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"interopcheck-nginx-{os.getpid()}-" \
        f"{free_port()}"
    directory.mkdir(parents=True)
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port, upstream=upstream))
    log = directory / "error.log"
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/", proc, "nginx", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def deployed(d: Deployment) -> Iterator[str]:
    """The base URL of ``d``, running until the context exits."""
    serve = _waitress if d.server == "waitress" else _gunicorn
    with serve(d) as url:
        if d.proxy:
            with nginx_proxy(url) as proxied:
                yield proxied
        else:
            yield url
