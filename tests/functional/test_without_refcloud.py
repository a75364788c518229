"""``pip install interopcheck`` without the ``refcloud`` extra: lint and diff work, the demo
says in one line what to install.

Every Python process of these runs (the command and the refcloud processes the demo
starts) gets a ``sitecustomize`` that makes refcloud's dependencies unimportable, as they
are when the extra is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interopcheck.launcher import start_refcloud

ROOT = Path(__file__).resolve().parents[2]
REFCLOUD_ONLY = ("webob", "sqlalchemy", "waitress", "microversion_parse", "os_traits",
                 "os_resource_classes")
BLOCKER = f'''
import sys

class _NotInstalled:
    """refcloud's dependencies, as without the refcloud extra."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {REFCLOUD_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
'''


@pytest.fixture
def without_extra(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _interopcheck(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interopcheck", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_blocker_works(without_extra: dict[str, str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import sqlalchemy"], env=without_extra,
                          capture_output=True, text=True, timeout=60, check=False)
    assert "No module named 'sqlalchemy'" in done.stderr


def test_lint_works_without_the_extra(without_extra: dict[str, str], tmp_path: Path) -> None:
    done = _interopcheck(without_extra, tmp_path, "lint",
                         str(ROOT / "reference-impl" / "refcloud" / "openapi.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "problem" in done.stdout


def test_diff_works_without_the_extra(without_extra: dict[str, str], tmp_path: Path) -> None:
    with start_refcloud(tmp_path / "cloud") as server:  # this environment has the extra
        done = _interopcheck(without_extra, tmp_path, "diff", server.url, server.url,
                             "--microversions", "1.0,1.39", "--scenario", "root", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No module named" not in done.stderr


def test_demo_says_what_to_install(without_extra: dict[str, str], tmp_path: Path) -> None:
    done = _interopcheck(without_extra, tmp_path, "demo", "--quiet")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("interopcheck demo: refcloud cannot start: module ")
    assert lines[0].endswith("is missing; install it with: pip install 'interopcheck[refcloud]'")
