"""The negotiation probes (``interopcheck check``), one violating and one conforming service
per rule they check.

The probes need several requests, so each case is a tiny microversioned WSGI service
(:class:`FakeService`, range 1.0-1.5) that follows the guideline text, with one knob turned
to break one rule; ``run_check`` runs only the discovery fetch and the probes against it.
The conforming service must produce none of the probe rules (not even tolerated ones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest

from interopcheck.check import CheckOptions, run_check
from interopcheck.profile.loader import load_profile
from interopcheck.runner.clouds import Cloud

MIN, MAX = (1, 0), (1, 5)
MV = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


class FakeService:
    """A guideline-conforming microversioned service; each knob breaks one probe rule."""

    def __init__(self, **knobs: Any) -> None:
        self.knobs = knobs

    def version_of(self, values: list[str]) -> tuple[int, tuple[int, int] | None, str]:
        """(status, served version, error title) for the request's version header lines."""
        k = self.knobs
        entries = [e.strip() for v in values for e in v.split(",")]
        if k.get("first_entry_only"):
            entries = entries[:1]
        ours = None
        for entry in entries:
            service, _, text = entry.partition(" ")
            if service.lower() == "placement" or k.get("any_service"):
                ours = text.strip()
        if ours is None:
            return 200, (MAX if k.get("no_header_is_latest") else MIN), ""
        if ours == "latest":
            return 200, (MIN if k.get("latest_is_min") else MAX), ""
        m = MV.match(ours)
        if not m:
            return (k.get("malformed_status", 400), MAX if k.get("malformed_status") == 200
                    else None, "Bad Request")
        got = (int(m.group(1)), int(m.group(2)))
        if not MIN <= got <= MAX:
            status = k.get("out_of_range_status", 406)
            return status, MAX if status == 200 else None, "Not Acceptable"
        if k.get("always_serve_max"):
            return 200, MAX, ""
        return 200, got, ""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any],
                 ) -> Iterable[bytes]:
        k = self.knobs
        values = [v for v in environ.get("HTTP_OPENSTACK_API_VERSION", "").split(",") if v]
        path = environ.get("PATH_INFO") or "/"
        headers = [("Content-Type", "application/json"), ("Cache-Control", "no-cache")]
        if path == "/" and k.get("discovery_needs_token") and not environ.get(
                "HTTP_X_AUTH_TOKEN"):
            body: dict[str, Any] = {"errors": [{"status": 401, "title": "Unauthorized",
                                                "code": "auth.missing", "detail": "token",
                                                "links": [{"rel": "help", "href": "h"}]}]}
            return self.answer(start_response, 401, headers, body)
        status, served, title = self.version_of(values)
        served = served or MIN  # an error echoes the minimum: the header is always returned
        if not k.get("no_echo"):
            service = k.get("echo_service", "placement")
            headers.append(("OpenStack-API-Version", f"{service} {served[0]}.{served[1]}"))
        if not k.get("no_vary"):
            headers.append(("Vary", "OpenStack-API-Version"))
        if status == 200 and path != "/":
            status, title = 404, "Not Found"
        if status >= 400:
            error: dict[str, Any] = {"status": status, "title": title, "detail": title,
                                     "code": "placement.error",
                                     "links": [{"rel": "help", "href": "https://docs"}]}
            if status == 406 and not k.get("no_range_in_406"):
                error |= {"min_version": "1.0", "max_version": "1.5"}
            return self.answer(start_response, status, headers, {"errors": [error]})
        body = {"versions": [{"id": "v1.0", "status": "CURRENT", "min_version": "1.0",
                              "max_version": "1.5",
                              "links": [{"rel": "self", "href": "http://fake/"},
                                        {"rel": "collection", "href": "http://fake/"}]}]}
        return self.answer(start_response, 200, headers, body)

    @staticmethod
    def answer(start_response: Callable[..., Any], status: int,
               headers: list[tuple[str, str]], body: Any) -> Iterable[bytes]:
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
                  406: "Not Acceptable"}[status]
        start_response(f"{status} {reason}", headers)
        return [json.dumps(body).encode()]


def check(**knobs: Any) -> Any:
    cloud = Cloud(name="A", base_url="http://fake", token="admin",
                  transport=httpx.WSGITransport(app=FakeService(**knobs)))
    try:
        return run_check(load_profile("placement"), cloud,
                         CheckOptions(scenarios=("interopcheck-no-scenario",)))
    finally:
        cloud.close()


#: rule id -> the knob that breaks it (the live half of the rule is a probe).
PROBE_CASES: dict[str, dict[str, Any]] = {
    "MV002": {"echo_service": "nova"},
    "MV003": {"no_header_is_latest": True},
    "MV004": {"any_service": True},
    "MV005": {"always_serve_max": True},
    "MV006": {"out_of_range_status": 200},
    "MV007": {"no_range_in_406": True},
    "MV008": {"malformed_status": 406},
    "MV009": {"latest_is_min": True},
    "MV010": {"no_echo": True},
    "MV011": {"no_vary": True},
    "MV012": {"first_entry_only": True},
    "VD002": {"discovery_needs_token": True},
}


@pytest.fixture(scope="module")
def conforming() -> Any:
    return check()


def test_conforming_service_passes_both_modes(conforming: Any) -> None:
    r = conforming
    assert (str(r.min_version), str(r.max_version)) == ("1.0", "1.5")
    assert r.probes >= 15 and r.issues == []
    assert [(f.rule, f.message) for f in r.findings] == []
    assert r.passed("strict") and r.passed("tolerant")


@pytest.mark.parametrize("rule_id", sorted(PROBE_CASES))
def test_broken_service_violates(rule_id: str) -> None:
    r = check(**PROBE_CASES[rule_id])
    found = {f.rule for f in r.findings if f.departure is None}
    assert rule_id in found, [(f.rule, f.message) for f in r.findings]
    assert not r.passed("strict") and not r.passed("tolerant")


def test_conforming_service_finds_no_probe_rule(conforming: Any) -> None:
    assert not conforming.rule_ids() & set(PROBE_CASES)


def test_discovery_behind_a_token_is_vd002_and_the_check_goes_on() -> None:
    r = check(discovery_needs_token=True)
    assert [f.rule for f in r.findings] == ["VD002"]
    assert str(r.max_version) == "1.5" and r.probes >= 15 and not r.broken
