"""Clouds that are down, slow, answer HTML or non-JSON, or redirect: one line per problem.

Each test runs ``interopcheck diff`` through :func:`interopcheck.cli.main` with cloud A an
in-process refcloud and cloud B broken in one way (an ``httpx.MockTransport``, or a closed
port). The run must end with exit code 2, one clear line per problem (what, where, what
to do) in the summary, the reports written for what could be compared, no traceback, and
the tokens nowhere.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from interopcheck import cli
from tests.functional.diff.conftest import Refclouds

TOKEN_A = "tok-A-7c1f0e9b2d"
TOKEN_B = "tok-B-51aa93c4e8"
ROOT = {"versions": [{"id": "v1.0", "min_version": "1.0", "max_version": "1.39",
                      "status": "CURRENT", "links": []}]}


def keystone_like(app: Callable, token: str) -> Callable:
    """Accept ``token`` as admin (like keystonemiddleware would) and echo it back."""

    def wrapped(environ: dict, start_response: Callable):
        sent = environ.get("HTTP_X_AUTH_TOKEN", "")
        if sent == token:
            environ["HTTP_X_AUTH_TOKEN"] = "admin"

        def echo(status: str, headers: list, exc_info=None):
            return start_response(status, [*headers, ("X-Echo-Token", sent)], exc_info)

        return app(environ, echo)

    return wrapped


def broken(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """Version discovery works; every other request gets ``answer``."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/", "") and "openstack-api-version" not in request.headers:
            return httpx.Response(200, json=ROOT)
        return answer(request)

    return httpx.MockTransport(handle)


