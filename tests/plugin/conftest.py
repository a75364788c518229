"""Shared by the plugin tests: three loopback refclouds for the whole session.

A and B are plain refclouds; C runs ``--drift extra-field`` (every provider body gains a
``description``: ``provider-lifecycle`` differs at every version, ``root`` never does;
see tests/functional/diff/test_drift_modes.py). They are started once, through the
package's launcher (interopcheck.launcher), and their URLs are given to the pytester runs.

``pytester`` itself is enabled by the top-level tests/conftest.py (``pytest_plugins`` is
only allowed there).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from interopcheck.launcher import RefcloudServer, start_refclouds

#: Options that keep each inner run small: 6 items (provider-lifecycle and root at 3 versions).
SUBSET = ("--interop-microversions", "1.0,1.20,latest-common",
          "-k", "provider-lifecycle or root")
#: The items SUBSET selects, and those the extra-field drift makes fail.
SUBSET_IDS = {f"placement::{s}[{v}]" for s in ("provider-lifecycle", "root")
              for v in ("1.0", "1.20", "1.39")}
DRIFTED_IDS = {f"placement::provider-lifecycle[{v}]" for v in ("1.0", "1.20", "1.39")}
#: Subprocess runs skip the (slow to import, unrelated) schemathesis plugin.
FAST = ("-p", "no:schemathesis", "-p", "no:cacheprovider")


@dataclass(frozen=True)
class Refclouds:
    a: str
    b: str
    drift: str  # --drift extra-field


@pytest.fixture(scope="session")
def refclouds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refclouds]:
    directory = tmp_path_factory.mktemp("plugin-refclouds")
    servers = [RefcloudServer(directory, drift, name=f"refcloud-{i}")
               for i, drift in enumerate([(), (), ("extra-field",)])]
    with start_refclouds(servers) as (a, b, c):
        yield Refclouds(a.url, b.url, c.url)


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def outcomes_by_id(xml_path: Path) -> dict[str, str]:
    """``{nodeid: passed|failed|skipped|error}`` from a JUnit XML file."""
    import xml.etree.ElementTree as ET

    out: dict[str, str] = {}
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        nodeid = f"{case.get('classname', '').replace('.', '::')}::{case.get('name')}"
        state = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                state = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
        out[nodeid] = state
    return out
