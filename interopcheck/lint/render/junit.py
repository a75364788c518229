"""JUnit XML: one test case per finding (classname = rule); which severities are
``<failure>`` is configurable (``RenderOptions.junit_failures``). The document is built by
the one JUnit writer, :mod:`interopcheck.render.junit_xml` (XML-unsafe characters in a
spec's keys or messages cannot break it)."""

from __future__ import annotations

from collections import defaultdict

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions
from interopcheck.render import junit_xml


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    failing = {s.value for s in options.junit_failures}
    by_file = defaultdict(list)
    for v in result.violations:
        by_file[v.location.file if v.location else result.spec].append(v)
    suites = junit_xml.root("interopcheck lint")
    total_fail = 0
    for file in sorted(by_file) or [result.spec]:
        items = by_file.get(file, [])
        fails = sum(1 for v in items if v.severity.value in failing)
        total_fail += fails
        suite = junit_xml.suite(suites, file, tests=max(len(items), 1), failures=fails,
                                errors=0)
        if not items:
            junit_xml.case(suite, "interopcheck", "lint")
        for v in items:
            loc = v.location
            where = f"{file}:{loc.line}:{loc.column}" if loc else file
            text = f"{where} {v.severity.value} {v.rule}: {v.message}\npointer: {v.pointer}"
            failed = v.severity.value in failing
            junit_xml.case(suite, v.rule, f"{v.rule} {v.pointer or '/'}", file=file,
                           line=loc.line if loc else 0,
                           outcome="failure" if failed else "system-out",
                           message=v.message if failed else None,
                           kind=v.severity.value if failed else None, text=text)
    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    suites.set("failures", str(total_fail))
    return junit_xml.document(suites, indent=False)
