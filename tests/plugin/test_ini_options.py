"""The plugin's options as ini options: ``[tool.pytest.ini_options] interop_a = ...``."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import Refclouds


def _pyproject(pytester: pytest.Pytester, **options: str | list[str]) -> None:
    lines = ["[tool.pytest.ini_options]"]
    for name, value in options.items():
        if isinstance(value, list):
            lines.append(f"{name} = [{', '.join(repr(v) for v in value)}]")
        else:
            lines.append(f"{name} = {value!r}")
    pytester.makefile(".toml", pyproject="\n".join(lines) + "\n")


def _ids(result: pytest.RunResult) -> list[str]:
    return [line for line in result.stdout.lines if line.startswith("placement::")]


def test_ini_options_configure_the_plugin(pytester: pytest.Pytester,
                                          refclouds: Refclouds) -> None:
    _pyproject(pytester, interop_a=refclouds.a, interop_b=refclouds.b,
               interop_microversions="1.0,latest-common", interop_scenario=["root", "traits"])
    result = pytester.runpytest("--collect-only", "-q")
    assert _ids(result) == ["placement::root[1.0]", "placement::root[1.39]",
                            "placement::traits[1.39]"]


def test_the_command_line_wins_over_the_ini_file(pytester: pytest.Pytester,
                                                 refclouds: Refclouds) -> None:
    _pyproject(pytester, interop_a=refclouds.a, interop_b=refclouds.b,
               interop_microversions="1.0,latest-common", interop_scenario=["root"])
    result = pytester.runpytest("--collect-only", "-q", "--interop-microversions", "1.20")
    assert _ids(result) == ["placement::root[1.20]"]


def test_a_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    _pyproject(pytester, interop_cloud="http://127.0.0.1:1", interop_check_mode="lenient")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "interop_check_mode = 'lenient': choose one of strict, tolerant" in result.stderr.str()
    assert "Traceback" not in result.stderr.str()
