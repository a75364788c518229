"""Snapshots recorded once per session through ``interopcheck record`` (in-process refclouds).

``recorded``: a plain refcloud, one with ``--drift extra-field`` and one with ``--drift
status-code``, over a few scenarios and versions, recorded with a distinctive token
(a WSGI middleware maps it to noauth2's ``admin``) through a transport that keeps every
UUID the traffic carried, so that tests can grep the files for them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import refcloud

from interopcheck.cli import main

SCENARIOS = ("root", "provider-lifecycle", "resource-classes", "traits")
VERSIONS = "1.0,1.2,1.7,1.20,1.39"
TOKEN = "s3cr3t-H7-token-0f1e2d3c"  # the middleware below maps it to noauth2's admin
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
PLACEHOLDER = re.compile(r"00000000-0000-4000-8000-\d{12}")
#: What $name(x), $rc(X), $trait(X) generate.
GENERATED = re.compile(r"\b[a-z][a-z0-9_.]*-[0-9a-f]{12}\b|CUSTOM_[A-Z0-9_]*_[0-9A-F]{12}")


def _token_middleware(app: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("HTTP_X_AUTH_TOKEN") == TOKEN:
            environ["HTTP_X_AUTH_TOKEN"] = "admin"
        return app(environ, start_response)
    return wrapped


class _Seen(httpx.BaseTransport):
    """Passes requests to a WSGI transport and keeps every UUID the traffic carried."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.uuids: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        text = request.url.path + (request.content or b"").decode() + response.text
        self.uuids.update(u.lower() for u in UUID_RE.findall(text))
        return response


def run_cli(*argv: str, transports: dict[str, httpx.BaseTransport] | None = None
         ) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), transports=transports, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Recorded:
    plain: Path
    extra_field: Path
    status_code: Path
    uuids: frozenset[str]


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    folder = tmp_path_factory.mktemp("snapshots")
    paths: dict[str, Path] = {}
    uuids: set[str] = set()
    for name, modes in (("plain", ()), ("extra_field", ("extra-field",)),
                        ("status_code", ("status-code",))):
        app = _token_middleware(refcloud.make_app(refcloud.Config(drift=modes)))
        seen = _Seen(httpx.WSGITransport(app=app))
        paths[name] = folder / f"{name}.snapshot.json.gz"
        argv = ["record", "http://refcloud.example", "--out", str(paths[name]), "--token", TOKEN,
                "--microversions", VERSIONS, "--quiet"]
        for s in SCENARIOS:
            argv += ["--scenario", s]
        code, out, err = run_cli(*argv, transports={"A": seen})
        assert code == 0, err
        assert str(paths[name]) in out
        uuids |= seen.uuids
    yield Recorded(paths["plain"], paths["extra_field"], paths["status_code"],
                   frozenset(uuids))


