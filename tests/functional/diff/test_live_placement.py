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
import sys
import time
from collections.abc import Iterator

import pytest

from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile import load_profile
from interopcheck.render import FORMATS
from interopcheck.runner import Cloud, Clouds, Progress
from tests.functional.diff.conftest import Refclouds
from tests.support.real_placement import real_placement as start_real_placement

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def real_placement() -> Iterator[str]:
    """A fresh real Placement (``tests.support.real_placement``), stopped at the end."""
    with start_real_placement() as url:
        yield url


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
