"""``interopcheck diff`` end to end on in-process refclouds: exit codes, findings, noise,
ignore rules, baselines, reports, and one-line usage errors."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from interopcheck import cli
from tests.functional.diff.conftest import Refclouds

WSGIApp = Callable


def add_field(app: WSGIApp, since: int = 20) -> WSGIApp:
    """GET /resource_providers/{uuid} gains a "description" from 1.<since> (a drift)."""

    def drifted(environ: dict, start_response: Callable):
        version = environ.get("HTTP_OPENSTACK_API_VERSION", "")
        path = environ.get("PATH_INFO", "")
        minor = int(version.rsplit(".", 1)[1]) if version.startswith("placement 1.") else 0
        if not (environ["REQUEST_METHOD"] == "GET" and path.count("/") == 2
                and path.startswith("/resource_providers/") and minor >= since):
            return app(environ, start_response)
        captured: dict = {}

        def keep(status: str, headers: list, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(app(environ, keep))
        if captured["status"].startswith("200"):
            data = json.loads(body)
            data["description"] = "added by B"
            body = json.dumps(data).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return drifted


def flaky_header(app: WSGIApp) -> WSGIApp:
    """Every other versioned response carries X-Backend-Node (noise within one cloud)."""
    toggle = itertools.cycle([True, False])

    def noisy(environ: dict, start_response: Callable):
        if "HTTP_OPENSTACK_API_VERSION" not in environ:
            return app(environ, start_response)
        on = next(toggle)

        def maybe(status: str, headers: list, exc_info=None):
            extra = [("X-Backend-Node", "node-1")] if on else []
            return start_response(status, [*headers, *extra], exc_info)

        return app(environ, maybe)

    return noisy


def tiny_profile(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "profile: tiny\n"
        "service: {type: placement, version_header: OpenStack-API-Version}\n"
        "auth: {default_token: admin}\n"
        "discovery: {GET: /, min_version: body.versions.0.min_version,\n"
        "            max_version: body.versions.0.max_version}\n"
        "scenarios:\n"
        "- name: root\n"
        "  calls:\n"
        "  - {GET: /}\n")
    return path


def diff(refclouds: Refclouds, *args: str, wrap_b: Callable | None = None,
         populated: bool = False) -> tuple[int, str, str]:
    transports = {"A": refclouds.transport("a", populated=populated),
                  "B": refclouds.transport("b", wrap=wrap_b)}
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["diff", "http://cloud-a", "http://cloud-b", "--concurrency", "1", *args],
                    transports=transports, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_identical_clouds_exit_0(refclouds: Refclouds) -> None:
    code, out, err = diff(refclouds, "--scenario", "provider-*", "--scenario", "aggregates",
                          "--microversions", "latest-common")
    assert code == 0, out + err
    assert "0 findings" in out
    assert "Traceback" not in err


def test_a_difference_is_reported_with_its_versions_and_exit_1(refclouds: Refclouds,
                                                               tmp_path: Path) -> None:
    code, out, err = diff(refclouds, "--scenario", "provider-lifecycle",
                          "--microversions", "1.18-1.22", "--report-dir", str(tmp_path),
                          wrap_b=add_field)
    assert code == 1, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    found = {(f["call"], f["microversion"], f["kind"], f["path"]) for f in report["findings"]}
    assert found == {(call, f"1.{m}", "body-shape", "$.description")
                     for call in ("show",) for m in (20, 21, 22)}
    finding = report["findings"][0]
    assert finding["rule"] == "INTEROP007"
    assert finding["breaks_clients"] is False and finding["needs_version_bump"] is True
    assert finding["a"] == "(absent)" and finding["b"] == "str"
    assert json.loads(finding["extra"]["response_b"])["body"]["description"] == "added by B"
    assert finding["url"] == "/resource_providers/$uuid(rp)"


def test_ignore_rules_and_baselines(refclouds: Refclouds, tmp_path: Path) -> None:
    args = ("--scenario", "provider-lifecycle", "--microversions", "1.20-1.21")
    code, out, _ = diff(refclouds, *args, "--ignore", "/description", wrap_b=add_field)
    assert code == 0, out
    baseline = tmp_path / "baseline.json"
    code, _, err = diff(refclouds, *args, "--write-baseline", str(baseline), wrap_b=add_field)
    assert code == 1
    assert f"baseline {baseline} written: 2 accepted findings" in err
    code, out, _ = diff(refclouds, *args, "--baseline", str(baseline), wrap_b=add_field)
    assert code == 0, out
    code, _, err = diff(refclouds, *args, "--baseline", str(baseline), "--write-baseline",
                        str(baseline))
    assert code == 0 and "2 entries no longer seen were dropped" in err
    assert json.loads(baseline.read_text())["accepted"] == []


def test_noise_within_one_cloud_is_not_a_finding(refclouds: Refclouds,
                                                 tmp_path: Path) -> None:
    profile = str(tiny_profile(tmp_path))
    args = ("--profile", profile, "--microversions", "1.0-1.3", "--report-dir", str(tmp_path),
            "--format", "json")
    code, out, err = diff(refclouds, *args, wrap_b=flaky_header)
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["noise"] == ["root|GET /|x-backend-node"]
    code, out, _ = diff(refclouds, *args, "--noise", "off", wrap_b=flaky_header)
    assert code == 1


def test_unservable_versions_are_a_problem(refclouds: Refclouds) -> None:
    code, out, _ = diff(refclouds, "--scenario", "root", "--microversions", "1.39,1.45")
    assert code == 2
    assert "--microversions: 1.45 not served by both clouds (common: 1.0-1.39)" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdf"], "interopcheck: unknown format 'pdf' (available: "),
    (["--microversions", "1.x"], "interopcheck: --microversions: '1.x' is not a version"),
    (["--profile", "nosuch"], "interopcheck: profile 'nosuch' not found"),
    (["--ignore", "links"], "interopcheck: --ignore: ignore 'links': expected a JSONPath"),
    (["--baseline", "/nonexistent/b.json"], "interopcheck: /nonexistent/b.json: cannot read"),
    (["--timeout", "0"], "interopcheck: --timeout must be a positive number"),
])
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["diff", "http://a", "http://b", *args], stdout=out, stderr=err)
    assert code == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert out.getvalue() == ""


def test_a_url_that_is_not_http() -> None:
    err = io.StringIO()
    assert cli.main(["diff", "ftp://a", "http://b", "--quiet"], stderr=err) == 2
    assert err.getvalue() == "interopcheck: URL_A: 'ftp://a' is not an http:// or https:// URL\n"


def test_profile_command(tmp_path: Path) -> None:
    out = io.StringIO()
    assert cli.main(["profile", "placement", "--list"], stdout=out) == 0
    assert "profile 'placement' is valid" in out.getvalue()
    assert "allocation-candidates" in out.getvalue()
    broken = tmp_path / "broken.yaml"
    broken.write_text(tiny_profile(tmp_path).read_text().replace("GET: /}", "GETT: /}"))
    err = io.StringIO()
    assert cli.main(["profile", str(broken)], stderr=err) == 2
    assert f"{broken}: scenario 'root' calls[0]: unknown key 'GETT'" in err.getvalue()


def test_progress_goes_to_stderr(refclouds: Refclouds) -> None:
    code, out, err = diff(refclouds, "--scenario", "root", "--microversions", "1.38-1.39")
    assert code == 0
    assert "interopcheck: placement: 2 scenario runs on A and B" in err
    assert "[2/2] root @ 1.39" in err and "[2/2]" not in out


def max_version(app: WSGIApp, maximum: str) -> WSGIApp:
    """The root document claims ``maximum`` as the highest version (an older release)."""

    def older(environ: dict, start_response: Callable):
        if environ.get("PATH_INFO") not in ("", "/"):
            return app(environ, start_response)
        captured: dict = {}

        def keep(status: str, headers: list, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None

        data = json.loads(b"".join(app(environ, keep)))
        data["versions"][0]["max_version"] = maximum
        body = json.dumps(data).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return older


def test_scenarios_pinned_outside_the_common_range_are_skipped(refclouds: Refclouds,
                                                               tmp_path: Path) -> None:
    code, out, err = diff(refclouds, "--scenario", "inventory-in-use", "--scenario", "root",
                          "--report-dir", str(tmp_path), "--format", "json",
                          wrap_b=lambda app: max_version(app, "1.30"))
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["microversions"][-1] == "1.30"
    skipped = {c["skipped"] for c in report["calls"] if c["scenario"] == "inventory-in-use"}
    assert skipped == {"the scenario needs microversion 1.38, outside the common range "
                       "1.0-1.30"}
    assert all(c["skipped"] is None for c in report["calls"] if c["scenario"] == "root")
