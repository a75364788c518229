"""Instructions executed per allocation-candidates query, counted by valgrind.

Wall-clock time on a shared virtual machine moves by tens of percent from one minute to
the next; the number of machine instructions a query executes does not. This module runs
refcloud in-process under ``valgrind --tool=cachegrind --cache-sim=no`` twice per dataset
(one warm-up query plus 1, then plus 3 timed queries) and takes half the difference: the
instructions of one query, start-up and first-call work excluded. Their growth between
dataset sizes is the work growth, free of memory-hierarchy and neighbour noise.

Run as a script it is the child valgrind runs: ``python _instructions.py DB QUERY COUNT``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


class InstructionsError(Exception):
    """valgrind is missing or a counted run failed."""


def available() -> bool:
    return shutil.which("valgrind") is not None


def _count(db_path: Path, query: str, calls: int) -> int:
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, __file__, str(db_path), query, str(calls)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = _IREFS.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InstructionsError(f"valgrind run on {db_path.name} failed: {tail}")
    return int(found.group(1).replace(",", ""))


def per_query(db_path: Path, query: str) -> int:
    """Instructions of one ``GET /allocation_candidates?<query>`` on this SQLite file."""
    return (_count(db_path, query, 3) - _count(db_path, query, 1)) // 2


def _child(db_path: str, query: str, calls: int) -> None:
    import refcloud
    import webob
    from _perfload import HEADERS
    from refcloud.config import Config

    app = refcloud.make_app(Config(db_url=f"sqlite:///{db_path}"))
    for _ in range(1 + calls):  # one warm-up call, then the counted ones
        resp = webob.Request.blank(f"/allocation_candidates?{query}",
                                   headers=dict(HEADERS)).get_response(app)
        if resp.status_int != 200:
            raise SystemExit(f"GET /allocation_candidates -> {resp.status}")


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
