"""Run ``refcloud serve`` as a subprocess for tests.

    with refcloud_process("sqlite:///tmp/x.db") as rc:
        httpx.get(rc.url + "/")

The server binds ``--port 0`` (the kernel picks a free port, so parallel tests never
collide) and the helper reads the chosen port from its "listening on" line, then waits
until ``GET /`` answers. Output goes to a log file whose tail is shown when start-up
fails. ``start_many`` starts several processes at the same moment (to race their
start-up on one database).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

_LISTENING = re.compile(r"refcloud listening on http://([^:/\s]+):(\d+)")


def refcloud_command() -> list[str]:
    """The venv's ``refcloud`` console script, else ``python -m refcloud``."""
    bin_dir = str(Path(sys.executable).parent)
    script = shutil.which("refcloud", path=bin_dir)
    return [script] if script else [sys.executable, "-m", "refcloud"]


class RefcloudStartError(RuntimeError):
    """``refcloud serve`` exited or did not answer in time; the message has its log tail."""


@dataclass
class RefcloudProcess:
    """One running ``refcloud serve``."""

    db_url: str
    log_path: Path
    proc: subprocess.Popen | None = None
    host: str = "127.0.0.1"
    port: int = 0
    argv: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        return self._log()[-chars:]

    def _log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def spawn(self, host: str = "127.0.0.1", threads: int = 8, quiet: bool = True,
              extra_args: Sequence[str] = (), env: dict[str, str] | None = None) -> None:
        """Start the process (without waiting for it)."""
        self.host = host
        self.argv = [*refcloud_command(), "serve", "--host", host, "--port", "0",
                     "--db", self.db_url, "--threads", str(threads), *extra_args]
        if quiet:
            self.argv.append("--quiet")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})),
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for the "listening" line, then for ``GET /`` to answer 200."""
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while not self.port:
            match = _LISTENING.search(self._log()[:20_000])
            if match:
                self.port = int(match.group(2))
                break
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"no 'listening' line within {timeout:.0f}s")
            time.sleep(0.05)
        while True:
            try:
                if httpx.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"GET / did not answer 200 within {timeout:.0f}s")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds (safe to call twice)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            self._fail(f"exited with status {self.proc.returncode}")

    def _fail(self, why: str) -> None:
        self.stop()
        raise RefcloudStartError(
            f"refcloud serve {why}: {' '.join(self.argv)}\n--- log ---\n{self.log_tail()}"
        )


@contextlib.contextmanager
def start_many(db_urls: Sequence[str], log_dir: Path | None = None, threads: int = 8,
               extra_args: Sequence[str] = (), timeout: float = 60.0,
               ) -> Iterator[list[RefcloudProcess]]:
    """Start one process per URL, all at once, and stop them all on exit."""
    tmp = None
    if log_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="refcloud-proc-")
        log_dir = Path(tmp.name)
    procs = [RefcloudProcess(db_url=url, log_path=log_dir / f"refcloud-{i}.log")
             for i, url in enumerate(db_urls)]
    try:
        for rc in procs:
            rc.spawn(threads=threads, extra_args=extra_args)
        for rc in procs:
            rc.wait_ready(timeout)
        yield procs
    finally:
        for rc in procs:
            rc.stop()
        if tmp is not None:
            tmp.cleanup()


@contextlib.contextmanager
def refcloud_process(db_url: str, log_dir: Path | None = None, threads: int = 8,
                     extra_args: Sequence[str] = (), timeout: float = 60.0,
                     ) -> Iterator[RefcloudProcess]:
    """One ``refcloud serve --db db_url`` on a free loopback port, stopped on exit."""
    with start_many([db_url], log_dir, threads, extra_args, timeout) as (rc,):
        yield rc
