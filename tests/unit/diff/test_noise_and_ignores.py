"""The diff stages on synthetic runs: compare + ignore rules, noise cancellation, problems."""

from __future__ import annotations

from typing import Any

from interopcheck.compare import Exchange
from interopcheck.compare.structural import CompareOptions
from interopcheck.diff import (
    DEFAULT_IGNORED_HEADERS,
    DiffOptions,
    aggregate_issues,
    cancel_noise,
    compare_pair,
)
from interopcheck.microversion import parse
from interopcheck.profile import parse_ignore
from interopcheck.profile.loader import profile_from_document
from interopcheck.runner import CallRecord, Issue, RunPair, ScenarioRun

V = parse("1.20")
OPTIONS = CompareOptions(ignored_headers=DEFAULT_IGNORED_HEADERS)
PROFILE = profile_from_document({
    "profile": "t",
    "service": {"type": "placement", "version_header": "OpenStack-API-Version"},
    "discovery": {"GET": "/", "min_version": "body.min", "max_version": "body.max"},
    "ignore": ["header:x-vendor"],
    "scenarios": [{
        "name": "s",
        "ignore": ["$.scenario_noise"],
        "calls": [
            {"name": "one", "GET": "/one", "ignore": [{"path": "$.call_noise"}]},
            {"name": "two", "GET": "/two"},
        ],
    }],
})
SCENARIO = PROFILE.scenarios[0]
BASE_HEADERS = {"content-type": "application/json", "openstack-api-version": "placement 1.20",
                "vary": "openstack-api-version", "x-openstack-request-id": "req-1"}


def ex(body: Any = None, status: int = 200, **headers: str) -> Exchange:
    return Exchange.create(method="GET", url="/one", request_headers={}, status=status,
                           headers={**BASE_HEADERS, **headers}, body=body)


def pair(a: list[Exchange | None], b: list[Exchange | None], attempt: int = 0) -> RunPair:
    def run(cloud: str, exchanges: list[Exchange | None]) -> ScenarioRun:
        records = tuple(CallRecord(step, x, None if x else "down")
                        for step, x in zip(SCENARIO.calls, exchanges, strict=True))
        return ScenarioRun("s", V, cloud, attempt, records, ())
    return RunPair(SCENARIO, V, attempt, run("A", a), run("B", b))


def diffs(p: RunPair, options: DiffOptions | None = None):
    return compare_pair(p, PROFILE, options or DiffOptions(), OPTIONS, parse("1.39"))


def test_compare_pair_applies_every_level_of_ignore_rule() -> None:
    a = ex({"x": 1, "scenario_noise": 1, "call_noise": 1}, **{"x-vendor": "1"})
    b = ex({"x": "1", "user": 2})
    first, second = diffs(pair([a, a], [b, b]))
    assert [(d.kind, d.path) for d in first.differences] == [
        ("body-shape", "$.user"), ("body-shape", "$.x")]
    # the call-level rule only applies to call "one"
    assert ("body-shape", "$.call_noise") in [(d.kind, d.path) for d in second.differences]
    user = DiffOptions(ignores=(parse_ignore("/user"), parse_ignore({"path": "$.x",
                                                                     "call": "one"})))
    first, _ = diffs(pair([a, a], [b, b]), user)
    assert first.differences == ()


def test_a_missing_side_is_a_skipped_call() -> None:
    first, _ = diffs(pair([ex({}), None], [ex({}), ex({})]))
    _, second = diffs(pair([ex({}), None], [ex({}), ex({})]))
    assert first.skipped is None and second.skipped == "down"


def test_stable_differences_survive_the_second_run() -> None:
    a, b = ex({"x": 1}), ex({"x": "1"})
    calls, noise = cancel_noise(diffs(pair([a, a], [b, b])), pair([a, a], [b, b], 1), OPTIONS,
                                diffs(pair([a, a], [b, b], 1)))
    assert [d.path for d in calls[0].differences] == ["$.x"]
    assert noise == []


def test_what_varies_within_one_cloud_is_noise() -> None:
    a0, a1 = ex({"x": 1, "t": 1}), ex({"x": 1, "t": None})
    b_t = ex({"x": 1, "t": "now"})
    plain, noisy = ex({}), ex({}, **{"x-random": "1"})
    first = pair([a0, plain], [b_t, noisy])
    second = pair([a1, plain], [b_t, plain], 1)
    calls, noise = cancel_noise(diffs(first), second, OPTIONS, diffs(second))
    assert calls[0].differences == ()  # $.t varies on A: noise
    assert calls[1].differences == ()  # B sends x-random once, not the second time: noise
    assert "s|one|$.t" in noise
    assert "s|two|x-random" in noise


def test_a_status_that_varies_makes_the_whole_call_noise() -> None:
    first = pair([ex({"a": 1}), ex({})], [ex({"b": 1}, status=409), ex({})])
    second = pair([ex({"a": 1}), ex({})], [ex({"b": 1}, status=200), ex({})], 1)
    calls, _ = cancel_noise(diffs(first), second, OPTIONS, diffs(second))
    assert calls[0].differences == ()


def test_unconfirmable_differences_are_kept() -> None:
    first = pair([ex({"x": 1}), ex({})], [ex({"x": "1"}), ex({})])
    second = pair([None, ex({})], [ex({"x": "1"}), ex({})], 1)
    calls, _ = cancel_noise(diffs(first), second, OPTIONS, diffs(second))
    assert [d.path for d in calls[0].differences] == ["$.x"]


def test_problems_are_folded_one_line_per_cause() -> None:
    issues = [
        Issue("B", "timeout", f"scenario 's' call 'c{i}' at 1.{i}", "no answer within 5s", "x")
        for i in range(3)
    ] + [
        Issue("A", "setup", f"scenario 's' setup 'POST /x' at 1.{i}", "answered 404", "y")
        for i in (1, 2, 3, 7)
    ]
    problems = aggregate_issues(issues)
    assert [p.line() for p in problems] == [
        "B: scenario 's' call 'c0' at 1.0 (and 2 more calls): no answer within 5s (x)",
        "A: scenario 's' setup 'POST /x' at 1.1-1.3, 1.7: answered 404 (y)",
    ]
