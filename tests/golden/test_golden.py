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

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.golden import runner
from tests.support.real_placement import real_placement as start_real_placement

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


@pytest.fixture(scope="session")
def real_placement() -> Iterator[str]:
    """A fresh real Placement (``tests.support.real_placement``), stopped at the end."""
    with start_real_placement() as url:
        yield url


@pytest.mark.live
@pytest.mark.parametrize("sequence", SEQUENCES, ids=IDS)
def test_golden_live(sequence: runner.Sequence, real_placement: str, tmp_path: Path) -> None:
    with httpx.Client(base_url=real_placement, timeout=30.0) as client:
        expected = runner.run_sequence(sequence, client)
    with _refcloud_client(tmp_path) as client:
        actual = runner.run_sequence(sequence, client)
    _check(sequence, expected, actual, ("live real Placement", "refcloud"))
