"""A diff report, a check result and a lint result built by hand (no cloud, no rule
engine, no verdict logic): what the renderer tests render."""

from __future__ import annotations

import dataclasses

from interopcheck.check.run import CheckFinding, CheckResult
from interopcheck.findings import Finding, Severity
from interopcheck.lint.engine import LintResult
from interopcheck.microversion import parse
from interopcheck.report import Report
from interopcheck.rules.registry import Violation
from interopcheck.rules.targets import Location
from interopcheck.runner.call import Issue
from tests.support.reports import sample_report

__all__ = ["sample_check_result", "sample_diff_report", "sample_lint_result"]

#: Fixed verdicts per kind (rule, breaks clients, needs a version bump, severity), so that
#: these samples do not follow changes of :func:`interopcheck.findings.classify`.
_VERDICTS = {
    "status": ("INTEROP004", True, True, Severity.ERROR),
    "header-value": ("INTEROP006", True, True, Severity.ERROR),
    "header-extra": ("INTEROP005", False, True, Severity.ERROR),
    "error-code": ("ERR011", True, True, Severity.ERROR),
    "error-detail": ("ERR004", False, False, Severity.INFO),
    "body-shape": ("INTEROP007", True, True, Severity.ERROR),
}


def _fixed(f: Finding) -> Finding:
    rule, breaks, bump, severity = _VERDICTS[f.kind]
    return dataclasses.replace(f, rule=rule, breaks_clients=breaks, needs_version_bump=bump,
                               severity=severity, summary=f"{f.kind} differs at {f.path}")


def sample_diff_report() -> Report:
    """:func:`tests.support.reports.sample_report` with fixed verdicts."""
    report = sample_report()
    return dataclasses.replace(report, findings=tuple(_fixed(f) for f in report.findings),
                               baselined=tuple(_fixed(f) for f in report.baselined))


def sample_check_result() -> CheckResult:
    """Strict-failing, tolerant-passing findings, a repeated rule, a problem."""
    findings = [
        CheckFinding("MV010", Severity.ERROR, "no OpenStack-API-Version echo on a 400",
                     "GET / @ 0.9", "probe", "microversion-parse-errors",
                     "answers echo the version", "https://example.org/mv"),
        CheckFinding("ERR002", Severity.WARNING, "error object without links",
                     "GET /resource_providers/x @ 1.0", "scenario", "placement-error-links",
                     "error objects carry links", "https://example.org/err"),
        *(CheckFinding("CACHE001", Severity.ERROR, f"no Cache-Control on GET {p}",
                       f"GET {p} @ 1.14", "scenario", None, "GET answers say how to cache",
                       "https://example.org/cache") for p in ("/traits", "/usages",
                                                              "/resource_classes", "/x", "/y")),
        CheckFinding("NAME004", Severity.INFO, "field 'imageRef' is camelCase",
                     "GET /servers @ 1.1", "scenario", None, "", ""),
    ]
    issues = [Issue("cloud", "timeout", "usages / GET /usages @ 1.9", "timed out after 10 s",
                    "raise --timeout")]
    return CheckResult(cloud="http://127.0.0.1:8801", profile="placement",
                       min_version=parse("1.0"), max_version=parse("1.39"),
                       versions=[parse("1.0"), parse("1.39")], findings=findings, issues=issues,
                       calls=42, probes=19)


def sample_lint_result(pointer_extra: str = "") -> LintResult:
    """Findings in two files, every severity, one with microversions; ``pointer_extra`` is
    added to one pointer (a spec key can hold anything, even ``\\x01``)."""
    def v(rule: str, severity: Severity, message: str, pointer: str, file: str, line: int,
          **extra: str) -> Violation:
        return Violation(rule, severity, message, pointer,
                         location=Location(file, pointer, line, 5), extra=dict(extra))

    violations = [
        v("NAME003", Severity.ERROR, "path segment 'resource_providers' uses '_'",
          "/paths/~1resource_providers" + pointer_extra, "openapi.yaml", 12),
        v("CACHE001", Severity.WARNING, "GET answer without Cache-Control <&>",
          "/paths/~1traits/get/responses/200", "openapi.yaml", 40, microversions="1.0-1.14"),
        v("RES004", Severity.INFO, "single resources are 'bare'", "/paths", "openapi.yaml", 3),
        v("TIME001", Severity.ERROR, "created_at is not ISO 8601 \"quoted\"",
          "/components/schemas/Provider/properties/created_at", "schemas/provider.yaml", 7),
    ]
    return LintResult("openapi.yaml", violations, suppressed=2,
                      files=["openapi.yaml", "schemas/provider.yaml"])
