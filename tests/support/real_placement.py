"""A real OpenStack Placement for ``live`` tests, started with ``../shared/tools/real-placement``.

``INTEROPCHECK_PLACEMENT_URL`` reuses a Placement that is already running (nothing is started
or stopped); otherwise one is started on a fresh SQLite database (``RP_FRESH=1``) on
``INTEROPCHECK_PLACEMENT_PORT`` (default: a free port) and stopped afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.shared import real_placement_tools


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def real_placement() -> Iterator[str]:
    """The base URL of a real Placement (see the module docstring)."""
    url = os.environ.get("INTEROPCHECK_PLACEMENT_URL")
    if url:
        yield url.rstrip("/")
        return
    tools = real_placement_tools()
    start, stop = tools / "start.sh", tools / "stop.sh"
    if not start.exists():
        pytest.fail(f"cannot start real Placement: {start} not found (put the project's "
                    "shared/ folder beside the checkout or set INTEROPCHECK_SHARED)",
                    pytrace=False)
    port = int(os.environ.get("INTEROPCHECK_PLACEMENT_PORT") or _free_port())
    try:
        started = subprocess.run([str(start), str(port)], env=dict(os.environ, RP_FRESH="1"),
                                 capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot start real Placement with {start}: {exc}", pytrace=False)
    if started.returncode != 0:
        pytest.fail(f"cannot start real Placement with {start} {port} (exit "
                    f"{started.returncode}):\n{started.stderr[-1500:]}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([str(stop), str(port)], capture_output=True, text=True, timeout=60)
        # The instance directory start.sh created ($RP_BASE/inst-PORT), once stopped.
        instance = Path(os.environ.get("RP_BASE", "/tmp/realplacement")) / f"inst-{port}"
        if instance.is_dir() and not (instance / "server.pid").exists():
            shutil.rmtree(instance, ignore_errors=True)
