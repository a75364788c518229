"""``interopcheck demo``: two local refclouds, one drifted, diffed over the placement profile.

    interopcheck demo [--dir ./interopcheck-demo] [--drift NAME ...] [--microversions all]

Starts two refcloud processes on free loopback ports, each on a fresh SQLite file in
``--dir``: cloud A is plain, cloud B runs with ``refcloud serve --drift`` modes (by
default ``extra-url`` and ``error-code``: a route one cloud serves at a version where the
other answers 404, and a different error code for the same failure). Then it runs
``interopcheck diff A B --profile placement`` over every common microversion, prints
the terminal summary, writes ``report.html``, ``report.json``, ``report.md`` and
``report.xml`` into ``--dir`` and prints where. Both servers are stopped at the end, on
Ctrl-C and on errors. The exit code is the diff's: 0 no findings, 1 findings (what the
default drift gives), 2 the run failed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from interopcheck.api import diff_clouds
from interopcheck.diff import DiffOptions
from interopcheck.errors import InteropcheckError
from interopcheck.launcher import RefcloudServer, RefcloudStartError, start_refclouds
from interopcheck.outputs import render, write_reports
from interopcheck.runner.run import Progress

__all__ = ["DEFAULT_DIR", "DEFAULT_DRIFT", "add_arguments", "main", "register", "run", "servers"]

DEFAULT_DIR = "interopcheck-demo"
DEFAULT_DRIFT = ("extra-url", "error-code")
REPORT_FORMATS = ("html", "json", "markdown", "junit")
_START_TIMEOUT = 60.0
DESCRIPTION = ("Start two local refclouds (B with drift modes), diff them over the placement "
               "profile and write HTML/JSON/Markdown/JUnit reports. Exit 0: no findings; "
               "1: findings; 2: the run failed.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo's options (for ``interopcheck demo`` and ``python -m interopcheck.demo``)."""
    parser.add_argument("--dir", default=DEFAULT_DIR, metavar="DIR",
                        help=f"where the databases, server logs and reports go "
                             f"(default ./{DEFAULT_DIR})")
    parser.add_argument("--drift", action="append", default=[], metavar="NAME",
                        help="drift mode of cloud B (repeatable; default: "
                             f"{' and '.join(DEFAULT_DRIFT)}; see refcloud serve --help)")
    parser.add_argument("--microversions", default="all", metavar="SPEC",
                        help="as for interopcheck diff (default: all)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``demo`` subcommand to ``interopcheck``'s subparsers."""
    parser = subparsers.add_parser(
        "demo", help="start two local refclouds (one drifted), diff them, write the reports",
        description=DESCRIPTION)
    add_arguments(parser)
    return parser


@contextmanager
def servers(directory: Path, drift: Sequence[str] = ()) -> Iterator[tuple[RefcloudServer,
                                                                          RefcloudServer]]:
    """Two refcloud processes on free loopback ports (B with ``drift``), stopped on exit."""
    pair = [RefcloudServer(directory, (), name="refcloud-a"),
            RefcloudServer(directory, tuple(drift), name="refcloud-b")]
    with start_refclouds(pair, timeout=_START_TIMEOUT) as (a, b):
        yield a, b


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the demo with parsed options; returns the diff's exit code (2 if it cannot run)."""
    out = out or sys.stdout
    err = err or sys.stderr
    drift = tuple(dict.fromkeys(args.drift)) or DEFAULT_DRIFT
    directory = Path(args.dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err.write(f"interopcheck demo: cannot create {directory}: {exc.strerror or exc}\n")
        return 2
    running: list[RefcloudServer] = []

    def interrupted(signum: int, frame: object) -> None:
        # Stop the servers first: the diff's remaining calls then end at once ("cloud
        # down") instead of running to the end of the sweep.
        for server in running:
            server.terminate()
        raise KeyboardInterrupt

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():  # signals reach the main thread
        previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with servers(directory, drift) as (a, b):
            running += [a, b]
            flags = " ".join(f"--drift {d}" for d in drift)
            out.write(f"cloud A: {a.url}  refcloud (plain), database {directory}/refcloud-a.db\n"
                      f"cloud B: {b.url}  refcloud {flags}, database "
                      f"{directory}/refcloud-b.db\n\n")
            out.flush()
            report = diff_clouds(a.url, b.url, profile="placement",
                                 options=DiffOptions(microversions=args.microversions),
                                 progress=Progress(err, enabled=not args.quiet))
            out.write(render(report, "text"))
            written = write_reports(report, REPORT_FORMATS, directory)
            out.write("Reports: " + ", ".join(str(p) for p in written) + "\n")
            out.write(f"\nOpen {directory / 'report.html'} in a browser for the "
                      "side-by-side view.\n")
            return report.exit_code
    except RefcloudStartError as exc:  # refcloud's own line: a bad --drift, a missing module
        err.write(f"interopcheck demo: {exc.reason}\n")
        return 2
    except InteropcheckError as exc:  # a bad --microversions, a report that cannot be written
        err.write(f"interopcheck demo: {exc}\n")
        return 2
    except KeyboardInterrupt:
        err.write("interopcheck demo: interrupted; both servers stopped\n")
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m interopcheck.demo``: the same as ``interopcheck demo``."""
    parser = argparse.ArgumentParser(prog="interopcheck demo", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