def run(refclouds: Refclouds, tmp_path: Path, url_b: str,
        transport_b: httpx.BaseTransport | None, *extra: str) -> tuple[int, str, str, Path]:
    transports = {"A": httpx.WSGITransport(app=keystone_like(refclouds.app("a"), TOKEN_A))}
    if transport_b is not None:
        transports["B"] = transport_b
    out, err = io.StringIO(), io.StringIO()
    report_dir = tmp_path / "reports"
    code = cli.main(["diff", "http://cloud-a", url_b, "--token-a", TOKEN_A, "--token-b", TOKEN_B,
                     "--scenario", "root", "--scenario", "provider-lifecycle",
                     "--microversions", "1.19-1.20", "--timeout", "1", "--concurrency", "1",
                     "--report-dir", str(report_dir), "--quiet", *extra],
                    transports=transports, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue(), report_dir


def problem_lines(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lower().startswith("problems"))
    return [line.strip() for line in lines[start + 1:] if line.startswith("  ")]


def assert_clean(code: int, stdout: str, stderr: str, report_dir: Path) -> dict:
    assert code == 2
    assert "Traceback" not in stdout + stderr
    texts = [stdout, stderr]
    for path in report_dir.iterdir():
        texts.append(path.read_text())
    for text in texts:
        assert TOKEN_A not in text and TOKEN_B not in text
    assert {p.name for p in report_dir.iterdir()} >= {"report.json", "report.html"}
    return json.loads((report_dir / "report.json").read_text())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_cloud_that_is_down(refclouds: Refclouds, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, out, err, reports = run(refclouds, tmp_path, url, None)
    report = assert_clean(code, out, err, reports)
    lines = problem_lines(out)
    assert len(lines) == 1
    assert lines[0].startswith(f"B: version discovery (GET /): cannot connect to {url}")
    assert lines[0].endswith("(is the service running there? check URL_B)")
    assert report["cloud_a"]["max_version"] == "1.39" and report["calls"] == []


def test_a_slow_cloud(refclouds: Refclouds, tmp_path: Path) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    code, out, err, reports = run(refclouds, tmp_path, "http://cloud-b", broken(slow))
    report = assert_clean(code, out, err, reports)
    lines = problem_lines(out)
    assert len(lines) == 1, lines
    assert "no answer within 1s (the cloud is slow or hung: raise --timeout or check the " \
           "service; stopped calling B after 3 timeouts)" in lines[0]
    assert any(c["skipped"] for c in report["calls"])


@pytest.mark.parametrize(("answer", "expected"), [
    (httpx.Response(502, headers={"content-type": "text/html"},
                    text="<html><title>502 Bad Gateway</title><body>nginx</body></html>"),
     "answered 502 with an HTML page ('502 Bad Gateway') instead of JSON (a proxy, login page "
     "or web server answered: check that URL_B points at the API itself)"),
    (httpx.Response(200, headers={"content-type": "text/plain"}, text="OK"),
     "answered 200 with a text/plain body instead of JSON ('OK') (check that URL_B points at "
     "the API itself)"),
    (httpx.Response(500, headers={"content-type": "application/json"}, text="{'oops'"),
     "answered 500 with Content-Type application/json but the body is not valid JSON"),
    (httpx.Response(302, headers={"location": "https://login.example/sso?token=abc"}),
     "answered 302 redirect to https://login.example/sso (interopcheck does not follow "
     "redirects: give the final URL as URL_B)"),
])
def test_odd_answers(refclouds: Refclouds, tmp_path: Path, answer: httpx.Response,
                     expected: str) -> None:
    code, out, err, reports = run(refclouds, tmp_path, "http://cloud-b",
                                  broken(lambda request: answer))
    report = assert_clean(code, out, err, reports)
    lines = problem_lines(out)
    assert len(lines) == 1, lines
    assert lines[0].startswith("B: scenario '")
    assert expected in lines[0]
    assert report["summary"]["problems"] == 1


def test_an_html_page_instead_of_the_api(refclouds: Refclouds, tmp_path: Path) -> None:
    page = httpx.MockTransport(lambda r: httpx.Response(
        200, headers={"content-type": "text/html; charset=utf-8"},
        text="<!doctype html><title>Welcome to nginx!</title>"))
    code, out, err, reports = run(refclouds, tmp_path, "http://cloud-b", page)
    assert_clean(code, out, err, reports)
    assert problem_lines(out) == [
        "B: version discovery (GET /): answered 200 with an HTML page ('Welcome to nginx!') "
        "instead of JSON (a proxy, login page or web server answered: check that URL_B points "
        "at the API itself)"]


def test_a_transport_that_crashes_is_still_one_line(refclouds: Refclouds,
                                                    tmp_path: Path) -> None:
    def crash(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"proxy library bug with {request.headers.get('x-auth-token')}")

    code, out, err, reports = run(refclouds, tmp_path, "http://cloud-b", broken(crash))
    assert_clean(code, out, err, reports)
    lines = problem_lines(out)
    assert len(lines) == 1 and "the request failed unexpectedly: RuntimeError: proxy library " \
        "bug with <redacted>" in lines[0]


def test_tokens_never_appear_even_when_echoed(refclouds: Refclouds, tmp_path: Path) -> None:
    """B echoes its token in a header and in a body field that A lacks (a finding)."""
    app_b = keystone_like(refclouds.app("b"), TOKEN_B)

    def leaky(environ: dict, start_response: Callable):
        body = b"".join(app_b(environ, _capture := _Capture(start_response)))
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].count("/") == 2 \
                and environ["PATH_INFO"].startswith("/resource_providers/") \
                and _capture.status.startswith("200"):
            data = json.loads(body)
            data["debug"] = f"authenticated with {TOKEN_B}"
            body = json.dumps(data).encode()
        _capture.replay(len(body))
        return [body]

    code, out, err, reports = run(refclouds, tmp_path, "http://cloud-b",
                                  httpx.WSGITransport(app=leaky), "--format", "json,html,"
                                  "markdown,junit,text")
    assert code == 1, out + err
    report = json.loads((reports / "report.json").read_text())
    debug = [f for f in report["findings"] if f["path"] == "$.debug"]
    assert debug and all(f["microversion"] in ("1.19", "1.20") for f in debug)
    assert "<redacted>" in debug[0]["extra"]["response_b"]
    for text in [out, err, *(p.read_text() for p in reports.iterdir())]:
        assert TOKEN_A not in text and TOKEN_B not in text


class _Capture:
    """start_response that remembers the status/headers and replays them later."""

    def __init__(self, start_response: Callable) -> None:
        self.start_response = start_response
        self.status = ""
        self.headers: list = []

    def __call__(self, status: str, headers: list, exc_info=None):
        self.status, self.headers = status, headers
        return lambda data: None

    def replay(self, length: int) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        self.start_response(self.status, [*headers, ("Content-Length", str(length))])
