"""``interopcheck diff A B --gabbi FILE``: gabbi files run by gabbi on two in-process refclouds."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from interopcheck.cli import main
from interopcheck.profile.gabbi import run_file
from tests.functional.fuzz.conftest import refcloud_transport

GABBIT = """
defaults:
  request_headers:
    x-auth-token: admin
    accept: application/json
    openstack-api-version: placement 1.20
tests:
- name: create a provider
  POST: /resource_providers
  request_headers:
    content-type: application/json
  data:
    name: $ENVIRON['RP_NAME']
  status: 200
- name: show it
  GET: $LOCATION
  response_json_paths:
    $.name: $ENVIRON['RP_NAME']
- name: rename it
  PUT: /resource_providers/$HISTORY['create a provider'].$RESPONSE['$.uuid']
  request_headers:
    content-type: application/json
  data:
    name: renamed-$RESPONSE['$.generation']
  status: 200
- name: list
  GET: /resource_providers?name=renamed-0
  response_json_paths:
    $.resource_providers[0].name: renamed-0
- name: create a class
  POST: /resource_classes
  request_headers:
    content-type: application/json
  data:
    name: CUSTOM_GABBI
  status: 201
- name: duplicate name
  POST: /resource_providers
  request_headers:
    content-type: application/json
    openstack-api-version: placement 1.39
  data:
    name: renamed-0
  status: 409
"""


def _gabbit(tmp_path: Path) -> Path:
    path = tmp_path / "provider.yaml"
    path.write_text(GABBIT)
    return path


def _diff(tmp_path: Path, transports: dict[str, httpx.BaseTransport], *args: str
          ) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    setup = f"{sys.executable} -c \"print('RP_NAME=gabbi-rp')\""
    rc = main(["diff", "http://a", "http://b", "--gabbi", str(_gabbit(tmp_path)),
               "--gabbi-setup", setup, "--format", "json", *args], transports=transports,
              stdout=out, stderr=err)
    return rc, json.loads(out.getvalue()) if out.getvalue().startswith("{") else {}, \
        err.getvalue()


def test_gabbi_substitutions_run_as_gabbi_defines_them(tmp_path: Path) -> None:
    app = refcloud_transport(tmp_path, "a").app
    tests = run_file(_gabbit(tmp_path), "http://a", environ={"RP_NAME": "one"},
                     app=lambda: app)
    assert [(t.name, t.outcome) for t in tests] == [
        ("create a provider", "pass"), ("show it", "pass"), ("rename it", "pass"),
        ("list", "pass"), ("create a class", "pass"), ("duplicate name", "pass")]
    assert tests[1].url.startswith("/resource_providers/")  # $LOCATION, without the host
    assert tests[2].exchange is not None and tests[2].exchange.request_header(
        "x-auth-token") == "<redacted>"


def test_identical_refclouds_do_not_differ(tmp_path: Path) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"), "B": refcloud_transport(tmp_path, "b")}
    rc, report, err = _diff(tmp_path, transports)
    assert report["findings"] == [], report["findings"]
    assert rc == 0, err
    assert len(report["calls"]) == 6
    assert {c["scenario"] for c in report["calls"]} == {"gabbi provider.yaml"}
    assert {c["microversion"] for c in report["calls"]} == {"1.20", "1.39"}


def test_drift_is_found_test_by_test(tmp_path: Path) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"),
                  "B": refcloud_transport(tmp_path, "b",
                                          ("extra-field", "status-code", "error-code"))}
    rc, report, _err = _diff(tmp_path, transports)
    assert rc == 1
    found = {(f["call"], f["kind"], f["path"]) for f in report["findings"]}
    assert ("create a provider", "body-shape", "$.description") in found
    assert ("create a class", "status", "status") in found
    # gabbi's own expectation (status: 201) holds on A and fails on B
    assert ("create a class", "gabbi-outcome", "gabbi") in found
    assert ("duplicate name", "error-code", "$.errors[0].code") in found


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    err = io.StringIO()
    rc = main(["diff", "http://a", "http://b", "--gabbi", str(tmp_path / "nope.yaml")],
              stdout=io.StringIO(), stderr=err)
    assert rc == 2
    assert err.getvalue().count("\n") == 1 and "nope.yaml: no such file" in err.getvalue()


def test_failing_setup_is_one_line(tmp_path: Path) -> None:
    err = io.StringIO()
    rc = main(["diff", "http://a", "http://b", "--gabbi", str(_gabbit(tmp_path)),
               "--gabbi-setup", "echo broken >&2; exit 3"],
              transports={"A": refcloud_transport(tmp_path, "a"),
                          "B": refcloud_transport(tmp_path, "b")},
              stdout=io.StringIO(), stderr=err)
    assert rc == 2
    assert err.getvalue() == ("interopcheck: --gabbi-setup for provider.yaml on A exited 3: "
                              "broken\n")


def test_the_same_words_in_another_order_are_not_a_difference() -> None:
    from interopcheck.compare import Exchange
    from interopcheck.diff_gabbi import compare_runs
    from interopcheck.profile.gabbi import GabbiTest

    def answer(detail: str) -> GabbiTest:
        body = {"errors": [{"status": 400, "title": "Bad Request", "detail": detail}]}
        exchange = Exchange.create(method="PUT", url="/t", request_headers={}, status=400,
                                   headers={"content-type": "application/json"}, body=body)
        return GabbiTest("t", "PUT", "/t", exchange, "pass")

    same, _ = compare_runs("g", [answer("No such trait B, A")], [answer("No such trait A, B")])
    other, _ = compare_runs("g", [answer("No such trait B, A")], [answer("No such trait A, C")])
    assert same == []
    assert [(f.kind, f.path) for f in other] == [("error-detail", "$.errors[0].detail")]
