"""``interopcheck check`` against an in-process refcloud: strict and tolerant mode.

refcloud behaves like real Placement, so strict mode finds exactly Placement's
documented departures (and tolerant mode accepts them); a refcloud with broken
negotiation (wrapped below) fails both modes with the specific rules.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
import refcloud

from interopcheck.check import CheckOptions, run_check
from interopcheck.check import cli as check_cli
from interopcheck.check.sources.live import LiveSource
from interopcheck.check.tolerance import departure
from interopcheck.findings import Severity
from interopcheck.profile.loader import load_profile
from interopcheck.rules.registry import Violation
from interopcheck.runner.clouds import Cloud

#: A few scenarios keep the test fast; the probes run in full.
SCENARIOS = ("root", "content-negotiation", "routing-and-methods", "provider-lifecycle")
NEGOTIATION_OK = {"MV002", "MV003", "MV004", "MV005", "MV006", "MV007", "MV009", "MV012",
                  "VD002"}

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def _check(app: WSGIApp, versions: str = "1.0,1.39") -> Any:
    cloud = Cloud(name="A", base_url="http://refcloud", token="admin",
                  transport=httpx.WSGITransport(app=app))
    try:
        return run_check(load_profile("placement"), cloud,
                         CheckOptions(microversions=versions, scenarios=SCENARIOS))
    finally:
        cloud.close()


@pytest.fixture(scope="module")
def refcloud_result() -> Any:
    return _check(refcloud.make_app())


def test_strict_finds_placements_departures(refcloud_result: Any) -> None:
    r = refcloud_result
    assert str(r.min_version) == "1.0" and str(r.max_version) == "1.39"
    assert r.calls > 20 and r.probes >= 15
    assert not r.passed("strict")
    strict = r.rule_ids("strict")
    # microversion-parse: 0.9 -> 406, 1.01 accepted; no echo/Vary on its own 400/406
    assert {"MV008", "MV010", "MV011"} <= strict
    # error objects without links (and without code below 1.23); no Cache-Control below 1.15
    assert {"ERR002", "CACHE001"} <= strict
    departures = {f.departure for f in r.findings}
    assert {"mvparse-major-zero", "mvparse-leading-zero", "mvparse-no-echo-on-own-errors",
            "mvparse-no-vary-on-errors", "placement-error-no-links",
            "placement-cache-headers-from-1.15"} <= departures


def test_tolerant_accepts_them(refcloud_result: Any) -> None:
    r = refcloud_result
    assert r.passed("tolerant"), [(f.rule, f.message, f.where) for f in r.failing("tolerant")]
    assert r.failing("tolerant") == []


def test_negotiation_itself_is_right(refcloud_result: Any) -> None:
    found = refcloud_result.rule_ids()
    assert not (found & NEGOTIATION_OK), found & NEGOTIATION_OK
    # the errors format, status and codes hold everywhere but on the 401 without a token,
    # which refcloud answers in webob's body exactly as real Placement's noauth2 does
    assert not (found & {"ERR003", "ERR004", "ERR012"})
    err001 = [f for f in refcloud_result.findings if f.rule == "ERR001"]
    assert err001, "refcloud's noauth2 401 is not in the errors format, as real Placement's"
    assert all(f.departure for f in err001), [(f.where, f.message) for f in err001]


# ---- a refcloud with broken negotiation ------------------------------------


class BrokenNegotiation:
    """No header is served as ``latest``; Vary is dropped; error objects lose ``status``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if "HTTP_OPENSTACK_API_VERSION" not in environ:
            environ["HTTP_OPENSTACK_API_VERSION"] = "placement latest"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "vary"]
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, start))
        try:
            doc = json.loads(body)
        except ValueError:
            return [body]
        if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
            for err in doc["errors"]:
                err.pop("status", None)
            body = json.dumps(doc).encode()
        return [body]


@pytest.fixture(scope="module")
def broken_result() -> Any:
    return _check(BrokenNegotiation(refcloud.make_app()), versions="1.39")


def test_broken_cloud_fails_both_modes(broken_result: Any) -> None:
    r = broken_result
    assert not r.passed("strict") and not r.passed("tolerant")
    tolerant = r.rule_ids("tolerant")
    assert "MV003" in tolerant  # no header served at 1.39, not 1.0
    assert "MV011" in tolerant  # no Vary on 2xx (the catalog's live rule)
    assert "ERR002" in tolerant  # status missing is not a known departure
    assert not tolerant & {"MV004", "MV005", "MV006", "MV009", "MV012"}


# ---- tolerance ------------------------------------------------------------


def _source(status: int, served: str | None) -> LiveSource:
    return LiveSource("scenario", "x", "GET", "/", status, None, (), served)


