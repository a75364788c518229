"""Reports built by hand for the renderer tests (unit and the headless-browser test)."""

from __future__ import annotations

from typing import Any

from interopcheck.findings import Finding, classify
from interopcheck.report import CallResult, CloudInfo, Problem, Report

__all__ = ["EVIL", "LONG", "call", "empty_report", "finding", "report", "sample_report"]

#: A value that would run script if a renderer forgot to escape it.
EVIL = '<script>document.title="pwned"</script><img src=x onerror=alert(1)> & "q" \'s\' | `t`'
#: A long single-line value.
LONG = "[" + ", ".join(f'{{"name": "CUSTOM_TRAIT_{i:04d}", "value": {i}}}'
                       for i in range(120)) + "]"


def finding(kind: str = "body-shape", path: str = "$.resource_providers[*].name",
            a: str = "string", b: str = "(absent)", *, scenario: str = "providers",
            call: str = "list providers", method: str = "GET", url: str = "/resource_providers",
            microversion: str = "1.14", **extra: Any) -> Finding:
    """A finding whose verdicts come from :func:`classify`, as the diff engine's would."""
    verdict = classify(kind, path, a, b)
    return Finding(scenario=scenario, call=call, method=method, url=url,
                   microversion=microversion, kind=kind, path=path, a=a, b=b,
                   rule=verdict.rule, breaks_clients=verdict.breaks_clients,
                   needs_version_bump=verdict.needs_version_bump, severity=verdict.severity,
                   summary=verdict.summary, extra={k: str(v) for k, v in extra.items()})


def call(scenario: str = "providers", name: str = "list providers", microversion: str = "1.14",
         *, method: str = "GET", url: str = "/resource_providers", status_a: int | None = 200,
         status_b: int | None = 200, findings: int = 0, skipped: str | None = None) -> CallResult:
    return CallResult(scenario, name, method, url, microversion, status_a, status_b, findings,
                      skipped)


def report(findings: tuple[Finding, ...] = (), calls: tuple[CallResult, ...] = (),
           problems: tuple[Problem, ...] = (), **kwargs: Any) -> Report:
    fields: dict[str, Any] = {
        "tool": "interopcheck diff",
        "profile": "placement",
        "service_type": "placement",
        "cloud_a": CloudInfo("refcloud-a", "http://127.0.0.1:8801", "1.0", "1.39"),
        "cloud_b": CloudInfo("refcloud-b (drift: missing-field)", "http://127.0.0.1:8802",
                             "1.0", "1.39"),
        "microversions": ("1.0", "1.2", "1.9", "1.10", "1.14", "1.39"),
        "started_at": "2024-05-01T10:00:00+00:00",
        "finished_at": "2024-05-01T10:00:12.500000+00:00",
        "findings": findings,
        "calls": calls,
        "problems": problems,
    }
    fields.update(kwargs)
    return Report(**fields)


def empty_report() -> Report:
    """A clean run: calls compared, nothing found."""
    return report(calls=(call(microversion="1.0"), call(microversion="1.39")))


def sample_report() -> Report:
    """Two scenarios, every kind, unicode, a long value, HTML specials, problems, a skip."""
    missing = [finding(microversion=v) for v in ("1.9", "1.10", "1.14")]
    findings = (
        *missing,
        finding("status", "status", "200", "404", scenario="traits", call="list traits",
                url="/traits", microversion="1.39"),
        finding("header-value", "content-type", "application/json",
                "application/json; charset=UTF-8", scenario="traits", call="list traits",
                url="/traits", microversion="1.39"),
        finding("header-extra", "x-drift", "(absent)", EVIL, scenario="traits",
                call="list traits", url="/traits", microversion="1.39"),
        finding("error-code", "errors[0].code", "placement.undefined_code",
                "placement.inventory.inuse", scenario="traits", call="delete trait",
                method="DELETE", url="/traits/CUSTOM_Ü", microversion="1.14",
                request_body="{}", note="Ünïcödé ✓ 中文"),
        finding("error-detail", "errors[0].detail", "Trait «CUSTOM_Ü» not found",
                "No such trait: CUSTOM_Ü", scenario="traits", call="delete trait",
                method="DELETE", url="/traits/CUSTOM_Ü", microversion="1.2"),
        finding("body-shape", "$.traits", LONG, "object", scenario="traits",
                call="list traits", url="/traits", microversion="1.10"),
    )
    calls = (
        call(microversion="1.9", findings=1), call(microversion="1.10", findings=1),
        call(microversion="1.14", findings=1), call(microversion="1.39"),
        call("traits", "list traits", "1.39", url="/traits", status_b=404, findings=3),
        call("traits", "list traits", "1.10", url="/traits", findings=1),
        call("traits", "list traits", "1.0", url="/traits", status_a=None, status_b=None,
             skipped="traits need microversion 1.6"),
        call("traits", "delete trait", "1.14", method="DELETE", url="/traits/CUSTOM_Ü",
             status_a=409, status_b=409, findings=1),
        call("traits", "delete trait", "1.2", method="DELETE", url="/traits/CUSTOM_Ü",
             status_a=404, status_b=404, findings=1),
    )
    problems = (
        Problem("refcloud-b (drift: missing-field)", "usages / GET /usages @ 1.9",
                "timed out after 10 s", "raise --timeout or check the cloud is up"),
        Problem("refcloud-a", "discovery / GET /",
                "answered text/html <title>502 Bad Gateway</title>",
                "check the URL points at the API, not a proxy page"),
    )
    baselined = (finding("header-extra", "x-openstack-request-id", "(absent)", "req-1"),)
    return report(findings, calls, problems, baselined=baselined,
                  noise=("$.resource_providers[*].generation",))
