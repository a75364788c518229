"""``interopcheck demo`` end to end: two refcloud processes, the diff, four reports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

#: A few versions keep the test quick; the drift shows at 1.0 (extra-url) and 1.23 (error-code).
VERSIONS = "1.0,1.22,1.23"


def _demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interopcheck.demo", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def test_demo_runs_two_clouds_and_writes_the_reports(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--microversions", VERSIONS, "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    folder = tmp_path / "interopcheck-demo"
    reports = [folder / f"report.{ext}" for ext in ("html", "json", "md", "xml")]
    for path in reports:
        assert path.is_file() and path.stat().st_size > 0, path
        assert str(path.relative_to(tmp_path)) in result.stdout  # says where
    assert "findings" in result.stdout  # the terminal summary

    report = json.loads((folder / "report.json").read_text())
    assert report["problems"] == []
    assert report["microversions"] == VERSIONS.split(",")
    found = {(f["scenario"], f["call"], f["microversion"], f["kind"], f["path"])
             for f in report["findings"]}
    assert ("aggregates", "list none", "1.0", "status", "status") in found  # extra-url
    assert ("provider-create-variants", "duplicate name", "1.23", "error-code",
            "$.errors[0].code") in found  # error-code
    assert {f["scenario"] for f in report["findings"]} == {"aggregates",
                                                           "provider-create-variants"}
    assert {f["microversion"] for f in report["findings"]} == {"1.0", "1.23"}

    # both servers are gone
    urls = re.findall(r"cloud [AB]: (http://\S+)", result.stdout)
    assert len(urls) == 2
    for url in urls:
        with pytest.raises(httpx.TransportError):
            httpx.get(url, timeout=2)


def test_demo_rejects_an_unknown_drift(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--drift", "nope")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("interopcheck demo: unknown drift mode 'nope'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_interopcheck_demo_subcommand_is_wired() -> None:
    exe = shutil.which("interopcheck") or str(Path(sys.executable).parent / "interopcheck")
    result = subprocess.run([exe, "demo", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "--drift" in result.stdout
