"""Stopping the servers the test fixtures start (Keystone, nginx, refcloud)."""

from __future__ import annotations

import subprocess


def stop_process(proc: subprocess.Popen | None, grace: float = 10) -> None:
    """SIGTERM ``proc``, wait ``grace`` seconds, then SIGKILL; nothing if it has ended."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
