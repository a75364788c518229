"""``interopcheck check`` as a new user meets it (issue 20): the common options, unknown rule
ids refused, counts that match what is listed, and one clear line when the URL is not the
service the profile expects. Against in-process refclouds and a plain HTML server."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable

import httpx
import pytest
import refcloud

from interopcheck.check.report import to_text
from interopcheck.check.run import CheckFinding, CheckResult
from interopcheck.cli import main
from interopcheck.findings import Severity
from interopcheck.microversion import parse

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def _main(app: WSGIApp, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "http://cloud", *argv], transports={"A": httpx.WSGITransport(app=app)},
                stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _html_server(environ: dict, start: Callable) -> Iterable[bytes]:
    start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<html><body><h1>It works!</h1></body></html>"]


@pytest.mark.parametrize("option", ["--disable", "--rule"])
def test_an_unknown_rule_id_is_refused_with_one_line(option: str) -> None:
    code, out, err = _main(refcloud.make_app(), option, "MV010,NOPE")
    assert code == 2
    assert err == ("interopcheck: " + option + ": unknown rule 'NOPE' (interopcheck lint "
                   "--list-rules lists them)\n")
    assert out == ""


def test_rule_selects_only_those_rules() -> None:
    code, out, _err = _main(refcloud.make_app(), "--scenario", "root", "--rule", "MV010",
                            "--format", "json")
    assert code == 1
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"MV010"}


def test_quiet_prints_the_verdicts_only() -> None:
    code, out, _err = _main(refcloud.make_app(), "--scenario", "root", "--quiet")
    assert code == 1
    assert "strict: FAILED" in out and "tolerant: passed" in out
    assert "error   MV010" not in out
    code, loud, _err = _main(refcloud.make_app(), "--scenario", "root")
    assert "error   MV010" in loud


def test_a_plain_html_server_is_one_clear_line() -> None:
    code, out, err = _main(_html_server)
    assert code == 2
    line = ("no placement service here: GET / answered 200 text/html, not a placement "
            "version document")
    assert err == f"interopcheck: version discovery: {line}\n"  # one line on stderr
    assert out.count(line) == 1  # and the report says it once
    assert "no version range" not in out + err


def test_placement_checked_with_the_compute_profile_says_no_compute_service() -> None:
    code, out, err = _main(refcloud.make_app(), "--profile", "compute")
    assert code == 2
    assert "no compute service here: GET /compute/ answered 401" in out
    assert "VD002" not in out + err


def test_the_problem_goes_to_stderr_when_the_report_does_not() -> None:
    code, _out, err = _main(_html_server, "--format", "json")
    assert code == 2
    assert err.startswith("interopcheck: version discovery: no placement service here: ")
    assert len(err.splitlines()) == 1


def _finding(rule: str, severity: str, message: str, where: str = "") -> CheckFinding:
    return CheckFinding(rule=rule, severity=Severity(severity), message=message, where=where,
                        origin="scenario", departure=None, description=f"{rule} description")


def _result(*findings: CheckFinding) -> CheckResult:
    result = CheckResult(cloud="http://cloud", profile="placement", fail_on=Severity.ERROR)
    result.findings = list(findings)
    result.min_version, result.max_version = parse("1.0"), parse("1.39")
    return result


def test_summary_counts_errors_and_warnings() -> None:
    result = _result(*[_finding("MV010", "error", f"e{i}") for i in range(4)],
                     *[_finding("VD007", "warning", f"w{i}") for i in range(2)])
    text = to_text(result)
    assert "strict: FAILED: 4 errors, 2 warnings (4 count with --fail-on error)" in text


def test_a_group_lists_what_it_counts_or_says_how_many_more() -> None:
    same = [_finding("ERR002", "error", "no links", f"call {i}") for i in range(6)]
    text = to_text(_result(*same))
    assert "[6 findings]" in text
    assert "- no links (6 times)" in text and "(and 5 more places)" in text
    many = [_finding("ERR002", "error", f"message {i}", f"call {i}") for i in range(6)]
    text = to_text(_result(*many))
    listed = re.findall(r"^        - ", text, flags=re.M)
    assert len(listed) == 3
    assert "... and 3 more (--format json lists all)" in text


def test_an_empty_message_is_printed_as_json() -> None:
    text = to_text(_result(_finding("ERR002", "error", "", "call x")))
    assert '- ""' in text
