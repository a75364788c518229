"""A TLS proxy for the test bed: Debian's nginx in front of loopback HTTP services.

``ensure_nginx()`` installs the ``nginx-light`` package with apt-get when nginx is
missing (as root, like the PostgreSQL fixture does). :class:`TlsProxy` runs one
private nginx (its own prefix, config, pid and logs; no daemon) with one
``server`` per service: ``https://127.0.0.1:FRONT`` -> ``http://127.0.0.1:BACK``,
with a certificate signed by the test bed's CA. The request line, headers and
body go through as they are (no URL normalisation, underscores kept).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import stop_process
from tests.support.tls import CertFiles

_HINT = ("install it with: apt-get install -y nginx-light (or run the tests as root, which "
         "installs it)")


class NginxUnavailable(RuntimeError):
    """nginx is missing and cannot be installed, or did not start (message says why)."""


def ensure_nginx() -> str:
    """The nginx binary, installing Debian's ``nginx-light`` when missing and root."""
    found = shutil.which("nginx") or (("/usr/sbin/nginx") if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise NginxUnavailable(f"nginx is not installed: {_HINT}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx-light"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, text=True,
                       timeout=900)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)
    if result.returncode != 0 or not found:
        raise NginxUnavailable("apt-get install -y nginx-light failed:\n"
                               + (result.stderr or result.stdout)[-1500:])
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Route:
    """``https://127.0.0.1:front`` -> ``http://127.0.0.1:back`` with ``cert``."""

    name: str
    front: int
    back: int
    cert: CertFiles

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.front}"


def _server_block(route: Route) -> str:
    return f"""
    server {{
        listen 127.0.0.1:{route.front} ssl;
        server_name {route.name};
        ssl_certificate {route.cert.cert};
        ssl_certificate_key {route.cert.key};
        location / {{
            proxy_pass http://127.0.0.1:{route.back};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-Proto https;
            proxy_read_timeout 300s;
        }}
    }}"""


class TlsProxy:
    """One private nginx serving ``routes``; ``start()`` waits until every port listens."""

    def __init__(self, directory: Path, routes: list[Route]) -> None:
        self.directory = directory
        self.routes = routes
        self.proc: subprocess.Popen | None = None

    @property
    def log_file(self) -> Path:
        return self.directory / "error.log"

    def _config(self) -> str:
        d = self.directory
        servers = "".join(_server_block(r) for r in self.routes)
        return f"""
daemon off;
master_process on;
worker_processes 1;
user root;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    client_max_body_size 0;
    underscores_in_headers on;
    ignore_invalid_headers off;
    merge_slashes off;
    keepalive_timeout 65;
    {servers}
}}
"""

    def start(self, timeout: float = 30.0) -> TlsProxy:
        binary = ensure_nginx()
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "nginx.conf"
        conf.write_text(self._config())
        self.proc = subprocess.Popen(
            [binary, "-p", str(self.directory), "-c", str(conf)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "stderr.log", "wb"),
            start_new_session=True)
        deadline = time.monotonic() + timeout
        pending = [r.front for r in self.routes]
        while pending:
            if self.proc.poll() is not None:
                raise NginxUnavailable(f"nginx exited ({self.proc.returncode}):\n"
                                       + self._tail())
            port = pending[0]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    pending.pop(0)
                    continue
            if time.monotonic() > deadline:
                self.stop()
                raise NginxUnavailable(f"nginx did not listen on {port}:\n" + self._tail())
            time.sleep(0.05)
        return self

    def _tail(self) -> str:
        out = []
        for name in ("stderr.log", "error.log"):
            path = self.directory / name
            if path.exists():
                out.append(path.read_text(errors="replace")[-1500:])
        return "\n".join(out)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        stop_process(proc)
