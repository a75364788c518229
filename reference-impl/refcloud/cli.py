"""``refcloud`` command line: serve the reference service on a socket."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from refcloud import __version__
from refcloud.config import Config

LOG = logging.getLogger("refcloud")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refcloud",
        description="refcloud: a Placement-compatible reference service (microversions 1.0-1.39).",
    )
    parser.add_argument("--version", action="version", version=f"refcloud {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from refcloud import drift

    serve = sub.add_parser(
        "serve", help="serve the API over HTTP",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="drift modes (--drift NAME, repeatable):\n" + drift.help_text(),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8780, help="port (default 8780; 0 picks a free one)",
    )
    serve.add_argument(
        "--db",
        default=os.environ.get("REFCLOUD_DB", "sqlite:///refcloud.db"),
        help="database URL: sqlite:///FILE (default sqlite:///refcloud.db), sqlite:// "
        "(in memory) or postgresql://USER@HOST/NAME",
    )
    serve.add_argument("--fresh", action="store_true", help="delete the SQLite file first")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="server processes sharing the address (default 1; for PostgreSQL: "
        "refcloud/workers.py)",
    )
    serve.add_argument(
        "--drift", action="append", default=[], metavar="NAME",
        help="switch on a known deviation from Placement (repeatable; modes listed below)",
    )
    serve.add_argument("--pid-file", help="write the process id here once listening")
    serve.add_argument(
        "--cell", action="append", default=[], metavar="NAME=UUID",
        help="a cell of the servers API at /compute (repeatable); hosts join a cell through "
        "the Placement aggregate with its UUID (default: cell1="
        "ce110000-0000-4000-8000-000000000001)",
    )
    serve.add_argument("--no-compute", action="store_true",
                       help="serve Placement only (no servers API at /compute)")
    serve.add_argument(
        "--apisig-401", action="store_true",
        help="answer a request without a token with a 401 in the API-SIG errors format "
        "(default: real Placement's noauth2 401, webob's body)",
    )
    serve.add_argument("-q", "--quiet", action="store_true", help="no access log")
    from refcloud import keystone

    keystone.add_options(serve)  # --auth keystone, --keystone-url, ...
    return parser


#: Bytes of one answer waitress keeps in memory before spilling to a temporary file.
OUTBUF_IN_MEMORY = 64 * 1024 * 1024


def _fail(message: str) -> int:
    print(f"refcloud: error: {message}", file=sys.stderr)
    return 2


def serve(args: argparse.Namespace) -> int:
    import sqlalchemy.exc
    import waitress

    from refcloud import drift
    from refcloud.app import make_app
    from refcloud.server import make_server

    try:
        drift.check(args.drift)
    except ValueError as exc:
        return _fail(str(exc))
    if args.workers < 1:
        return _fail("--workers must be at least 1")
    if args.workers > 1:
        from refcloud import workers

        return workers.prefork(args, serve)
    db = args.db
    if db.startswith("postgres://"):
        db = "postgresql://" + db[len("postgres://"):]
    if db.startswith("postgresql://"):
        db = "postgresql+psycopg://" + db[len("postgresql://"):]
    if args.fresh and db.startswith("sqlite:///") and db != "sqlite:///:memory:":
        path = db[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    try:
        app = make_app(Config(db_url=db, drift=tuple(args.drift), apisig_401=args.apisig_401))
    except sqlalchemy.exc.ArgumentError as exc:
        return _fail(f"bad --db URL {args.db!r}: {exc}; use sqlite:///FILE or postgresql://...")
    except sqlalchemy.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return _fail(f"cannot open database {args.db!r}: {reason}")
    except ModuleNotFoundError as exc:
        return _fail(f"database driver missing for {args.db!r} ({exc.name}); "
                     "install with: pip install 'interopcheck[postgresql]'")
    except ValueError as exc:
        return _fail(str(exc))
    wsgi_app = app
    if not args.no_compute:
        from refcloud.compute import ComputeConfig
        from refcloud.compute.mount import parse_cells, with_compute

        try:
            cells = parse_cells(args.cell)
        except ValueError as exc:
            return _fail(str(exc))
        wsgi_app = with_compute(app, ComputeConfig(cells=cells) if cells else None)
    if args.auth == "keystone":
        from refcloud import keystone

        try:
            wsgi_app = keystone.protect(wsgi_app, keystone.options_from_args(args))
        except ValueError as exc:
            return _fail(str(exc))
    try:
        # Answers of several MB (allocation candidates over thousands of providers) stay
        # in memory: waitress's default spills output above 1 MB into a temporary file.
        # Slow clients, size limits, framing errors as JSON: refcloud/server.py.
        server = make_server(wsgi_app, host=args.host, port=args.port, threads=args.threads,
                             outbuf_overflow=OUTBUF_IN_MEMORY,
                             sock=getattr(args, "listen_socket", None),
                             balance=getattr(args, "balance", None))
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
                     "pick another --port")
    host, port = server.effective_host, server.effective_port
    if args.pid_file:
        with open(args.pid_file, "w") as fh:
            fh.write(f"{os.getpid()}\n")
    if not getattr(args, "worker_of", None):  # --workers: the parent says it once
        print(f"refcloud listening on http://{host}:{port} (database {_safe(db)})", flush=True)
    del waitress
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.db.dispose()
    return 0


def _safe(url: str) -> str:
    """A database URL without its password."""
    import sqlalchemy.engine

    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable url>"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    if args.command == "serve":
        return serve(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
