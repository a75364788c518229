"""A throwaway PostgreSQL server for tests, from Debian's ``postgresql`` package.

``PostgresServer`` finds the server binaries under ``/usr/lib/postgresql/*/bin``
(installing them with ``apt-get install -y postgresql`` when missing and running as
root), creates a cluster in a fresh temporary directory, starts it on a free
loopback port (unix socket in the same directory, trust authentication, no fsync),
and removes everything on ``stop()``. It never touches a system cluster.

The server refuses to run as root, so as root the cluster belongs to the
``postgres`` user and every server command runs through ``runuser -u postgres``
(or ``su``); as any other user it runs as that user.

    with PostgresServer() as pg:
        url = pg.create_database("refcloud")   # postgresql+psycopg://postgres@127.0.0.1:PORT/refcloud
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

SERVER_USER = "postgres"
SUPERUSER = "postgres"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
#: Server settings of the throwaway cluster: durability off (a crash loses nothing that
#: matters here; it never holds data worth keeping), room for many pooled connections.
#: Benchmarks print these next to their figures.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off",
            "max_connections=300", "shared_buffers=32MB")
_NEEDED = ("initdb", "pg_ctl", "postgres")
_INSTALL_HINT = (
    "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install Debian's "
    "package with: sudo apt-get install -y postgresql (or run the tests as root, which installs it)"
)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be installed or started here; the message says why."""


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb, pg_ctl and postgres."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    for candidate in sorted(glob.glob(_BIN_GLOB), key=version, reverse=True):
        if all(os.access(os.path.join(candidate, name), os.X_OK) for name in _NEEDED):
            return Path(candidate)
    return None


def ensure_installed() -> Path:
    """The server binary directory, installing ``postgresql`` with apt-get if root and missing."""
    found = find_bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(_INSTALL_HINT)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        # A fresh machine has empty package lists: update them once and retry.
        update = subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True,
                                text=True, timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise PostgresUnavailable(
                "apt-get install -y postgresql failed:\n"
                f"{update.stderr[-1000:]}\n{result.stdout[-1500:]}\n{result.stderr[-1500:]}"
            )
    found = find_bin_dir()
    if found is None:
        raise PostgresUnavailable(f"apt-get installed postgresql but {_INSTALL_HINT}")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One private PostgreSQL cluster: ``start()``, ``create_database()``, ``stop()``."""

    SETTINGS = " ".join(SETTINGS)

    def __init__(self, bin_dir: Path | None = None) -> None:
        self._bin_dir = bin_dir
        self.port: int | None = None
        self.root: Path | None = None
        self._as_root = os.geteuid() == 0

    # -- paths ------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.root is not None
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    @property
    def running(self) -> bool:
        return self.port is not None

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL of ``database`` over TCP on the loopback (trust auth)."""
        if self.port is None:
            raise RuntimeError("PostgreSQL is not running")
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> PostgresServer:
        """Create and start the cluster (no-op when already running)."""
        if self.running:
            return self
        bin_dir = self._bin_dir or ensure_installed()
        self._bin_dir = bin_dir
        owner: pwd.struct_passwd | None = None
        if self._as_root:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError as exc:
                raise PostgresUnavailable(
                    f"no {SERVER_USER!r} user to run the PostgreSQL server as (the server refuses "
                    "to run as root); reinstall Debian's postgresql package"
                ) from exc
        # Directly under /tmp when root: pytest's per-user dirs (and maybe $TMPDIR) are
        # 0700 root, which the postgres user could not traverse.
        parent = "/tmp" if owner is not None and os.path.isdir("/tmp") else None
        self.root = Path(tempfile.mkdtemp(prefix="refcloud-pg-", dir=parent))
        atexit.register(self.stop)  # also when a test session ends without finalizers
        try:
            self.socket_dir.mkdir()
            if owner is not None:
                for path in (self.root, self.socket_dir):
                    os.chown(path, owner.pw_uid, owner.pw_gid)
            self._run([
                str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
            ], "initdb")
            self._start_on_free_port(bin_dir)
        except BaseException:
            self._cleanup()
            raise
        return self

    def _start_on_free_port(self, bin_dir: Path) -> None:
        last = ""
        for _attempt in range(5):
            port = free_port()
            options = " ".join([
                f"-p {port}", "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.socket_dir}",
                *(f"-c {setting}" for setting in SETTINGS),
            ])
            result = self._run([
                str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                "-o", options, "-w", "-t", "60", "start",
            ], "pg_ctl start", check=False)
            if result.returncode == 0:
                self.port = port
                return
            last = f"{result.stdout}\n{result.stderr}\n{self._log_tail()}"
            if "already in use" not in last and "could not bind" not in last:
                break
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{last[-3000:]}")

    def create_database(self, name: str) -> str:
        """Create database ``name`` (dropping any old one) and return its SQLAlchemy URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name {name!r}")
        import psycopg

        with psycopg.connect(self.url("postgres", driver="postgresql"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its directory (safe to call twice)."""
        if self.port is not None and self._bin_dir is not None:
            self._run([str(self._bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                       "-w", "-t", "30", "stop"], "pg_ctl stop", check=False)
            self.port = None
        self._cleanup()

    def _cleanup(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- helpers ----------------------------------------------------------------
    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def _run(self, argv: list[str], what: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a server command as the cluster's owner, from the cluster directory."""
        if self._as_root:
            if shutil.which("runuser"):
                argv = ["runuser", "-u", SERVER_USER, "--", *argv]
            else:
                argv = ["su", "-s", "/bin/sh", SERVER_USER, "-c", shlex.join(argv)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        result = subprocess.run(argv, cwd=self.root, env=env, capture_output=True, text=True,
                                timeout=120)
        if check and result.returncode != 0:
            raise PostgresUnavailable(
                f"{what} failed ({result.returncode}):\n{result.stdout[-1500:]}\n"
                f"{result.stderr[-1500:]}"
            )
        return result
