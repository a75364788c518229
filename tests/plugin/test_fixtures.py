"""The fixtures for people's own interop tests: clients, comparison, a local refcloud."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.plugin.conftest import Refclouds

USER_TESTS = '''
import uuid

import httpx


def test_refcloud_url(refcloud_url):
    root = httpx.get(refcloud_url + "/", trust_env=False)
    assert root.status_code == 200
    assert root.json()["versions"][0]["max_version"] == "1.39"


def test_show_provider(interop_clients, interop_compare):
    rp = str(uuid.uuid4())
    with interop_clients.pinned("1.20") as c:
        c.request("POST", "/resource_providers", json={"name": "user-" + rp, "uuid": rp})
        ra, rb = c.request("GET", "/resource_providers/" + rp)
        c.request("DELETE", "/resource_providers/" + rp)
    assert ra.headers["openstack-api-version"] == "placement 1.20"
    assert ra.status_code == rb.status_code == 200
    assert interop_compare(ra, rb) == []


def test_latest_common(interop_clients):
    with interop_clients.pinned("latest-common") as c:
        ra, _rb = c.request("GET", "/")
    assert ra.headers["openstack-api-version"] == "placement 1.39"
    assert "openstack-api-version" not in interop_clients.a.headers  # pin restored
'''


def test_fixtures_in_a_users_tests(pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    same = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.b,
                              "--interop-fixtures-only")
    same.assert_outcomes(passed=3)

    drifted = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.drift,
                                 "--interop-fixtures-only", "-k", "show_provider")
    drifted.assert_outcomes(failed=1)
    drifted.stdout.fnmatch_lines([
        "interop_compare: 1 finding between A and B: body-shape at $.description",
        "  GET /resource_providers/* @ 1.20",
        "    body-shape at $.description: A sent (absent) | B sent str",
        "      breaks clients: no · needs version bump: yes · INTEROP007 error",
    ])
    assert "Traceback" not in drifted.stdout.str()


def test_interop_clients_skips_without_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(interop_clients):\n    pass\n")
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*interop_clients needs --interop-a URL and --interop-b URL*"])


def _response(body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "http://cloud.example/things/1",
                            headers={"openstack-api-version": "placement 1.20"})
    return httpx.Response(200, json=body, headers=headers, request=request)


def test_interop_compare_works_without_options(interop_compare: Any) -> None:
    a = _response({"id": 1, "links": []}, vary="openstack-api-version")
    assert interop_compare(a, _response({"id": 2, "links": []},
                                        vary="openstack-api-version")) == []
    b = _response({"id": "1", "links": [], "extra": True})
    found = interop_compare.findings(a, b)
    assert {(f.kind, f.path, f.a, f.b) for f in found} >= {
        ("body-shape", "$.id", "int", "str"), ("body-shape", "$.extra", "(absent)", "bool"),
        ("header-missing", "vary", "openstack-api-version", "(absent)")}
    assert {f.microversion for f in found} == {"1.20"}
    assert not interop_compare.findings(a, b, ignore=["$.id", "$.extra", "header:vary"])
    with pytest.raises(pytest.fail.Exception) as failed:
        interop_compare(a, b, call="show")
    message = str(failed.value)
    assert message.startswith("interop_compare: 3 findings between A and B")
    assert "  show: GET /things/1 @ 1.20" in message
    assert "body-shape at $.id: A sent int | B sent str" in message
