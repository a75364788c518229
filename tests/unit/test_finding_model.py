"""Diff, check and lint findings share one shape (:class:`interopcheck.findings.AnyFinding`)."""

from __future__ import annotations

from interopcheck.findings import AnyFinding, Severity
from tests.support.reports import finding
from tests.support.result_samples import sample_check_result, sample_lint_result


def test_every_kind_of_finding_has_the_common_fields() -> None:
    diff = finding(microversion="1.14")
    check = sample_check_result().findings[0]
    lint = sample_lint_result().violations[1]
    for found in (diff, check, lint):
        assert isinstance(found, AnyFinding)
        assert isinstance(found.severity, Severity) and found.rule and found.message
    assert diff.where == "GET /resource_providers @ 1.14: $.resource_providers[*].name"
    assert diff.message == diff.summary
    assert check.where == "GET / @ 0.9"
    assert check.extra == {"origin": "probe", "departure": "microversion-parse-errors",
                           "description": "answers echo the version",
                           "guideline": "https://example.org/mv"}
    assert lint.where == "openapi.yaml:40:5 /paths/~1traits/get/responses/200"
    assert lint.extra == {"microversions": "1.0-1.14"}
