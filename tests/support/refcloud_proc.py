"""Run ``refcloud serve`` as a subprocess for tests: the package's launcher
(:mod:`interopcheck.launcher`) with the defaults these tests want.

    with refcloud_process("sqlite:///tmp/x.db") as rc:
        httpx.get(rc.url + "/")

Unlike the demo and the plugin, these processes serve the compute API too and keep the
database they are given (several processes may share one). ``start_many`` starts several
processes at the same moment (to race their start-up on one database).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from interopcheck.launcher import (
    RefcloudServer,
    RefcloudStartError,
    refcloud_command,
    start_refclouds,
)

__all__ = ["RefcloudProcess", "RefcloudStartError", "refcloud_command", "refcloud_process",
           "start_many"]


@dataclass
class RefcloudProcess(RefcloudServer):
    """One ``refcloud serve --db db_url`` with the compute API, database kept as it is."""

    compute: bool = True
    fresh: bool = False


@contextlib.contextmanager
def start_many(db_urls: Sequence[str], log_dir: Path | None = None, threads: int = 8,
               extra_args: Sequence[str] = (), timeout: float = 60.0,
               ) -> Iterator[list[RefcloudServer]]:
    """Start one process per URL, all at once, and stop them all on exit."""
    with contextlib.ExitStack() as stack:
        if log_dir is None:
            log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="refcloud-proc-")))
        procs = [RefcloudProcess(db_url=url, log_path=log_dir / f"refcloud-{i}.log",
                                 threads=threads, extra_args=tuple(extra_args))
                 for i, url in enumerate(db_urls)]
        yield stack.enter_context(start_refclouds(procs, timeout=timeout))


@contextlib.contextmanager
def refcloud_process(db_url: str, log_dir: Path | None = None, threads: int = 8,
                     extra_args: Sequence[str] = (), timeout: float = 60.0,
                     ) -> Iterator[RefcloudServer]:
    """One ``refcloud serve --db db_url`` on a free loopback port, stopped on exit."""
    with start_many([db_url], log_dir, threads, extra_args, timeout) as (rc,):
        yield rc
