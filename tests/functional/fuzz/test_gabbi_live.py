"""Placement's own gabbi files, real Placement (A) against refcloud (B), with ``diff --gabbi``.

Marked ``live``. The files are those ``run-gabbits.sh`` runs that need no special policy
(the lists of ``tests/functional/test_placement_gabbits.py``); before each file, on each
cloud, ``placement_gabbi_setup.py`` gives the cloud a fresh database (real Placement:
``start.sh`` with ``RP_FRESH=1``; refcloud: ``tests/gabbi/reset-refcloud.sh``) and the
file's fixture data. ``INTEROPCHECK_GABBI_FILES=glob,glob`` narrows the run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from interopcheck.diff_gabbi import diff_files
from tests.functional.test_placement_gabbits import CANDIDATE_FILES, CORE_FILES
from tests.support.shared import REPO, real_placement_tools

pytestmark = pytest.mark.live

SETUP = Path(__file__).with_name("placement_gabbi_setup.py")
_WANTED = os.environ.get("INTEROPCHECK_GABBI_FILES", "*").split(",")
FILES = [f for f in CORE_FILES + CANDIDATE_FILES if any(fnmatchcase(f, g) for g in _WANTED)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def setup_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tools = real_placement_tools()
    base = Path(os.environ.get("RP_BASE", "/tmp/realplacement"))
    install = subprocess.run([str(tools / "start.sh")], env=dict(os.environ, RP_INSTALL_ONLY="1"),
                             capture_output=True, text=True, timeout=900, check=False)
    if install.returncode != 0:
        pytest.fail(f"cannot install real Placement: {install.stderr[-800:]}", pytrace=False)
    gabbits = sorted(base.glob("venv/lib/python3*/site-packages/placement/tests/functional/"
                               "gabbits"))
    if not gabbits:
        pytest.fail(f"no Placement gabbi files under {base}/venv", pytrace=False)
    state = tmp_path_factory.mktemp("gabbi-live")
    port_a, port_b = _free_port(), _free_port()
    bindir = Path(sys.executable).parent
    env = {
        "GABBI_RESET_A": f"RP_FRESH=1 {tools / 'start.sh'} {port_a}",
        "GABBI_RESET_B": f"bash {REPO / 'tests' / 'gabbi' / 'reset-refcloud.sh'}",
        "REFCLOUD": str(bindir / "refcloud"), "REFCLOUD_STATE": str(state),
        "url_a": f"http://127.0.0.1:{port_a}", "url_b": f"http://127.0.0.1:{port_b}",
        "gabbits": str(gabbits[0]),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: v for k, v in env.items() if k.isupper()})
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        subprocess.run([str(tools / "stop.sh"), str(port_a)], capture_output=True, timeout=60,
                       check=False)
        pidfile = state / str(port_b) / "pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass


@pytest.mark.parametrize("name", FILES)
def test_placement_gabbit_real_placement_against_refcloud(setup_env: dict[str, str],
                                                          name: str) -> None:
    report = diff_files([str(Path(setup_env["gabbits"]) / name)], setup_env["url_a"],
                        setup_env["url_b"], setup=f"{sys.executable} {SETUP}", timeout=60)
    assert report.calls, name
    assert [p.line() for p in report.problems] == []
    assert [(f.call, f.kind, f.path, f.a, f.b) for f in report.findings] == []
