"""interopcheck.render.junit: JUnit XML, one suite per scenario, one case per call x version."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from interopcheck.render import junit
from interopcheck.report import Problem
from tests.support.reports import EVIL, call, empty_report, finding, report, sample_report


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def counts(el: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(el.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped"))  # type: ignore[return-value]


def test_suites_cases_failures_errors() -> None:
    root = parse(junit.render(sample_report()))
    assert root.tag == "testsuites"
    assert counts(root) == (11, 7, 2, 1)
    assert root.get("time") == "12.500"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["providers", "traits", junit.PROBLEMS_SUITE]
    assert counts(suites["providers"]) == (4, 3, 0, 0)
    assert counts(suites["traits"]) == (5, 4, 0, 1)
    assert counts(suites[junit.PROBLEMS_SUITE]) == (2, 0, 2, 0)
    for suite in suites.values():  # the counts agree with the children
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests", "0"))
        assert sum(len(c.findall("failure")) for c in cases) == int(suite.get("failures", "0"))
        assert sum(len(c.findall("error")) for c in cases) == int(suite.get("errors", "0"))
        assert sum(len(c.findall("skipped")) for c in cases) == int(suite.get("skipped", "0"))


def test_failure_message_is_the_findings_as_the_terminal_shows_them() -> None:
    root = parse(junit.render(sample_report()))
    case = root.find("testsuite[@name='traits']/testcase[@name='list traits @ 1.39']")
    assert case is not None
    assert case.get("classname") == "placement.traits"
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert message.startswith("3 findings: status at status: A sent 200 | B sent 404; ")
    assert EVIL in message  # escaped in the file, intact once parsed
    text = failure.text or ""
    assert text.splitlines()[0] == "GET /traits @ 1.39: status A=200 B=404"
    assert "  breaks clients: yes · needs version bump: yes · INTEROP003 error" in text
    assert "response header 'x-drift' sent by B is not sent by A" in text


def test_clean_and_skipped_calls() -> None:
    root = parse(junit.render(sample_report()))
    clean = root.find("testsuite/testcase[@name='list providers @ 1.39']")
    assert clean is not None and not clean.findall("failure")
    skipped = root.find("testsuite/testcase[@name='list traits @ 1.0']/skipped")
    assert skipped is not None and skipped.get("message") == "traits need microversion 1.6"


def test_problems_are_errors() -> None:
    root = parse(junit.render(sample_report()))
    errors = root.findall(f"testsuite[@name='{junit.PROBLEMS_SUITE}']/testcase/error")
    assert [e.get("message") for e in errors] == [
        "timed out after 10 s", "answered text/html <title>502 Bad Gateway</title>"]
    assert errors[1].text == ("refcloud-a: discovery / GET /: answered text/html <title>502 Bad "
                              "Gateway</title> (check the URL points at the API, not a proxy page)")


def test_empty_report() -> None:
    root = parse(junit.render(empty_report()))
    assert counts(root) == (2, 0, 0, 0)
    assert not root.findall(".//failure")
    bare = parse(junit.render(report()))
    assert counts(bare) == (0, 0, 0, 0) and not bare.findall("testsuite")


def test_characters_xml_cannot_carry_are_replaced() -> None:
    f = finding("header-value", "x-ctl", "a\x00b\x1bc", "\ud800 é ✓", microversion="1.2")
    root = parse(junit.render(report((f,), (call(microversion="1.2", findings=1),))))
    failure = root.find(".//failure")
    assert failure is not None
    assert "a\ufffdb\ufffdc" in (failure.text or "")
    assert "\ufffd é ✓" in (failure.text or "")


def test_a_finding_without_its_call_still_fails_a_case() -> None:
    f = finding(scenario="orphan", call="lost", microversion="1.3")
    root = parse(junit.render(report((f,), (call(),))))
    case = root.find("testsuite[@name='orphan']/testcase[@name='lost @ 1.3']")
    assert case is not None and case.find("failure") is not None
    assert counts(root) == (2, 1, 0, 0)


def test_problems_without_calls() -> None:
    problem = Problem("b", "discovery", "connection refused", "start it")
    root = parse(junit.render(report(problems=(problem,))))
    assert counts(root) == (1, 0, 1, 0)
