"""``interopcheck check`` against a real OpenStack Placement (``pytest -m live``).

Marked ``live`` (excluded by default). The real Placement is started by the test
(:mod:`tests.support.real_placement`; ``INTEROPCHECK_PLACEMENT_URL`` reuses a running one).
The whole placement profile and every probe run against it:

- strict mode fails and tolerant mode passes: every finding is one of Placement's known,
  deliberate departures (:mod:`interopcheck.check.tolerance`), and each of them shows;
- refcloud gives the same findings, call by call, the ``401`` of a request without a token
  included (refcloud answers it with webob's body, as Placement's noauth2 middleware).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import refcloud

from interopcheck.check import CheckOptions, run_check
from interopcheck.check.report import to_text
from interopcheck.profile.loader import load_profile
from interopcheck.runner.clouds import Cloud
from tests.support.real_placement import real_placement

pytestmark = pytest.mark.live

#: Every departure the full profile shows on real Placement.
EXPECTED = {
    "mvparse-major-zero", "mvparse-leading-zero", "mvparse-no-echo-on-own-errors",
    "mvparse-no-vary-on-errors", "placement-error-no-links", "placement-cache-headers-from-1.15",
    "placement-401-from-auth-middleware", "placement-root-no-collection-link",
    "placement-put-204", "placement-trait-existence-204",
    "placement-allocation-candidates-shape",
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def placement_url() -> Iterator[str]:
    with real_placement() as url:
        yield url


def _check(cloud: Cloud) -> Any:
    try:
        return run_check(load_profile("placement"), cloud, CheckOptions())
    finally:
        cloud.close()


@pytest.fixture(scope="module")
def real_result(placement_url: str) -> Any:
    started = time.perf_counter()
    result = _check(Cloud("A", placement_url, token="admin", timeout=60))
    sys.stderr.write(f"\ncheck against real Placement: {result.calls} calls, "
                     f"{result.probes} probes in {time.perf_counter() - started:.0f}s\n")
    return result


@pytest.fixture(scope="module")
def refcloud_result() -> Any:
    return _check(Cloud("A", "http://refcloud", token="admin",
                        transport=httpx.WSGITransport(app=refcloud.make_app())))


def test_strict_fails_and_tolerant_passes(real_result: Any) -> None:
    r = real_result
    assert r.issues == [], [i.what for i in r.issues]
    assert (str(r.min_version), str(r.max_version)) == ("1.0", "1.39")
    assert not r.passed("strict")
    assert r.passed("tolerant"), to_text(r)
    untolerated = [(f.rule, f.message, f.where) for f in r.findings if not f.tolerated]
    assert untolerated == []


def test_every_known_departure_shows(real_result: Any) -> None:
    assert {f.departure for f in real_result.findings} == EXPECTED


def _key(f: Any) -> tuple[str, str | None, str]:
    return f.rule, f.departure, _UUID.sub("<uuid>", f"{f.message} @ {f.where}")


def test_refcloud_finds_the_same(real_result: Any, refcloud_result: Any) -> None:
    def counts(result: Any) -> Counter[tuple[str, str | None, str]]:
        return Counter(_key(f) for f in result.findings)

    real, ref = counts(real_result), counts(refcloud_result)
    assert real - ref == Counter() and ref - real == Counter()
    real_401 = {f.rule for f in real_result.findings if "-> 401" in f.where}
    ref_401 = {f.rule for f in refcloud_result.findings if "-> 401" in f.where}
    assert real_401 == ref_401 == {"ERR001"}  # webob's body from noauth2
