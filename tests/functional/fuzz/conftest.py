"""Fuzz tests: in-process refclouds (httpx WSGI transports) and the fuzz command line."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import refcloud

from interopcheck.cli import main

REPO = Path(__file__).resolve().parents[3]
SPEC = REPO / "reference-impl" / "refcloud" / "openapi.yaml"


def refcloud_transport(tmp_path: Path, name: str, drift: Sequence[str] = ()) -> httpx.WSGITransport:
    """A fresh refcloud on its own SQLite file, optionally with drift modes."""
    config = refcloud.Config(db_url=f"sqlite:///{tmp_path / f'{name}.db'}", drift=tuple(drift))
    return httpx.WSGITransport(app=refcloud.make_app(config))


def run_fuzz_cli(tmp_path: Path, transports: dict[str, httpx.BaseTransport],
                 *args: str, urls: Sequence[str] = ()) -> tuple[int, dict[str, Any], str, str]:
    """``interopcheck fuzz`` in process: exit code, the JSON report, stdout, stderr.

    Clouds are ``urls`` when given, else ``http://a`` (and ``http://b``) on ``transports``.
    """
    output = tmp_path / f"fuzz-{len(list(tmp_path.iterdir()))}.json"
    urls = list(urls) or ["http://a"] + (["http://b"] if "B" in transports else [])
    tokens = ["--token-a", "admin"] + (["--token-b", "admin"] if len(urls) > 1 else [])
    out, err = io.StringIO(), io.StringIO()
    code = main(["fuzz", *urls, "--spec", str(SPEC), *tokens, "--format", "json",
                 "--output", str(output), *args], transports=transports, stdout=out, stderr=err)
    report = json.loads(output.read_text()) if output.exists() else {}
    return code, report, out.getvalue(), err.getvalue()


@pytest.fixture
def fuzz_cli(tmp_path: Path) -> Any:
    def run(transports: dict[str, httpx.BaseTransport], *args: str
            ) -> tuple[int, dict[str, Any], str, str]:
        return run_fuzz_cli(tmp_path, transports, *args)

    return run
