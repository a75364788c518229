"""JUnit XML: one test case per finding (classname = rule); which severities are
``<failure>`` is configurable (``RenderOptions.junit_failures``)."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    failing = {s.value for s in options.junit_failures}
    by_file = defaultdict(list)
    for v in result.violations:
        by_file[v.location.file if v.location else result.spec].append(v)
    suites = ET.Element("testsuites", name="interopcheck lint")
    total_fail = 0
    for file in sorted(by_file) or [result.spec]:
        items = by_file.get(file, [])
        fails = sum(1 for v in items if v.severity.value in failing)
        total_fail += fails
        suite = ET.SubElement(suites, "testsuite", name=file, tests=str(max(len(items), 1)),
                              failures=str(fails), errors="0")
        if not items:
            ET.SubElement(suite, "testcase", classname="interopcheck", name="lint")
        for v in items:
            loc = v.location
            where = f"{file}:{loc.line}:{loc.column}" if loc else file
            case = ET.SubElement(suite, "testcase", classname=v.rule,
                                 name=f"{v.rule} {v.pointer or '/'}", file=file,
                                 line=str(loc.line if loc else 0))
            text = f"{where} {v.severity.value} {v.rule}: {v.message}\npointer: {v.pointer}"
            if v.severity.value in failing:
                f = ET.SubElement(case, "failure", message=v.message, type=v.severity.value)
                f.text = text
            else:
                ET.SubElement(case, "system-out").text = text
    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    suites.set("failures", str(total_fail))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") \
        + "\n"
