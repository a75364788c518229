"""Placement's own functional suite (gabbi) against a live refcloud.

Each gabbi file from the real ``openstack-placement`` wheel runs with
``../shared/tools/real-placement/run-gabbits.sh`` against refcloud on a loopback
port, restarted on a fresh SQLite database before the file
(``tests/gabbi/reset-refcloud.sh``). Real Placement passes every test in these
files; so must refcloud.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.shared import REPO, real_placement_tools

# The files that need no secure-RBAC / open-policy / CORS server profile.
CORE_FILES = [
    "aggregate-legacy-rbac.yaml",
    "aggregate.yaml",
    "allocation-bad-class.yaml",
    "allocations-1-12.yaml",
    "allocations-1-8.yaml",
    "allocations-1.28.yaml",
    "allocations-bug-1714072.yaml",
    "allocations-bug-1778591.yaml",
    "allocations-bug-1778743.yaml",
    "allocations-bug-1779717.yaml",
    "allocations-legacy-rbac.yaml",
    "allocations-mappings.yaml",
    "allocations-post.yaml",
    "allocations.yaml",
    "basic-http.yaml",
    "bug-1674694.yaml",
    "confirm-auth.yaml",
    "consumer-types-1.38.yaml",
    "consumer-types-bug-story-2009167.yaml",
    "ensure-consumer.yaml",
    "inventory-legacy-rbac.yaml",
    "inventory.yaml",
    "microversion-bug-1724065.yaml",
    "microversion.yaml",
    "non-cors.yaml",
    "reshaper-legacy-rbac.yaml",
    "reshaper.yaml",
    "resource-class-in-use.yaml",
    "resource-classes-1-6.yaml",
    "resource-classes-1-7.yaml",
    "resource-classes-last-modified.yaml",
    "resource-classes-legacy-rbac.yaml",
    "resource-classes.yaml",
    "resource-provider-aggregates.yaml",
    "resource-provider-any-traits.yaml",
    "resource-provider-bug-1779818.yaml",
    "resource-provider-duplication.yaml",
    "resource-provider-legacy-rbac.yaml",
    "resource-provider-links.yaml",
    "resource-provider-resources-query.yaml",
    "resource-provider.yaml",
    "traits-legacy-rbac.yaml",
    "traits.yaml",
    "unicode.yaml",
    "usage-legacy-rbac.yaml",
    "usage.yaml",
    "with-allocations.yaml",
]
# Allocation candidates (and the files whose fixtures exist to query them).
CANDIDATE_FILES = [
    "allocation-candidates-any-traits-groups.yaml",
    "allocation-candidates-any-traits.yaml",
    "allocation-candidates-bug-1792503.yaml",
    "allocation-candidates-legacy-rbac.yaml",
    "allocation-candidates-mappings-numa.yaml",
    "allocation-candidates-mappings-sharing.yaml",
    "allocation-candidates-member-of.yaml",
    "allocation-candidates-root-required.yaml",
    "allocation-candidates.yaml",
    "granular-same-subtree.yaml",
    "granular.yaml",
    "same-subtree-deep.yaml",
    "shared-resources.yaml",
]

# Tests real Placement fails too, so no HTTP client can pass them (name -> reason).
KNOWN_UNPASSABLE = {
    "basic-http.yaml": {
        "bad_content_length_not_int": "needs a non-integer Content-Length, which HTTP clients "
        "(gabbi's httpx/urllib3) refuse to send; real Placement fails it the same way",
    },
}

_ROW = re.compile(r"^(\S+\.yaml)\s+\S+\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", re.M)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def gabbi_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tools = real_placement_tools()
    if not (tools / "run-gabbits.sh").exists():
        pytest.fail(
            f"Placement's gabbi runner not found at {tools}; put the project's shared/ "
            "folder beside the checkout or set INTEROPCHECK_SHARED"
        )
    install = subprocess.run(
        [str(tools / "start.sh")],
        env=dict(os.environ, RP_INSTALL_ONLY="1"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if install.returncode != 0:
        pytest.fail(f"could not install the real Placement's test suite: {install.stderr[-800:]}")
    state = tmp_path_factory.mktemp("refcloud-gabbi")
    port = _free_port()
    refcloud_bin = Path(sys.executable).parent / "refcloud"
    env = dict(
        os.environ,
        REFCLOUD=str(refcloud_bin),
        REFCLOUD_STATE=str(state),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    yield {"url": f"http://127.0.0.1:{port}", "state": str(state), **env}
    pidfile = state / str(port) / "pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass


def _run(gabbi_env: dict[str, str], name: str) -> None:
    tools = real_placement_tools()
    reset = f"bash {REPO / 'tests' / 'gabbi' / 'reset-refcloud.sh'}"
    logs = Path(gabbi_env["state"]) / "logs"
    env = {k: v for k, v in gabbi_env.items() if k not in ("url", "state")}
    proc = subprocess.run(
        [
            str(tools / "run-gabbits.sh"),
            gabbi_env["url"],
            "--reset-cmd",
            reset,
            "--logs",
            str(logs),
            name,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    match = _ROW.search(proc.stdout)
    assert match, f"no result row for {name}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    ran, passed = int(match.group(2)), int(match.group(3))
    failing = {
        line.split(f"gabbi-runner.{name[:-5]}_", 1)[1].rstrip(":")
        for line in proc.stdout.splitlines()
        if line.startswith(name) and ("FAIL " in line or "ERROR " in line)
    }
    allowed = set(KNOWN_UNPASSABLE.get(name, {}))
    if ran == 0 or failing - allowed or passed + len(failing & allowed) != ran:
        log = (logs / f"{name}.log").read_text() if (logs / f"{name}.log").exists() else ""
        pytest.fail(
            f"{name}: {passed}/{ran} passed; failing: {sorted(failing)}\n"
            f"--- log tail ---\n{log[-4000:]}"
        )


@pytest.mark.parametrize("name", CORE_FILES)
def test_placement_gabbit(gabbi_env: dict[str, str], name: str) -> None:
    _run(gabbi_env, name)


@pytest.mark.parametrize("name", CANDIDATE_FILES)
def test_placement_candidates_gabbit(gabbi_env: dict[str, str], name: str) -> None:
    _run(gabbi_env, name)
