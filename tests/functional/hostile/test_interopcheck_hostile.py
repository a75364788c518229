"""interopcheck against hostile servers (issue 15): every call bounded in time and memory,
each exceeded cap one problem line, a partial report, no secret in anything written.

Default run: the caps call by call (``send_request`` against loopback servers) and the
token/``$ENV`` leaks through the command line in-process. ``-m hostile``: the whole
``interopcheck diff`` command as a subprocess against each hostile server, with its
wall time and peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import refcloud

from interopcheck import secrets
from interopcheck.cli import main
from interopcheck.profile.loader import load_profile
from interopcheck.profile.model import Section, Step
from interopcheck.profile.templates import Variables
from interopcheck.runner.call import send_request
from interopcheck.runner.clouds import Cloud
from tests.support.hostile_http import HostileServer

TOKEN = "s3cr3t-T0ken/with space+plus"
TIMEOUT = 3.0


@pytest.fixture(autouse=True)
def _fresh_secrets() -> Iterator[None]:
    secrets.clear()
    yield
    secrets.clear()


def _send(url: str, timeout: float = TIMEOUT, path: str = "/"):  # type: ignore[no-untyped-def]
    profile = load_profile("placement")
    cloud = Cloud(name="A", base_url=url, token=TOKEN, timeout=timeout, url_option="URL_A")
    step = Step(name="probe", section=Section.CALLS, index=0, method="GET", url=path)
    try:
        started = time.monotonic()
        outcome = send_request(cloud, profile, step, Variables(environ={}), None, "probe")
        return outcome, time.monotonic() - started
    finally:
        cloud.close()


@pytest.mark.parametrize(("mode", "words"), [
    ("trickle", "still arriving"),
    ("big", "larger than"),
    ("gzip-bomb", "decodes to more than"),
    ("chunked", "larger than"),
    ("deep", "nested deeper"),
])
def test_each_call_is_capped(mode: str, words: str) -> None:
    with HostileServer(mode) as url:
        outcome, elapsed = _send(url)
    assert outcome.issue is not None, outcome
    assert words in outcome.issue.what
    assert "\n" not in outcome.issue.what
    assert elapsed < 2 * TIMEOUT, f"{mode}: the call took {elapsed:.1f}s"


def test_answer_under_the_caps_is_read_whole(tmp_path: Path) -> None:
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'r.db'}"))
    profile = load_profile("placement")
    cloud = Cloud(name="A", base_url="http://refcloud", token="admin",
                  transport=httpx.WSGITransport(app=app))
    step = Step(name="root", section=Section.CALLS, index=0, method="GET", url="/")
    outcome = send_request(cloud, profile, step, Variables(environ={}), None, "root")
    assert outcome.issue is None and outcome.status == 200
    assert outcome.body["versions"][0]["max_version"].startswith("1.")


# --- the command line: partial reports, no secrets --------------------------------------------


def _written(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(directory.rglob("*"))
                     if p.is_file())


def _assert_no_secret(text: str, *values: str) -> None:
    for value in values:
        for form in (value, quote(value, safe=""), quote(value),
                     json.dumps(value)[1:-1], value.replace("/", "\\/")):
            assert form not in text, f"{form!r} leaked"


def _refcloud_b(tmp_path: Path) -> dict[str, httpx.BaseTransport]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'b.db'}"))
    return {"B": httpx.WSGITransport(app=app)}


def _run(argv: list[str], transports: dict[str, httpx.BaseTransport]) -> tuple[int, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(argv, transports=transports, stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("mode", ["echo-token", "redirect-token"])
def test_token_never_written_however_echoed(mode: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with HostileServer(mode) as url:
        code, printed = _run(["diff", url, "http://refcloud-b", "--token-a", TOKEN,
                              "--microversions", "1.39", "--scenario", "traits",
                              "--timeout", "5", "--report-dir", str(reports), "--quiet"],
                             _refcloud_b(tmp_path))
    assert code in (1, 2), printed
    assert (reports / "report.json").exists()
    _assert_no_secret(printed + _written(reports), TOKEN)
    assert "<redacted>" in printed + _written(reports)


PROFILE = """
profile: envleak
service: {type: placement, version_header: OpenStack-API-Version}
auth: {header: X-Auth-Token, default_token: admin}
discovery: {GET: /, min_version: body.versions.0.min_version,
            max_version: body.versions.0.max_version}
scenarios:
- name: leak
  versions: "1.0-"
  calls:
  - {name: list, GET: "/resource_providers?name=$ENV(H4_SECRET_KEY)"}
