"""Start, restart fresh and stop a real OpenStack Placement (shared/tools/real-placement).

    rp = PlacementInstance(port)    # port=None: a free loopback port
    rp.start(fresh=True)            # RP_FRESH=1 start.sh PORT: an empty database
    httpx.get(rp.url + "/")
    rp.start(fresh=True)            # again: restarted on a new empty database
    rp.stop()                       # stop.sh PORT, and remove the instance directory

Used by the allocation-candidates differential recorder and live tests, which need an
empty database per dataset (candidates see every provider).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from tests.support.shared import real_placement_tools


class PlacementStartError(RuntimeError):
    """start.sh is missing or failed; the message has its stderr tail."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PlacementInstance:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.tools = real_placement_tools()
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = False

    @property
    def instance_dir(self) -> Path:
        return Path(os.environ.get("RP_BASE", "/tmp/realplacement")) / f"inst-{self.port}"

    def start(self, fresh: bool = True, timeout: float = 900) -> None:
        start = self.tools / "start.sh"
        if not start.exists():
            raise PlacementStartError(
                f"cannot start real Placement: {start} not found (put the project's shared/ "
                "folder beside the checkout or set INTEROPCHECK_SHARED)")
        env = dict(os.environ, RP_FRESH="1" if fresh else "0")
        self.started = True  # it may be half up: let stop() look at its PID file
        try:
            done = subprocess.run([str(start), str(self.port)], env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PlacementStartError(f"cannot start real Placement with {start}: {exc}") from None
        if done.returncode != 0:
            raise PlacementStartError(f"cannot start real Placement with {start} {self.port} "
                                      f"(exit {done.returncode}):\n{done.stderr[-1500:]}")

    def stop(self, remove: bool = True) -> None:
        if not self.started:
            return
        subprocess.run([str(self.tools / "stop.sh"), str(self.port)], capture_output=True,
                       text=True, timeout=60)
        self.started = False
        instance = self.instance_dir
        if remove and instance.is_dir() and not (instance / "server.pid").exists():
            shutil.rmtree(instance, ignore_errors=True)
