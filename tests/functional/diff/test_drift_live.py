"""Every refcloud drift mode against REAL Placement at every microversion: exactly its causes.

Marked ``live`` (``pytest -m live tests/functional/diff/test_drift_live.py``). Cloud A is a
real Placement (``tests.support.real_placement``: started fresh, or
``INTEROPCHECK_PLACEMENT_URL``), cloud B an in-process refcloud with one drift mode. Each
mode runs the scenarios that exercise it at every microversion both serve; the causes (kind,
path, microversion ranges) must be exactly those pinned in ``ALL_VERSIONS_CAUSES``, which
the default-run ``test_drift_modes.py`` also pins at a few versions against refcloud.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import refcloud

from interopcheck.causes import group_causes
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.loader import load_profile
from interopcheck.render import FORMATS
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds
from tests.functional.diff.test_drift_modes import (
    ALL_VERSIONS_CAUSES,
    CASES,
    DEPLOYMENT_DRIFTS,
    cause_keys,
)
from tests.support.real_placement import real_placement as start_real_placement

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def real_placement() -> Iterator[str]:
    with start_real_placement() as url:
        yield url


@pytest.mark.parametrize("mode", list(ALL_VERSIONS_CAUSES))
def test_drift_against_real_placement_gives_exactly_its_causes(real_placement: str,
                                                               mode: str) -> None:
    a = Cloud("A", real_placement, token="admin", timeout=60, url_option="the real Placement")
    app = refcloud.make_app(refcloud.Config(drift=(mode,)))
    b = Cloud("B", "http://refcloud", token="admin", transport=httpx.WSGITransport(app=app))
    try:
        report = run_diff(load_profile("placement"), Clouds(a, b),
                          DiffOptions(scenarios=CASES[mode].scenarios, concurrency=2))
    finally:
        a.close()
        b.close()
    assert [p.line() for p in report.problems] == []
    assert report.microversions[0] == "1.0" and report.microversions[-1] == "1.39"
    assert sorted(cause_keys(report.findings)) == sorted(ALL_VERSIONS_CAUSES[mode]), \
        FORMATS["text"](report)
    deployment = mode in DEPLOYMENT_DRIFTS
    assert {c.layer == "deployment" for c in group_causes(report.findings)} == {deployment}
    assert report.exit_code == (0 if deployment else 1)
