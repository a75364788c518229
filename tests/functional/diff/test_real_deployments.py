"""Differently deployed REAL Placements diffed against each other and against refcloud.

Marked ``realdeploy`` (``pytest -m realdeploy tests/functional/diff/test_real_deployments.py``;
installs up to three venvs from PyPI the first time, ~30 s each). The deployments
(``tests.support.deployments``): Placement 16 (gunicorn), 12.0 (another release), 16 with
jsonschema 4.18 (other library text), 16 behind nginx adding HSTS, X-Frame-Options and
X-Content-Type-Options, 16 under waitress instead of gunicorn.

Each diff must exit 0 with no failing finding, and what the HTTP layer adds must be listed as
deployment causes. ``INTEROPCHECK_DEPLOY_MICROVERSIONS`` (default a sample across the range;
``all`` for every version, ~5 minutes per diff) picks the microversions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from interopcheck.causes import group_causes
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.loader import load_profile
from interopcheck.render import FORMATS
from interopcheck.report import Report
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds, Progress
from tests.functional.diff.conftest import Refclouds
from tests.support.deployments import DEPLOYMENTS, deployed

pytestmark = pytest.mark.realdeploy

MICROVERSIONS = os.environ.get("INTEROPCHECK_DEPLOY_MICROVERSIONS",
                               "1.0,1.6,1.14,1.20,1.28,1.37,1.39")
#: What nginx adds to every answer (tests/support/deployments.py NGINX_CONF).
PROXY_HEADERS = {"strict-transport-security", "x-frame-options", "x-content-type-options"}


class Running:
    """Deployments started on first use and stopped at the end of the module."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.urls: dict[str, str] = {}

    def url(self, name: str) -> str:
        if name not in self.urls:
            self.urls[name] = self.stack.enter_context(deployed(DEPLOYMENTS[name]))
        return self.urls[name]


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    with ExitStack() as stack:
        yield Running(stack)


def _diff(a: Cloud, b: Cloud) -> Report:
    try:
        return run_diff(load_profile("placement"), Clouds(a, b),
                        DiffOptions(microversions=MICROVERSIONS, concurrency=2),
                        Progress(sys.stderr, enabled=False))
    finally:
        a.close()
        b.close()


def _real(name: str, url: str) -> Cloud:
    return Cloud("A" if name.endswith("#a") else "B", url, token="admin", timeout=60,
                 url_option=name)


def _judge(report: Report, deployment_headers: set[str]) -> None:
    text = FORMATS["text"](report)
    assert [p.line() for p in report.problems] == [], text
    assert report.calls, text
    assert report.failing == [], text
    assert report.exit_code == 0, text
    causes = group_causes(report.findings)
    deployment = {c.path for c in causes if c.layer == "deployment"}
    assert deployment == deployment_headers, text
    for c in causes:
        assert c.layer in ("deployment", "text") or not (c.breaks_clients
                                                         or c.needs_version_bump), text
    # one cause per header, however many calls it was seen at
    for c in causes:
        if c.layer == "deployment":
            assert c.kind == "header-extra" and c.calls > 10, text


PAIRS = [
    ("placement-16", "placement-12", set()),
    ("placement-16", "placement-16-jsonschema-4.18", set()),
    ("placement-16", "placement-16-nginx", PROXY_HEADERS),
    ("placement-16", "placement-16-waitress", set()),
    ("placement-12", "placement-16-nginx", PROXY_HEADERS),
]


@pytest.mark.parametrize(("a", "b", "headers"), PAIRS, ids=[f"{a}-vs-{b}" for a, b, _ in PAIRS])
def test_differently_deployed_placements_do_not_differ_in_their_api(
        running: Running, a: str, b: str, headers: set[str]) -> None:
    report = _diff(_real(f"{a}#a", running.url(a)), _real(f"{b}#b", running.url(b)))
    _judge(report, headers)


@pytest.mark.parametrize("name", list(DEPLOYMENTS))
def test_refcloud_against_each_deployment(running: Running, refclouds: Refclouds,
                                          name: str) -> None:
    refcloud = Cloud("A", "http://refcloud", token="admin", transport=refclouds.transport("a"))
    report = _diff(refcloud, _real(f"{name}#b", running.url(name)))
    _judge(report, PROXY_HEADERS if DEPLOYMENTS[name].proxy else set())
