"""One option vocabulary (issue 20): ``record`` and ``capabilities`` take ``--os-cloud`` (and
``$OS_CLOUD``) as ``check`` does, and fail the same way, in one line with exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from interopcheck.cli import main
from tests.unit.cloudauth.test_cloud_options import clouds_yaml  # noqa: F401  (fixture)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


COMMANDS = {
    "check": ["check"],
    "record": ["record", "--out", "never-written.json"],
    "capabilities": ["capabilities"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_os_cloud_reaches_keystone_the_same_way(command: str, clouds_yaml: Path,  # noqa: F811
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run([*COMMANDS[command], "--os-cloud", "down"])
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--os-cloud down: cannot reach Keystone at http://127.0.0.1:" in err
    assert "pw-very-secret-1" not in out + err
    assert not (tmp_path / "never-written.json").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_os_cloud_from_the_environment(command: str, clouds_yaml: Path,  # noqa: F811
                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OS_CLOUD", "nosuch")
    code, _out, err = _run(COMMANDS[command])
    assert code == 2
    assert "--os-cloud nosuch: no cloud of that name" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_cloud_at_all_names_both_ways(command: str, clouds_yaml: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(COMMANDS[command])
    assert code == 2
    assert err.endswith("is missing: give the service URL or name a cloud of clouds.yaml "
                        "with --os-cloud\n"), err


def _spec(tmp_path: Path) -> str:
    spec = tmp_path / "api.yaml"
    spec.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n')
    return str(spec)


@pytest.mark.parametrize(("argv", "line"), [
    (["check", "http://127.0.0.1:9", "--disable", "NOPE"],
     "interopcheck: --disable: unknown rule 'NOPE' (interopcheck lint --list-rules lists them)"),
    (["check", "http://127.0.0.1:9", "--rule", "MV010,NOPE"],
     "interopcheck: --rule: unknown rule 'NOPE' (interopcheck lint --list-rules lists them)"),
    (["lint", "SPEC", "--rule", "NAME001,NOPE"],
     "interopcheck lint: --rule: unknown rule 'NOPE' (--list-rules lists them)"),
    (["breaking", "SPEC", "SPEC", "--rule", "NOPE"],
     "interopcheck breaking: --rule: unknown rule 'NOPE' (--list-rules lists them)"),
])
def test_an_unknown_rule_id_is_refused_everywhere(argv: list[str], line: str,
                                                  tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    code, out, err = _run([spec if a == "SPEC" else a for a in argv])
    assert (code, out, err) == (2, "", line + "\n")


def test_lint_rules_are_comma_separated_as_check_takes_them(tmp_path: Path) -> None:
    code, _out, err = _run(["lint", _spec(tmp_path), "--rule", "NAME001,OAS001"])
    assert (code, err) == (0, "")


@pytest.mark.parametrize("argv", [
    ["record", "http://127.0.0.1:9", "--out", "x.json", "--timeout", "0"],
    ["capabilities", "http://127.0.0.1:9", "--timeout", "-1"],
    ["check", "http://127.0.0.1:9", "--timeout", "0"],
    ["diff", "http://127.0.0.1:9", "http://127.0.0.1:9", "--timeout", "0"],
])
def test_a_timeout_that_is_not_positive_is_refused_everywhere(argv: list[str]) -> None:
    code, _out, err = _run(argv)
    assert (code, err) == (2, "interopcheck: --timeout must be a positive number of seconds\n")
