"""Without its options the plugin is registered but does nothing: no items, no cost."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import FAST

GUARD = '''
import socket
import subprocess

def _no_network(*args, **kwargs):
    raise AssertionError("the interopcheck plugin opened a connection without options")

def _no_process(*args, **kwargs):
    raise AssertionError("the interopcheck plugin started a process without options")

socket.socket.connect = _no_network
socket.create_connection = _no_network
subprocess.Popen.__init__ = _no_process
'''

PLAIN_TEST = '''
import sys

def test_plain(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("interopcheck")
    heavy = [m for m in ("interopcheck.diff", "interopcheck.runner.run",
                         "interopcheck.profile.loader", "interopcheck.pytest_plugin.state",
                         "interopcheck.pytest_plugin.items") if m in sys.modules]
    assert heavy == []
'''


def test_no_options_no_items_no_network_no_process(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(GUARD)
    pytester.makepyfile(test_plain=PLAIN_TEST)
    result = pytester.runpytest_subprocess(*FAST, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*collected 1 item", "test_plain.py::test_plain PASSED*"])
    assert "placement" not in result.stdout.str()
    result.stdout.fnmatch_lines(["plugins: *interopcheck-*"])  # registered, yet silent


def test_options_and_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    for option in ("--interop-a", "--interop-b", "--interop-cloud", "--interop-profile",
                   "--interop-microversions", "--interop-baseline", "--interop-report",
                   "--interop-token-a"):
        assert option in result.stdout.str()
    markers = pytester.runpytest("--markers").stdout.str()
    assert "@pytest.mark.interop_diff:" in markers
    assert "@pytest.mark.interop_guideline:" in markers


@pytest.mark.parametrize(("args", "message"), [
    (["--interop-a", "http://127.0.0.1:1"], "--interop-a needs --interop-b too"),
    (["--interop-a", "ftp://x", "--interop-b", "http://y"], "is not an http:// or https://"),
    (["--interop-a", "http://a", "--interop-b", "http://b", "--interop-microversions", "1.x"],
     "--interop-microversions: '1.x' is not a version"),
    (["--interop-cloud", "http://a", "--interop-profile", "nope"],
     "--interop-profile: profile 'nope' not found"),
    (["--interop-cloud", "http://a", "--interop-baseline", "missing.json"],
     "--interop-baseline: missing.json: cannot read the baseline"),
])
def test_bad_options_are_usage_errors(pytester: pytest.Pytester, args: list[str],
                                      message: str) -> None:
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str()
