"""Golden exchanges: refcloud must be structurally identical to real Placement.

``test_golden[<sequence>]`` replays one sequence of ``sequences.yaml`` against an
in-process refcloud on a fresh SQLite file and compares every step with the
recording made from real Placement (``recorded/<sequence>.json``, written by
``record.py``), using :func:`interopcheck.compare.compare`.

``test_golden_live[<sequence>]`` (marker ``live``, run with ``-m live``) runs the same
sequence against a real Placement started for the test session and against refcloud
side by side, and compares the two live runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.golden import runner
from tests.support.shared import real_placement_tools

SEQUENCES = runner.load_sequences()
IDS = [s.name for s in SEQUENCES]


def _refcloud_client(tmp_path: Path) -> httpx.Client:
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'x.db'}"))
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud")


def _check(sequence: runner.Sequence, expected: list, actual: list, names: tuple[str, str]) -> None:
    found = runner.compare_runs(sequence, expected, actual)
    if found:
        pytest.fail(runner.report(sequence, found, names), pytrace=False)


@pytest.mark.parametrize("sequence", SEQUENCES, ids=IDS)
def test_golden(sequence: runner.Sequence, tmp_path: Path) -> None:
    try:
        expected = runner.load_recording(sequence)
    except runner.RecordingError as exc:
        pytest.fail(str(exc), pytrace=False)
    with _refcloud_client(tmp_path) as client:
        actual = runner.run_sequence(sequence, client)
    _check(sequence, expected, actual, ("recorded real Placement", "refcloud"))


# ---- live: a real Placement started by this session ---------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def real_placement() -> Iterator[str]:
    """Start a fresh real Placement (shared/tools/real-placement) on a free port."""
    tools = real_placement_tools()
    start, stop = tools / "start.sh", tools / "stop.sh"
    if not start.exists():
        pytest.fail(f"cannot start real Placement: {start} not found (put the project's "
                    "shared/ folder beside the checkout or set INTEROPCHECK_SHARED)",
                    pytrace=False)
    port = _free_port()
    env = dict(os.environ, RP_FRESH="1")
    try:
        started = subprocess.run([str(start), str(port)], env=env, capture_output=True,
                                 text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot start real Placement with {start}: {exc}", pytrace=False)
    if started.returncode != 0:
        pytest.fail(f"cannot start real Placement with {start} {port} "
                    f"(exit {started.returncode}):\n{started.stderr[-1500:]}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(stop), str(port)], capture_output=True, text=True, timeout=60)
        # The instance directory this session created (start.sh's $RP_BASE/inst-PORT).
        instance = Path(os.environ.get("RP_BASE", "/tmp/realplacement")) / f"inst-{port}"
        if instance.is_dir() and not (instance / "server.pid").exists():
            shutil.rmtree(instance, ignore_errors=True)


@pytest.mark.live
@pytest.mark.parametrize("sequence", SEQUENCES, ids=IDS)
def test_golden_live(sequence: runner.Sequence, real_placement: str, tmp_path: Path) -> None:
    with httpx.Client(base_url=real_placement, timeout=30.0) as client:
        expected = runner.run_sequence(sequence, client)
    with _refcloud_client(tmp_path) as client:
        actual = runner.run_sequence(sequence, client)
    _check(sequence, expected, actual, ("live real Placement", "refcloud"))
