"""The wheel, installed the ways users install it: ``pip install --user`` and ``--target``.

Each install runs ``interopcheck demo`` (two refcloud processes started from the installed
package) and finds ``--profile placement`` from a directory far from the checkout, so the
bundled profiles come from the package data. The dependencies come from the test
environment's site-packages (``PYTHONPATH``, no ``.pth`` files read there, so the
checkout's editable install stays out of the way); the installs themselves are
``--no-deps --no-index`` into throwaway directories. Marker ``packaging`` (excluded by
default; ``python -m pytest -m packaging tests/packaging``): building and installing the
wheel takes half a minute or more.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
#: The interpreter the test environment was made from: ``--user`` is refused inside a venv.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (setuptools builds in the source tree:
    the copy keeps its build/ out of the checkout and stale files out of the wheel)."""
    source = tmp_path_factory.mktemp("source") / "interopcheck"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "*.db",
        "interopcheck-demo"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(source)], check=True, timeout=600)
    (found,) = out.glob("interopcheck-*.whl")
    return found


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "INTEROPCHECK"))}
    env.update(HOME=str(tmp / "home"), PYTHONPATH=sysconfig.get_paths()["purelib"], **extra)
    return env


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def _demo_and_profile(command: list[str], work: Path, env: dict[str, str]) -> None:
    where = _run([*command, "profile", "placement"], work, env)
    assert where.returncode == 0, where.stderr
    assert str(ROOT) not in where.stdout  # the installed copy, not the checkout's
    assert "profile 'placement' is valid" in where.stdout

    demo = _run([*command, "demo", "--microversions", "1.0,1.23", "--quiet", "--dir",
                 str(work / "demo")], work, env)
    assert demo.returncode == 1, demo.stdout + demo.stderr  # the default drift is found
    assert "Traceback" not in demo.stderr
    report = json.loads((work / "demo" / "report.json").read_text(encoding="utf-8"))
    assert report["problems"] == [] and report["findings"]


def test_pip_install_user(wheel: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, PYTHONUSERBASE=str(tmp_path / "userbase"))
    subprocess.run([BASE_PYTHON, "-m", "pip", "install", "-q", "--user", "--no-deps",
                    "--no-index", str(wheel)], env=env, check=True, timeout=300)
    script = tmp_path / "userbase" / "bin" / "interopcheck"
    assert script.is_file()
    (tmp_path / "work").mkdir()
    _demo_and_profile([str(script)], tmp_path / "work", env)


def test_pip_install_target(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    env = _env(tmp_path)
    subprocess.run([BASE_PYTHON, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], env=env, check=True, timeout=300)
    env["PYTHONPATH"] = os.pathsep.join((str(target), env["PYTHONPATH"]))
    (tmp_path / "work").mkdir()
    _demo_and_profile([BASE_PYTHON, "-m", "interopcheck"], tmp_path / "work", env)
