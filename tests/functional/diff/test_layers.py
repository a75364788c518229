"""Causes, layers, ``--fail-on``, authorization problems and names, end to end on in-process
refclouds whose B is wrapped the way real deployments differ: a proxy adding headers, a
token whose role may not do everything, a library writing different error text."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from interopcheck import cli
from tests.functional.diff.conftest import Refclouds

WSGIApp = Callable

SECURITY = [("Strict-Transport-Security", "max-age=31536000"), ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"), ("Via", "1.1 proxy"),
            ("Set-Cookie", "SERVERID=node-2; path=/")]


def proxy(headers: Iterable[tuple[str, str]] = SECURITY) -> Callable[[WSGIApp], WSGIApp]:
    """A reverse proxy in front of the app, adding ``headers`` to every answer."""
    added = list(headers)

    def wrap(app: WSGIApp) -> WSGIApp:
        def proxied(environ: dict, start_response: Callable):
            def start(status: str, response_headers: list, exc_info=None):
                return start_response(status, [*response_headers, *added], exc_info)
            return app(environ, start)
        return proxied
    return wrap


def forbid(prefix: str, status: str = "403 Forbidden") -> Callable[[WSGIApp], WSGIApp]:
    """A role that may not call ``prefix`` (policy): 403 in the errors format."""

    def wrap(app: WSGIApp) -> WSGIApp:
        def policed(environ: dict, start_response: Callable):
            if not environ.get("PATH_INFO", "").startswith(prefix):
                return app(environ, start_response)
            body = json.dumps({"errors": [{"status": int(status[:3]), "title": "Forbidden",
                                           "detail": "Policy does not allow it."}]}).encode()
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(body)))])
            return [body]
        return policed
    return wrap


def diff(refclouds: Refclouds, *args: str, wrap_b: Callable | None = None
         ) -> tuple[int, str, str]:
    transports = {"A": refclouds.transport("a"), "B": refclouds.transport("b", wrap=wrap_b)}
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["diff", "http://cloud-a.example:8780", "http://cloud-b.example",
                     "--concurrency", "1", "--noise", "off", *args],
                    transports=transports, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "report.json").read_text())


def test_a_proxys_headers_are_deployment_causes_and_do_not_fail(refclouds: Refclouds,
                                                                tmp_path: Path) -> None:
    code, out, err = diff(refclouds, "--scenario", "root", "--scenario", "traits",
                          "--microversions", "1.0,1.6,1.39", "--report-dir", str(tmp_path),
                          "--format", "json", wrap_b=proxy())
    assert code == 0, out + err
    report = _report(tmp_path)
    findings = report["findings"]
    assert findings and {f["rule"] for f in findings} == {"DEPLOY001"}
    assert not any(f["breaks_clients"] or f["needs_version_bump"] for f in findings)
    assert {f["path"] for f in findings} == {
        "strict-transport-security", "x-frame-options", "x-content-type-options", "via",
        "set-cookie"}
    assert report["summary"]["failing"] == 0
    # --fail-on deployment makes them fail
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.0",
                          "--fail-on", "deployment", wrap_b=proxy())
    assert code == 1, out + err


def test_a_cookie_that_is_no_load_balancers_is_an_api_difference(refclouds: Refclouds,
                                                                 tmp_path: Path) -> None:
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.0",
                          "--report-dir", str(tmp_path), "--format", "json",
                          wrap_b=proxy([("Set-Cookie", "session=abc; HttpOnly")]))
    assert code == 1, out + err
    (rule,) = {f["rule"] for f in _report(tmp_path)["findings"]}
    assert rule == "INTEROP005"


def test_more_deployment_headers_can_be_named(refclouds: Refclouds, tmp_path: Path) -> None:
    wrap = proxy([("X-Backend-Node", "n2")])
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.0", wrap_b=wrap)
    assert code == 1, out + err
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.0",
                          "--deployment-header", "x-backend-*", wrap_b=wrap)
    assert code == 0, out + err


def test_a_refused_call_is_one_problem_per_cloud_not_findings(refclouds: Refclouds,
                                                              tmp_path: Path) -> None:
    code, out, _err = diff(refclouds, "--scenario", "traits", "--scenario", "root",
                          "--microversions", "1.6,1.39", "--report-dir", str(tmp_path),
                          "--format", "json", wrap_b=forbid("/traits"))
    report = _report(tmp_path)
    assert report["findings"] == [], out
    # one line for B, its refused teardown steps included
    (problem,) = report["problems"]
    assert problem["cloud"] == "B"
    assert "403" in problem["what"] and "token" in problem["what"]
    assert "--token-b" in problem["what_to_do"]
    assert "1.6, 1.39" in problem["where"]
    refused = [c for c in report["calls"] if c["skipped"] and "403" in c["skipped"]]
    assert refused and all(c["findings"] == 0 for c in refused)
    assert code == 2  # part of the run could not be compared


def test_fail_on_never_any_and_a_bad_value(refclouds: Refclouds) -> None:
    wrap = proxy([("X-Backend-Node", "n2")])
    args = ("--scenario", "root", "--microversions", "1.0")
    assert diff(refclouds, *args, "--fail-on", "never", wrap_b=wrap)[0] == 0
    assert diff(refclouds, *args, "--fail-on", "any", wrap_b=proxy())[0] == 1
    code, _out, err = diff(refclouds, *args, "--fail-on", "everything")
    assert code == 2
    assert err.count("\n") == 1 and "--fail-on" in err and "breaks-clients" in err


def test_reports_name_the_clouds(refclouds: Refclouds, tmp_path: Path) -> None:
    code, out, _ = diff(refclouds, "--scenario", "root", "--microversions", "1.0")
    assert code == 0
    assert "cloud-a.example:8780" in out and "cloud-b.example" in out
    code, out, _ = diff(refclouds, "--scenario", "root", "--microversions", "1.0",
                        "--name-a", "region-one", "--name-b", "staging", "--report-dir",
                        str(tmp_path), "--format", "json")
    report = _report(tmp_path)
    assert (report["cloud_a"]["name"], report["cloud_b"]["name"]) == ("region-one", "staging")
    assert "region-one" in out and "staging" in out


def test_a_declared_departure_is_named_in_the_report(refclouds: Refclouds,
                                                     tmp_path: Path) -> None:
    rules = tmp_path / "accept.yaml"
    rules.write_text("- header: x-backend-node\n  reason: our load balancer names the node\n")
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.0,1.39",
                          "--ignore-file", str(rules), "--report-dir", str(tmp_path),
                          "--format", "json", wrap_b=proxy([("X-Backend-Node", "n2")]))
    assert code == 0, out + err
    report = _report(tmp_path)
    assert report["findings"] == []
    (line,) = report["accepted"]
    assert "header:x-backend-node" in line and "our load balancer names the node" in line
    assert line.endswith("differences at 3 calls)")


def test_verbose_lists_every_finding_of_a_cause(refclouds: Refclouds) -> None:
    args = ("--scenario", "root", "--scenario", "traits", "--microversions", "1.6,1.39")
    code, out, _ = diff(refclouds, *args, wrap_b=proxy([("Via", "1.1 proxy")]))
    assert code == 0
    assert "... and " in out and out.count("- root / GET /: GET / @") == 1
    code, verbose, _ = diff(refclouds, *args, "--verbose", wrap_b=proxy([("Via", "1.1 proxy")]))
    assert code == 0
    assert "... and " not in verbose and verbose.count("- root / GET /: GET / @") == 2
