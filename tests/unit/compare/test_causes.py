"""interopcheck.causes and classify: findings grouped into causes, layers and --fail-on."""

from __future__ import annotations

import pytest

from interopcheck.causes import (
    DEFAULT_FAIL_ON,
    compress_versions,
    fails,
    group_causes,
    layer_of,
    parse_fail_on,
)
from interopcheck.findings import Finding, classify


def finding(kind: str, path: str, a: str, b: str, *, scenario: str = "s", call: str = "c",
            microversion: str = "1.0", extra: dict[str, str] | None = None) -> Finding:
    v = classify(kind, path, a, b)
    return Finding(scenario=scenario, call=call, method="GET", url="/", microversion=microversion,
                   kind=kind, path=path, a=a, b=b, rule=v.rule, breaks_clients=v.breaks_clients,
                   needs_version_bump=v.needs_version_bump, severity=v.severity,
                   summary=v.summary, extra=extra or {})


def test_versions_compress_into_ranges() -> None:
    assert compress_versions(["1.2", "1.0", "1.1", "1.5", "1.10", "1.9", "none"]) == \
        "1.0-1.2, 1.5, 1.9-1.10, none"
    assert compress_versions([]) == ""


def test_one_cause_per_kind_path_and_pair_across_calls_scenarios_and_versions() -> None:
    header = [finding("header-extra", "x-frame-options", "(absent)", "DENY", scenario=s, call=c,
                      microversion=f"1.{m}")
              for s in ("a", "b") for c in ("x", "y") for m in range(14)]
    field = [finding("body-shape", "$.description", "(absent)", "str", microversion=v)
             for v in ("1.0", "1.1", "1.20")]
    other_pair = finding("body-shape", "$.description", "(absent)", "int")
    causes = group_causes([*header, *field, other_pair])
    assert len(causes) == 3
    api = [c for c in causes if c.layer == "api"]
    assert [len(c.findings) for c in api] == [3, 1]  # failing first, the bigger first
    deployment = next(c for c in causes if c.layer == "deployment")
    assert (deployment.calls, deployment.scenarios) == (4, ("a", "b"))
    assert deployment.microversions == "1.0-1.13"
    assert api[0].microversions == "1.0-1.1, 1.20"
    assert causes[-1] is deployment  # not failing: after the API causes
    assert len(deployment.examples(3)) == 3
    # examples show distinct calls first
    assert len({(f.scenario, f.call) for f in deployment.examples(4)}) == 4
    assert deployment.examples(-1) == deployment.findings
    assert deployment.key == group_causes(header)[0].key and len(deployment.key) == 12


def test_a_call_sending_no_version_counts_at_its_sweep_version() -> None:
    f = finding("status", "status", "200", "201", microversion="none",
                extra={"sweep_microversion": "1.7"})
    assert group_causes([f])[0].microversions == "1.7"


@pytest.mark.parametrize(("name", "a", "b"), [
    ("strict-transport-security", "(absent)", "max-age=1"),
    ("X-Frame-Options", "DENY", "(absent)"),
    ("via", "(absent)", "1.1 nginx"),
    ("x-forwarded-proto", "(absent)", "https"),
    ("alt-svc", "(absent)", "h3=\":443\""),
    ("server-timing", "(absent)", "db;dur=5"),
    ("set-cookie", "(absent)", "AWSALB=abc; Path=/"),
    ("set-cookie", "(absent)", "BIGipServerpool=123.456.0000; path=/"),
])
def test_headers_of_the_http_layer_are_deployment(name: str, a: str, b: str) -> None:
    kind = "header-extra" if a == "(absent)" else "header-missing"
    v = classify(kind, name, a, b)
    assert (v.rule, v.breaks_clients, v.needs_version_bump) == ("DEPLOY001", False, False)
    assert v.summary.startswith("deployment: no client break, no version bump")


def test_other_headers_and_other_cookies_stay_api_differences() -> None:
    assert classify("header-extra", "set-cookie", "(absent)", "session=1").rule == "INTEROP005"
    assert classify("header-extra", "x-openstack-thing", "(absent)", "1").rule == "INTEROP005"
    assert classify("header-extra", "x-backend", "(absent)", "1", ("x-back*",)).rule == \
        "DEPLOY001"


def test_message_text_is_information_only() -> None:
    f = finding("error-detail", "$.errors[0].detail", "No such provider", "Not found")
    assert layer_of(f) == "text" and not fails(f) and fails(f, ("text",))


@pytest.mark.parametrize(("a", "b"), [("null", "str"), ("(null | str)", "str"),
                                      ("str", "(null | str)"), ("null", "(nothing else)")])
def test_nullability_is_not_a_type_change(a: str, b: str) -> None:
    v = classify("body-shape", "$.parent_provider_uuid", a, b)
    assert (v.breaks_clients, v.needs_version_bump) == (False, False)


def test_a_real_type_change_still_breaks() -> None:
    v = classify("body-shape", "$.generation", "int", "str")
    assert (v.breaks_clients, v.needs_version_bump) == (True, True)


def test_fail_on() -> None:
    bump = finding("body-shape", "$.x", "(absent)", "str")  # needs a bump, breaks nobody
    deploy = finding("header-extra", "via", "(absent)", "1.1 x")
    nullable = finding("body-shape", "$.x", "null", "str")
    assert DEFAULT_FAIL_ON == ("breaks-clients", "needs-version-bump")
    assert fails(bump) and not fails(deploy) and not fails(nullable)
    assert not fails(bump, ("breaks-clients",))
    assert fails(deploy, ("deployment",)) and fails(nullable, ("info",))
    assert all(fails(f, ("any",)) for f in (bump, deploy, nullable))
    assert not any(fails(f, ("never", "any")) for f in (bump, deploy, nullable))
    assert parse_fail_on(" deployment, breaks-clients ") == ("deployment", "breaks-clients")
    with pytest.raises(ValueError, match="unknown --fail-on value wolf"):
        parse_fail_on("breaks-clients,wolf")
    with pytest.raises(ValueError):
        parse_fail_on(" , ")
