"""JUnit XML for CI dashboards.

One ``<testsuite>`` per scenario and one ``<testcase>`` per compared call
(scenario x call x microversion, from ``Report.calls``). A call with findings gets a
``<failure>`` whose message and text are the findings as the terminal shows them, each
followed by the root cause it belongs to (its number among the report's causes, how
widely it was seen);
a skipped call gets ``<skipped>``. Problems (parts of the run that failed) are
``<error>``s in a last suite named ``(run problems)``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from interopcheck.causes import Cause
from interopcheck.findings import Finding
from interopcheck.render import junit_xml
from interopcheck.render._common import (
    causes,
    cloud_label,
    finding_lines,
    ordered_findings,
    plural,
    shorten,
)
from interopcheck.render.junit_xml import xml_text as _x
from interopcheck.report import CallResult, Report

__all__ = ["PROBLEMS_SUITE", "render"]

_MESSAGE_CHARS = 1000
#: Name of the suite that holds the run's problems as errors.
PROBLEMS_SUITE = "(run problems)"


def _seconds(start: str, end: str) -> str | None:
    try:
        delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return None
    return f"{max(delta.total_seconds(), 0.0):.3f}"


def _properties(parent: ET.Element, report: Report) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in (("profile", report.profile), ("service_type", report.service_type),
                        ("cloud_a", cloud_label(report.cloud_a)),
                        ("cloud_b", cloud_label(report.cloud_b))):
        ET.SubElement(props, "property", name=name, value=_x(value))


def _cause_line(number: int, total: int, cause: Cause) -> str:
    return (f"  cause {number} of {total}: {plural(len(cause.findings), 'finding')} in "
            f"{plural(cause.calls, 'call')} at microversions {cause.microversions}")


def _testcase(suite: ET.Element, report: Report, call: CallResult,
              findings: Sequence[Finding],
              cause_of: dict[tuple[str, str, str, str], tuple[int, Cause]],
              total: int) -> ET.Element:
    classname = f"{report.service_type}.{call.scenario}"
    name = f"{call.call} @ {call.microversion}"
    status = f"{call.method} {call.url} @ {call.microversion}: status A={call.status_a} " \
             f"B={call.status_b}"
    if findings:
        lines = [status]
        for f in findings:
            lines += finding_lines(f)
            number, cause = cause_of[(f.kind, f.path, f.a, f.b)]
            lines.append(_cause_line(number, total, cause))
        message = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: " + "; ".join(
            finding_lines(f)[0] for f in findings)
        return junit_xml.case(suite, classname, name, file=report.profile, outcome="failure",
                              message=shorten(message, _MESSAGE_CHARS),
                              kind="interopcheck.finding", text="\n".join(lines))
    if call.skipped:
        return junit_xml.case(suite, classname, name, file=report.profile, outcome="skipped",
                              message=call.skipped)
    return junit_xml.case(suite, classname, name, file=report.profile, outcome="system-out",
                          text=status)


def render(report: Report) -> str:
    """The report as a JUnit XML document (UTF-8, with an XML declaration)."""
    by_call: dict[tuple[str, str, str], list[Finding]] = {}
    for f in ordered_findings(report):
        by_call.setdefault((f.scenario, f.call, f.microversion), []).append(f)

    found_causes = causes(report)
    cause_of = {(c.kind, c.path, c.a, c.b): (number, c)
                for number, c in enumerate(found_causes, 1)}

    calls: list[CallResult] = list(report.calls)
    known = {(c.scenario, c.call, c.microversion) for c in calls}
    for (scenario, call, version), found in by_call.items():
        if (scenario, call, version) not in known:  # a finding without its call: still shown
            calls.append(CallResult(scenario, call, found[0].method, found[0].url, version,
                                    None, None, len(found)))

    root = junit_xml.root(f"{report.tool}: {report.profile}",
                          time=_seconds(report.started_at, report.finished_at))
    suites: dict[str, tuple[ET.Element, dict[str, int]]] = {}

    def suite_for(name: str) -> tuple[ET.Element, dict[str, int]]:
        if name not in suites:
            element = junit_xml.suite(root, name, timestamp=report.started_at)
            _properties(element, report)
            suites[name] = (element, dict.fromkeys(junit_xml.COUNTS, 0))
        return suites[name]

    for call in calls:
        found = by_call.get((call.scenario, call.call, call.microversion), [])
        element, tally = suite_for(call.scenario)
        _testcase(element, report, call, found, cause_of, len(found_causes))
        tally["tests"] += 1
        tally["failures"] += bool(found)
        tally["skipped"] += bool(call.skipped and not found)

    if report.problems:
        element, tally = suite_for(PROBLEMS_SUITE)
        for problem in report.problems:
            junit_xml.case(element, f"{report.service_type}.problems",
                           f"{problem.cloud}: {problem.where}", outcome="error",
                           message=shorten(problem.what, _MESSAGE_CHARS),
                           kind="interopcheck.problem", text=problem.line())
            tally["tests"] += 1
            tally["errors"] += 1

    totals = dict.fromkeys(junit_xml.COUNTS, 0)
    for element, tally in suites.values():
        junit_xml.count(element, tally)
        for key, value in tally.items():
            totals[key] += value
    junit_xml.count(root, totals)
    return junit_xml.document(root)