"""


def test_env_needs_allowing_and_is_scrubbed(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "AKIA-very/secret value"
    monkeypatch.setenv("H4_SECRET_KEY", secret)
    monkeypatch.delenv("INTEROPCHECK_ALLOW_ENV", raising=False)
    profile = tmp_path / "envleak.yaml"
    profile.write_text(PROFILE)
    with HostileServer("echo-token") as url:
        reports = tmp_path / "refused"
        code, printed = _run(["diff", url, "http://refcloud-b", "--profile", str(profile),
                              "--microversions", "1.39", "--report-dir", str(reports),
                              "--quiet"], _refcloud_b(tmp_path))
        assert "--allow-env H4_SECRET_KEY" in printed
        _assert_no_secret(printed + _written(reports), secret)
        reports = tmp_path / "allowed"
        code, printed = _run(["diff", url, "http://refcloud-b", "--profile", str(profile),
                              "--microversions", "1.39", "--report-dir", str(reports),
                              "--allow-env", "H4_SECRET_KEY", "--quiet"],
                             _refcloud_b(tmp_path / "second"))
    assert code in (0, 1), printed
    written = _written(reports)
    assert "$ENV(H4_SECRET_KEY)" not in printed  # it was expanded ...
    _assert_no_secret(printed + written, secret)  # ... and never written
    assert "<redacted>" in written


def test_absurd_version_document_is_one_problem_line(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with HostileServer("version") as url:
        code, printed = _run(["diff", url, "http://refcloud-b", "--report-dir", str(reports),
                              "--quiet"], _refcloud_b(tmp_path))
    assert code == 2, printed
    assert "internal error" not in printed
    report = json.loads((reports / "report.json").read_text())
    assert len(report["problems"]) == 1, report["problems"]
    assert len(json.dumps(report["problems"])) < 1000


def test_check_output_into_a_missing_directory_fails_before_the_run(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    code, printed = _run(["check", "http://127.0.0.1:9", "--output", str(target)], {})
    assert code == 2
    assert "does not exist" in printed and "internal error" not in printed
    assert printed.count("\n") == 1


def test_report_dir_that_cannot_be_written_fails_before_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    started = time.monotonic()
    code, printed = _run(["diff", "http://127.0.0.1:9", "http://127.0.0.1:9",
                          "--report-dir", str(blocker / "reports")], {})
    assert code == 2 and "--report-dir" in printed and "internal error" not in printed
    assert "connect" not in printed  # refused before any call
    assert time.monotonic() - started < 5


# --- the whole command against each hostile server (-m hostile) --------------------------------


@pytest.fixture(scope="module")
def refcloud_b(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.support.refcloud_proc import refcloud_process

    directory = tmp_path_factory.mktemp("refcloud-b")
    with refcloud_process(f"sqlite:///{directory / 'b.db'}", log_dir=directory) as rc:
        yield rc.url


@pytest.mark.hostile
@pytest.mark.parametrize("mode", ["trickle", "big", "gzip-bomb", "chunked", "deep", "version",
                                  "echo-token", "redirect-token"])
def test_diff_against_a_hostile_server(mode: str, refcloud_b: str, tmp_path: Path) -> None:
    timeout = 5
    reports = tmp_path / "reports"
    env = {**os.environ, "INTEROPCHECK_TOKEN_A": TOKEN}
    with HostileServer(mode) as url:
        started = time.monotonic()
        with open(tmp_path / "out.txt", "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "interopcheck", "diff", url, refcloud_b, "--timeout",
                 str(timeout), "--microversions", "1.39", "--scenario", "traits",
                 "--report-dir", str(reports)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
            _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        elapsed = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    printed = (tmp_path / "out.txt").read_text()
    peak_mb = usage.ru_maxrss / 1024
    print(f"{mode}: exit {code}, {elapsed:.1f}s, peak RSS {peak_mb:.0f} MB")
    assert code in (1, 2), printed
    assert "internal error" not in printed and "Traceback" not in printed
    report = json.loads((reports / "report.json").read_text())
    problems = [p for p in report["problems"] if p.get("cloud") == "A"]
    if mode not in ("echo-token",):
        assert len(problems) == 1, problems
    assert elapsed < 2 * timeout + 10  # one capped call on A, the rest is start-up and B
    assert peak_mb < 300
    _assert_no_secret(printed + _written(reports), TOKEN)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "deflate-raw", "identity"])
def test_compressed_answers_under_the_caps_are_decoded(coding: str) -> None:
    import gzip
    import zlib

    body = json.dumps({"versions": [{"id": "v1.0", "max_version": "1.39",
                                     "min_version": "1.0", "pad": "x" * 100_000}]}).encode()
    if coding == "gzip":
        sent = gzip.compress(body)
    elif coding == "deflate":
        sent = zlib.compress(body)
    elif coding == "deflate-raw":
        comp = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        sent = comp.compress(body) + comp.flush()
    else:
        sent = body
    header = coding.split("-")[0]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json",
                                            "content-encoding": header},
                              stream=httpx.ByteStream(sent))  # streamed, as from a socket

    profile = load_profile("placement")
    cloud = Cloud(name="A", base_url="http://mock", token=TOKEN,
                  transport=httpx.MockTransport(answer))
    step = Step(name="root", section=Section.CALLS, index=0, method="GET", url="/")
    outcome = send_request(cloud, profile, step, Variables(environ={}), None, "root")
    assert outcome.issue is None, outcome.issue
    assert outcome.body["versions"][0]["pad"] == "x" * 100_000


@pytest.mark.parametrize(("mode", "words"), [
    pytest.param("trickle", "still arriving", marks=pytest.mark.hostile),
    pytest.param("gzip-bomb", "decodes to more than", marks=pytest.mark.hostile),
    pytest.param("deep", "nested deeper", marks=pytest.mark.hostile),
    ("version", "not a version"),
])
def test_check_against_a_hostile_server(mode: str, words: str, tmp_path: Path) -> None:
    output = tmp_path / "check.json"
    started = time.monotonic()
    with HostileServer(mode) as url:
        code, printed = _run(["check", url, "--timeout", str(TIMEOUT), "--format", "json",
                              "--output", str(output), "--token", TOKEN], {})
    assert time.monotonic() - started < 2 * TIMEOUT * 3  # discovery, then at most 2 calls
    assert "internal error" not in printed and "Traceback" not in printed
    written = output.read_text() if output.exists() else ""
    _assert_no_secret(printed + written, TOKEN)
    assert code in (1, 2), printed
    if mode != "version":
        assert words in printed + written, printed
