"""Real OpenStack Placement against refcloud: the placement profile over every version.

Marked ``live`` (excluded by default; run with ``pytest -m live tests/functional/diff``). The
session starts a real Placement on a fresh SQLite database with
``../shared/tools/real-placement/start.sh`` (``RP_FRESH=1``, a free port; the shared folder
is found beside the checkout or at ``$INTEROPCHECK_SHARED``) and stops it afterwards.
Cloud A is that Placement, cloud B an in-process refcloud. Every finding is a refcloud bug.
``INTEROPCHECK_LIVE_SCENARIOS=glob,glob`` narrows the run to some scenarios.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile import load_profile
from interopcheck.render import FORMATS
from interopcheck.runner import Cloud, Clouds, Progress
from tests.functional.diff.conftest import Refclouds
from tests.support.shared import real_placement_tools

pytestmark = pytest.mark.live


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def real_placement() -> Iterator[str]:
    """A fresh real Placement on a free port, stopped at the end."""
    tools = real_placement_tools()
    start, stop = tools / "start.sh", tools / "stop.sh"
    if not start.exists():
        pytest.fail(f"cannot start real Placement: {start} not found (put the project's "
                    "shared/ folder beside the checkout or set INTEROPCHECK_SHARED)",
                    pytrace=False)
    port = _free_port()
    try:
        started = subprocess.run([str(start), str(port)], env=dict(os.environ, RP_FRESH="1"),
                                 capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot start real Placement with {start}: {exc}", pytrace=False)
    if started.returncode != 0:
        pytest.fail(f"cannot start real Placement with {start} {port} (exit "
                    f"{started.returncode}):\n{started.stderr[-1500:]}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(stop), str(port)], capture_output=True, text=True, timeout=60)


def test_real_placement_and_refcloud_do_not_differ(real_placement: str,
                                                   refclouds: Refclouds) -> None:
    a = Cloud("A", real_placement, token="admin", timeout=60, url_option="the real Placement")
    b = Cloud("B", "http://refcloud", token="admin", transport=refclouds.transport("b"))
    started = time.perf_counter()
    scenarios = tuple(os.environ.get("INTEROPCHECK_LIVE_SCENARIOS", "*").split(","))
    report = run_diff(load_profile("placement"), Clouds(a, b),
                      DiffOptions(concurrency=2, scenarios=scenarios),
                      Progress(sys.stderr, enabled=False))
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"\nlive: {len(report.calls)} calls at {len(report.microversions)} "
                     f"microversions in {elapsed:.0f}s\n")
    assert [p.line() for p in report.problems] == []
    assert report.findings == (), "refcloud differs from real Placement:\n" + \
        FORMATS["text"](report)
    assert report.microversions[-1] == "1.39"
