"""The servers API against interopcheck's own checks, through ``profiles/compute.yaml``.

Placement is wire-identical to the real service, departures included; the servers API is
refcloud's own and follows the API-SIG guidelines strictly: ``interopcheck check`` passes in
strict mode with no finding at all, and two refclouds diffed over the compute profile at
every compute microversion give 0 findings (builds settle asynchronously: the profile polls).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import refcloud
from refcloud.compute import ComputeConfig
from refcloud.compute.mount import with_compute

from interopcheck.check import CheckOptions, run_check
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile import load_profile
from interopcheck.runner import Cloud, Clouds

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Fresh refclouds (Placement + servers API, asynchronous builds), one SQLite file each."""
    made: list[Any] = []

    def make(name: str) -> Any:
        placement = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path}/{name}.db"))
        mount = with_compute(placement, ComputeConfig(host_refresh_interval=0.2))
        made.append(mount)
        return mount

    yield make
    for mount in made:
        mount.compute.close()
        mount.db.dispose()


def _cloud(name: str, app: WSGIApp) -> Cloud:
    return Cloud(name, f"http://{name.lower()}", token="admin",
                 transport=httpx.WSGITransport(app=app))


def test_servers_api_passes_the_guideline_checks_strictly(mounts: Callable[[str], Any]) -> None:
    cloud = _cloud("A", mounts("a"))
    try:
        result = run_check(load_profile("compute"), cloud, CheckOptions(microversions="all"))
    finally:
        cloud.close()
    assert [str(v) for v in result.versions] == ["1.0", "1.1"]
    assert [i.what for i in result.issues] == []
    assert [(f.rule, f.message) for f in result.findings] == []
    assert result.passed("strict") and result.passed("tolerant")
    assert result.calls >= 70 and result.probes >= 15


def test_a_servers_api_without_vary_fails_strict(mounts: Callable[[str], Any]) -> None:
    """The same check can fail: strip ``Vary`` from every answer."""
    inner = mounts("a")

    def no_vary(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list, exc_info: Any = None) -> Any:
            return start_response(status, [(k, v) for k, v in headers if k.lower() != "vary"],
                                  exc_info)
        return inner(environ, start)

    cloud = _cloud("A", no_vary)
    try:
        result = run_check(load_profile("compute"), cloud,
                           CheckOptions(microversions="1.1", scenarios=("flavors",)))
    finally:
        cloud.close()
    assert not result.passed("strict") and not result.passed("tolerant")
    assert "MV011" in result.rule_ids("tolerant")


def test_two_refclouds_over_the_compute_profile_find_nothing(
        mounts: Callable[[str], Any]) -> None:
    a, b = _cloud("A", mounts("a")), _cloud("B", mounts("b"))
    profile = load_profile("compute")
    try:
        report = run_diff(profile, Clouds(a, b), DiffOptions(concurrency=2))
    finally:
        a.close()
        b.close()
    assert report.microversions == ("1.0", "1.1")
    assert [p.line() for p in report.problems] == []
    assert [(f.scenario, f.call, f.microversion, f.kind, f.path) for f in report.findings] == []
    assert {c.scenario for c in report.calls} == {s.name for s in profile.scenarios}
    assert not [c for c in report.calls if c.skipped]
    statuses = {(c.scenario, c.call, c.microversion): (c.status_a, c.status_b)
                for c in report.calls}
    # the action API: 202 for a known action, 400 unknown / two keys, 409 wrong state
    assert statuses[("server-lifecycle", "reboot", "1.1")] == (202, 202)
    assert statuses[("server-lifecycle", "unknown action", "1.1")] == (400, 400)
    assert statuses[("server-lifecycle", "two actions in one body", "1.1")] == (400, 400)
    assert statuses[("server-lifecycle", "confirm without a migration", "1.1")] == (409, 409)
    assert statuses[("migration", "migrate again while verifying", "1.0")] == (409, 409)
    assert statuses[("server-lifecycle", "show deleted server", "1.0")] == (404, 404)
