"""Start ``refcloud serve`` as a local process: SQLite in a directory, a free loopback port.

    with start_refcloud(tmp_dir, drift=["extra-field"]) as server:
        httpx.get(server.url + "/")

The server binds ``--port 0`` (the kernel picks a free port, so parallel sessions and
xdist workers never collide); the launcher reads the chosen port from its "listening on"
line, then waits until ``GET /`` answers 200. Its output goes to ``refcloud.log`` in the
directory, whose tail is in the error when start-up fails. Used by the ``refcloud_url``
fixture and by the plugin's own tests; it needs nothing but this package (``refcloud``
ships in the same distribution).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RefcloudServer", "RefcloudStartError", "start_refcloud"]

_LISTENING = re.compile(r"refcloud listening on (http://[^\s]+)")


class RefcloudStartError(RuntimeError):
    """``refcloud serve`` exited or did not answer in time; the message has its log tail."""


@dataclass
class RefcloudServer:
    """One ``refcloud serve`` process (SQLite file and log in ``directory``)."""

    directory: Path
    drift: tuple[str, ...] = ()
    compute: bool = False
    threads: int = 8
    name: str = "refcloud"
    url: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def db_path(self) -> Path:
        return self.directory / f"{self.name}.db"

    @property
    def log_path(self) -> Path:
        return self.directory / f"{self.name}.log"

    def command(self) -> list[str]:
        argv = [sys.executable, "-m", "refcloud.cli", "serve", "--host", "127.0.0.1",
                "--port", "0", "--db", f"sqlite:///{self.db_path}", "--fresh", "--quiet",
                "--threads", str(self.threads)]
        if not self.compute:
            argv.append("--no-compute")
        for mode in self.drift:
            argv += ["--drift", mode]
        return argv

    def spawn(self) -> None:
        """Start the process (without waiting for it)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def wait_ready(self, timeout: float = 60.0) -> str:
        """Wait for the "listening" line, then for ``GET /`` to answer 200; the URL."""
        import httpx

        deadline = time.monotonic() + timeout
        while not self.url:
            found = _LISTENING.search(self._log()[:20_000])
            if found:
                self.url = found.group(1)
                break
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"no 'listening' line within {timeout:.0f}s")
            time.sleep(0.05)
        while True:
            try:
                if httpx.get(self.url + "/", timeout=5, trust_env=False).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"GET / did not answer 200 within {timeout:.0f}s")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds (safe to call twice)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def _log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            self._fail(f"exited with status {self.process.returncode}")

    def _fail(self, why: str) -> None:
        self.stop()
        tail = self._log()[-3000:].strip() or "(no output)"
        raise RefcloudStartError(f"refcloud serve {why}: {' '.join(self.command())}\n"
                                 f"--- {self.log_path} ---\n{tail}")


@contextlib.contextmanager
def start_refcloud(directory: str | Path, *, drift: Sequence[str] = (), compute: bool = False,
                   name: str = "refcloud", timeout: float = 60.0) -> Iterator[RefcloudServer]:
    """A running refcloud (fresh SQLite file ``directory/<name>.db``), stopped on exit."""
    server = RefcloudServer(Path(directory), tuple(drift), compute, name=name)
    try:
        server.spawn()
        server.wait_ready(timeout)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def start_refclouds(directory: str | Path, drifts: Sequence[Sequence[str]], *,
                    timeout: float = 60.0) -> Iterator[list[RefcloudServer]]:
    """Several refclouds started at once (one per entry of ``drifts``), stopped on exit."""
    servers = [RefcloudServer(Path(directory), tuple(d), name=f"refcloud-{i}")
               for i, d in enumerate(drifts)]
    try:
        for server in servers:
            server.spawn()
        for server in servers:
            server.wait_ready(timeout)
        yield servers
    finally:
        for server in servers:
            server.stop()
