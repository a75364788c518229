"""Two identical refclouds, different data: the whole placement profile finds nothing.

Cloud A is filled first with unrelated providers, trees, a sharing provider, allocations,
traits and classes; cloud B is empty. The sweep covers every microversion both serve
(1.0-1.39), every scenario, and confirms differences with a second run (the default).
It must give 0 findings and 0 problems, compare every call, and leave nothing behind.
"""

from __future__ import annotations

import sys
import time

import httpx

from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile import load_profile
from interopcheck.runner import Cloud, Clouds
from tests.functional.diff.conftest import Refclouds, leftovers

#: A generous guard against a slow-down (the sweep takes well under a minute of CPU).
CPU_BUDGET_SECONDS = 90.0


def test_whole_profile_over_every_common_microversion_finds_nothing(
        refclouds: Refclouds) -> None:
    a = Cloud("A", "http://cloud-a", token="admin",
              transport=refclouds.transport("a", populated=True))
    b = Cloud("B", "http://cloud-b", token="admin", transport=refclouds.transport("b"))
    profile = load_profile("placement")
    wall, cpu = time.perf_counter(), time.process_time()
    report = run_diff(profile, Clouds(a, b), DiffOptions(concurrency=1))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sys.stderr.write(f"\nfull placement sweep: {len(report.calls)} compared calls at "
                     f"{len(report.microversions)} microversions in {wall:.1f}s "
                     f"({cpu:.1f}s CPU)\n")

    assert report.microversions == tuple(f"1.{m}" for m in range(40))
    assert [p.line() for p in report.problems] == []
    assert [(f.scenario, f.call, f.microversion, f.kind, f.path, f.a, f.b)
            for f in report.findings] == []
    assert report.exit_code == 0
    assert not [c for c in report.calls if c.skipped]
    assert {c.scenario for c in report.calls} == {s.name for s in profile.scenarios}
    assert len(report.calls) > 3000
    assert cpu < CPU_BUDGET_SECONDS

    # Teardown left nothing on the cloud that started empty.
    assert leftovers(refclouds.db_url("b")) == {
        "resource_providers": 0, "inventories": 0, "allocations": 0, "consumers": 0,
        "custom resource classes": 0, "custom traits": 0}


def test_second_instances_take_the_noise_run(refclouds: Refclouds) -> None:
    """--a2/--b2: the confirming run goes to the second instances."""
    seen: list[str] = []

    def spy(name: str, transport: httpx.BaseTransport) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(name)
            response = transport.handle_request(request)
            response.read()
            headers = dict(response.headers)
            if name == "B" and request.url.path != "/":
                headers["x-only-on-b"] = "1"
            return httpx.Response(response.status_code, headers=headers,
                                  content=response.content)
        return httpx.MockTransport(handle)

    clouds = Clouds(
        Cloud("A", "http://a", token="admin", transport=spy("A", refclouds.transport("a"))),
        Cloud("B", "http://b", token="admin", transport=spy("B", refclouds.transport("b"))),
        Cloud("A2", "http://a2", token="admin", transport=spy("A2", refclouds.transport("a2"))),
        Cloud("B2", "http://b2", token="admin", transport=spy("B2", refclouds.transport("b2"))),
    )
    report = run_diff(load_profile("placement"), clouds,
                      DiffOptions(microversions="1.20-1.21", scenarios=("provider-lifecycle",),
                                  concurrency=1))
    assert {"A2", "B2"} <= set(seen)
    # B sends x-only-on-b, B2 does not: it varies within B, so it is noise, not a finding.
    assert report.findings == ()
    assert any(n.endswith("|x-only-on-b") for n in report.noise)