@pytest.mark.parametrize(("message", "status", "served", "expected"), [
    ("errors[0] lacks links", 404, "placement 1.39", "placement-error-no-links"),
    ("errors[0] lacks code, links", 404, "placement 1.22", "placement-error-no-links"),
    ("errors[0] lacks code, links", 404, "placement 1.23", None),
    ("errors[0] lacks code, links", 406, None, "placement-error-no-links"),
    ("errors[0] lacks code", 400, "placement 1.2", "placement-error-no-code"),
    ("errors[0] lacks status, links", 404, "placement 1.2", None),
])
def test_err002_departures(message: str, status: int, served: str | None,
                           expected: str | None) -> None:
    v = Violation("ERR002", Severity.ERROR, message, "/errors/0", _source(status, served))
    assert departure(v) == expected


def test_auth_middleware_401_departure() -> None:
    v = Violation("ERR001", Severity.ERROR, "401 error body is not the errors format", "",
                  _source(401, None))
    assert departure(v) == "placement-401-from-auth-middleware"
    v = Violation("ERR001", Severity.ERROR, "404 error body is not the errors format", "",
                  _source(404, "placement 1.2"))
    assert departure(v) is None


def test_cache_control_departure_only_below_1_15() -> None:
    low = Violation("CACHE001", Severity.ERROR, "m", "", _source(200, "placement 1.14"))
    high = Violation("CACHE001", Severity.ERROR, "m", "", _source(200, "placement 1.15"))
    assert departure(low) == "placement-cache-headers-from-1.15"
    assert departure(high) is None


def _at(method: str, url: str, status: int) -> LiveSource:
    return LiveSource("scenario", "x", method, url, status, "placement 1.39", (),
                      "placement 1.39")


@pytest.mark.parametrize(("rule", "method", "url", "status", "expected"), [
    ("HTTP010", "PUT", "/allocations/$uuid(c)", 204, "placement-put-204"),
    ("HTTP010", "PUT", "/traits/CUSTOM_A", 204, "placement-put-204"),
    ("HTTP010", "PUT", "/resource_classes/$rc(A)", 204, "placement-put-204"),
    ("HTTP010", "GET", "/traits/HW_CPU_X86_AVX2", 204, "placement-trait-existence-204"),
    ("HTTP010", "PUT", "/resource_providers/$uuid(rp)", 204, None),
    ("HTTP010", "GET", "/resource_providers", 204, None),
    ("RES002", "GET", "/allocation_candidates?resources=VCPU:1", 200,
     "placement-allocation-candidates-shape"),
    ("RES002", "GET", "/resource_providers", 200, None),
])
def test_route_departures(rule: str, method: str, url: str, status: int,
                          expected: str | None) -> None:
    v = Violation(rule, Severity.WARNING, "m", "", _at(method, url, status))
    assert departure(v) == expected


# ---- command line ----------------------------------------------------------


def _cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    check_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", "http://refcloud", "--scenario", "root", *argv])
    out = io.StringIO()
    transport = httpx.WSGITransport(app=refcloud.make_app())
    code = check_cli.run(args, {"A": transport}, out, io.StringIO())
    return code, out.getvalue()


def test_cli_exit_status_by_mode() -> None:
    code, text = _cli()
    assert code == 1
    assert "strict: FAILED" in text and "tolerant: passed" in text
    code, text = _cli("--mode", "tolerant", "--format", "json")
    assert code == 0
    doc = json.loads(text)
    assert doc["modes"]["strict"]["passed"] is False
    assert doc["modes"]["tolerant"]["passed"] is True
    assert {f["rule"] for f in doc["findings"]} >= {"MV008", "MV010", "MV011", "ERR002"}
    assert doc["departures"]["mvparse-major-zero"]


def test_cli_disable_rules() -> None:
    code, text = _cli("--format", "json")
    found = sorted({f["rule"] for f in json.loads(text)["findings"]})
    assert found
    code, text = _cli("--format", "json", "--disable", ",".join(found))
    assert code == 0, text
    assert json.loads(text)["findings"] == []


def test_registered_in_the_main_command_line() -> None:
    from interopcheck.cli import main

    out = io.StringIO()
    code = main(["check", "http://refcloud", "--scenario", "root", "--mode", "tolerant"],
                transports={"A": httpx.WSGITransport(app=refcloud.make_app())},
                stdout=out, stderr=io.StringIO())
    assert code == 0, out.getvalue()
    assert "tolerant: passed" in out.getvalue()


def test_cli_unreachable_cloud_is_exit_2() -> None:
    parser = argparse.ArgumentParser()
    check_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", "http://127.0.0.1:9", "--timeout", "2"])
    err = io.StringIO()
    assert check_cli.run(args, None, io.StringIO(), err) == 2
    assert "interopcheck:" in err.getvalue()
