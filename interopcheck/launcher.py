"""Start ``refcloud serve`` as a local process: a database, a free loopback port, a log file.

    with start_refcloud(tmp_dir, drift=["extra-field"]) as server:
        httpx.get(server.url + "/")

The one launcher of refcloud processes: ``interopcheck demo``, the pytest plugin's
``refcloud_url`` fixture and the project's own tests (``tests/support/refcloud_proc.py``)
all start refcloud through it. The server binds ``--port 0`` (the kernel picks a free
port, so parallel sessions and xdist workers never collide); the launcher reads the chosen
port from its "listening on" line, then waits until ``GET /`` answers 200. Its output goes
to a log file whose tail is in the error when start-up fails; when refcloud's own
dependencies are missing (``pip install interopcheck`` without the ``refcloud`` extra) the
error is one line saying how to install them.

refcloud is started as a separate process (``python -m refcloud.cli``) and never imported
here: interopcheck and refcloud do not import each other.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from interopcheck.errors import InteropcheckError

__all__ = ["RefcloudServer", "RefcloudStartError", "refcloud_command", "start_refcloud",
           "start_refclouds"]

_LISTENING = re.compile(r"refcloud listening on (http://[^\s]+)")
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
_REFCLOUD_ERROR = re.compile(r"^refcloud: error: (.+)$", re.MULTILINE)
INSTALL_HINT = "install it with: pip install 'interopcheck[refcloud]'"


class RefcloudStartError(InteropcheckError, RuntimeError):
    """``refcloud serve`` exited or did not answer in time.

    ``reason`` is the one line to show (refcloud's own error, or the missing module);
    the message adds the command and the log's tail.
    """

    def __init__(self, reason: str, details: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}\n{details}" if details else reason)


def refcloud_command() -> list[str]:
    """How to run refcloud with this interpreter (works for --user and --target installs)."""
    return [sys.executable, "-m", "refcloud.cli"]


@dataclass
class RefcloudServer:
    """One ``refcloud serve`` process.

    ``db_url`` defaults to the SQLite file ``directory/<name>.db``, emptied first when
    ``fresh`` (``refcloud serve --fresh``); the log is ``directory/<name>.log`` unless
    ``log_path`` is given.
    """

    directory: Path | None = None
    drift: tuple[str, ...] = ()
    compute: bool = False
    threads: int = 8
    name: str = "refcloud"
    db_url: str = ""
    log_path: Path = field(default=Path())
    host: str = "127.0.0.1"
    extra_args: tuple[str, ...] = ()
    fresh: bool = True
    env: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.directory is None:
            if self.log_path == Path():
                raise ValueError("give a directory or a log_path")
            self.directory = self.log_path.parent
        self.directory = Path(self.directory)
        if self.log_path == Path():
            self.log_path = self.directory / f"{self.name}.log"
        if not self.db_url:
            self.db_url = f"sqlite:///{self.db_path}"

    @property
    def db_path(self) -> Path:
        assert self.directory is not None
        return self.directory / f"{self.name}.db"

    def command(self) -> list[str]:
        argv = [*refcloud_command(), "serve", "--host", self.host, "--port", "0",
                "--db", self.db_url, "--quiet", "--threads", str(self.threads)]
        if self.fresh:
            argv.append("--fresh")
        if not self.compute:
            argv.append("--no-compute")
        for mode in self.drift:
            argv += ["--drift", mode]
        return [*argv, *self.extra_args]

    def spawn(self) -> None:
        """Start the process (without waiting for it), in its own session: a Ctrl-C in the
        terminal reaches the caller, which stops the server."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
                start_new_session=True,
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
                self._fail(f"refcloud {self.name}: no 'listening' line within {timeout:.0f}s")
            time.sleep(0.05)
        while True:
            try:
                if httpx.get(self.url + "/", timeout=5, trust_env=False).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail(f"refcloud {self.name}: GET / did not answer 200 within "
                           f"{timeout:.0f}s")
            time.sleep(0.05)

    def terminate(self) -> None:
        """Send SIGTERM without waiting (from a signal handler, say)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

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

    def log_tail(self, chars: int = 3000) -> str:
        return self._log()[-chars:]

    def _log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            log = self._log()
            missing = _MISSING_MODULE.search(log)
            error = _REFCLOUD_ERROR.search(log)
            if missing:
                self._fail(f"refcloud cannot start: module {missing.group(1)!r} is missing; "
                           f"{INSTALL_HINT}")
            elif error:
                self._fail(error.group(1).strip())
            self._fail(f"refcloud {self.name} exited with status {self.process.returncode}")

    def _fail(self, reason: str) -> None:
        self.stop()
        tail = self.log_tail().strip() or "(no output)"
        raise RefcloudStartError(reason, f"command: {' '.join(self.command())}\n"
                                         f"--- {self.log_path} ---\n{tail}")


@contextlib.contextmanager
def start_refclouds(servers: Sequence[RefcloudServer], *,
                    timeout: float = 60.0) -> Iterator[list[RefcloudServer]]:
    """Start several refclouds at once (all spawned, then all awaited); stopped on exit."""
    try:
        for server in servers:
            server.spawn()
        for server in servers:
            server.wait_ready(timeout)
        yield list(servers)
    finally:
        for server in servers:
            server.stop()


@contextlib.contextmanager
def start_refcloud(directory: str | Path, *, drift: Sequence[str] = (), compute: bool = False,
                   name: str = "refcloud", timeout: float = 60.0) -> Iterator[RefcloudServer]:
    """A running refcloud (fresh SQLite file ``directory/<name>.db``), stopped on exit."""
    server = RefcloudServer(Path(directory), tuple(drift), compute, name=name)
    with start_refclouds([server], timeout=timeout):
        yield server
