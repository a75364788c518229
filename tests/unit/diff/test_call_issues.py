"""One request against odd clouds: every failure is one Issue line, never an exception."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from interopcheck.microversion import parse
from interopcheck.profile.loader import profile_from_document
from interopcheck.profile.model import Poll, Section, Step
from interopcheck.profile.templates import Variables
from interopcheck.runner import Cloud
from interopcheck.runner.call import send
from interopcheck.runner.discovery import discover

TOKEN = "tok-3f9a7c51-secret"
PROFILE = profile_from_document({
    "profile": "t",
    "service": {"type": "placement", "version_header": "OpenStack-API-Version"},
    "auth": {"header": "X-Secret-Auth"},
    "discovery": {"GET": "/", "min_version": "body.versions.0.min_version",
                  "max_version": "body.versions.0.max_version"},
    "scenarios": [{"name": "s", "calls": [{"GET": "/x"}]}],
})
STEP = Step(name="GET /x", section=Section.CALLS, index=0, method="GET", url="/x/$uuid(a)")


def cloud(handler: Callable[[httpx.Request], httpx.Response]) -> Cloud:
    return Cloud("B", "http://cloud-b/placement", token=TOKEN,
                 transport=httpx.MockTransport(handler), timeout=2, url_option="URL_B",
                 token_option="--token-b")


def call(handler: Callable[[httpx.Request], httpx.Response], step: Step = STEP):
    c = cloud(handler)
    return c, send(c, PROFILE, step, Variables(), parse("1.20"), parse("1.39"), "call 'x' at 1.20")


def test_a_good_answer_is_a_symbolised_redacted_exchange() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"echo": request.headers["x-secret-auth"],
                                         "path": request.url.path})

    _, outcome = call(handler)
    request = seen[0]
    assert request.headers["openstack-api-version"] == "placement 1.20"
    assert request.url.path.startswith("/placement/x/")
    ex = outcome.exchange
    assert ex is not None and outcome.issue is None
    assert ex.url == "/x/$uuid(a)"
    assert ex.body == {"echo": "<redacted>", "path": "/placement/x/$uuid(a)"}
    assert dict(ex.request_headers)["x-secret-auth"] == "<redacted>"
    assert TOKEN not in repr(ex)


@pytest.mark.parametrize(("response", "category", "text"), [
    (httpx.Response(301, headers={"location": "https://cloud-b/placement/x?token=t"}),
     "redirect", "answered 301 redirect to https://cloud-b/placement/x (interopcheck does not "
     "follow redirects: give the final URL as URL_B)"),
    (httpx.Response(502, headers={"content-type": "text/html"},
                    text="<html><head><title>502 Bad Gateway</title></head></html>"),
     "html", "answered 502 with an HTML page ('502 Bad Gateway') instead of JSON"),
    (httpx.Response(200, headers={"content-type": "application/json"}, text="{not json"),
     "invalid-json", "answered 200 with Content-Type application/json but the body is not "
     "valid JSON"),
    (httpx.Response(503, headers={"content-type": "text/plain"}, text="Service Unavailable"),
     "not-json", "answered 503 with a text/plain body instead of JSON ('Service Unavailable')"),
    (httpx.Response(401, json={"error": "bad token"}),
     "auth", "answered 401: the token was rejected (give a valid token with --token-b)"),
])
def test_odd_answers_are_one_line_issues(response: httpx.Response, category: str,
                                         text: str) -> None:
    _c, outcome = call(lambda request: response)
    assert outcome.exchange is None and outcome.issue is not None
    assert outcome.issue.category == category
    line = outcome.issue.problem().line()
    assert text in line and "\n" not in line and TOKEN not in line
    assert line.startswith("B: call 'x' at 1.20: ")


def test_text_errors_asked_for_are_compared_not_issues() -> None:
    step = Step(name="x", section=Section.CALLS, index=0, method="GET", url="/x",
                headers={"accept": "text/html"})
    _, outcome = call(lambda r: httpx.Response(404, headers={"content-type": "text/html"},
                                               text="<html>404 Not Found</html>"), step)
    assert outcome.issue is None and outcome.exchange is not None
    _, outcome = call(lambda r: httpx.Response(400, headers={"content-type": "text/plain"},
                                               text="bad"))
    assert outcome.issue is None and outcome.exchange is not None


def test_timeouts_stop_calling_the_cloud_after_three() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    c = cloud(slow)
    issues = [send(c, PROFILE, STEP, Variables(), parse("1.2"), parse("1.39"), "w").issue
              for _ in range(3)]
    assert all(i is not None and i.category == "timeout" for i in issues)
    assert issues[0].what == "no answer within 2s"
    assert c.down is not None and "stopped calling B after 3 timeouts" in issues[2].what_to_do


def test_a_refused_connection_marks_the_cloud_down() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    c, outcome = call(refused)
    assert outcome.issue is not None and outcome.issue.category == "down"
    assert outcome.issue.problem().line() == (
        "B: call 'x' at 1.20: cannot connect to http://cloud-b/placement: [Errno 111] "
        "Connection refused (is the service running there? check URL_B)")
    assert c.down == "unreachable"


def test_discovery() -> None:
    root = {"versions": [{"min_version": "1.0", "max_version": "1.39"}]}
    info, issue = discover(PROFILE, cloud(lambda r: httpx.Response(200, json=root)))
    assert issue is None and info is not None and str(info.max_version) == "1.39"
    info, issue = discover(PROFILE, cloud(lambda r: httpx.Response(200, json={"x": 1})))
    assert info is None and issue is not None
    assert "the answer has no minimum version at body.versions.0.min_version" in issue.what
    info, issue = discover(PROFILE, cloud(lambda r: httpx.Response(404, json={})))
    assert issue is not None and issue.what == "answered 404"


def _polling_step(timeout: float) -> Step:
    return Step(name="GET /x", section=Section.CALLS, index=0, method="GET", url="/x",
                poll=Poll(until="body.status", values=("ACTIVE", "ERROR"), timeout=timeout,
                          interval=0.01))


def test_poll_repeats_until_the_value_settles_and_returns_the_last_answer() -> None:
    answers = iter(["BUILD", "BUILD", "ACTIVE", "DELETED"])
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        sent.append(status)
        return httpx.Response(200, json={"status": status})

    _, outcome = call(handler, _polling_step(timeout=5))
    assert sent == ["BUILD", "BUILD", "ACTIVE"]
    assert outcome.issue is None and outcome.exchange is not None
    assert outcome.exchange.body == {"status": "ACTIVE"}


def test_poll_that_never_settles_is_one_issue_line() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "BUILD"})

    _, outcome = call(handler, _polling_step(timeout=0.1))
    assert outcome.exchange is None and outcome.issue is not None
    assert outcome.issue.category == "poll-timeout"
    assert "body.status was 'BUILD', not one of ACTIVE, ERROR, after 0.1s" in outcome.issue.what


def test_poll_is_read_from_the_profile() -> None:
    profile = profile_from_document({
        "profile": "p",
        "service": {"type": "compute", "version_header": "OpenStack-API-Version"},
        "discovery": {"GET": "/", "min_version": "body.v.0.min",
                      "max_version": "body.v.0.max"},
        "scenarios": [{"name": "s", "calls": [
            {"GET": "/x", "poll": {"until": "status", "in": [200], "timeout": 3}}]}],
    })
    step = profile.scenarios[0].calls[0]
    assert step.poll == Poll(until="status", values=(200,), timeout=3.0, interval=0.2)
