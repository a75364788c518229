"""Engine factory, transactions and first-start synchronisation.

``Database.reader()`` and ``Database.writer()`` yield a Connection inside a
transaction. On SQLite a writer begins with ``BEGIN IMMEDIATE`` so two
writers serialise instead of failing on a lock upgrade; on PostgreSQL the
default READ COMMITTED is used and generations are compare-and-swap
``UPDATE ... WHERE generation = :expected`` statements.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import os_resource_classes
import os_traits
import sqlalchemy as sa
import webob
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from refcloud.storage import tables

ENVIRON_KEY = "refcloud.db"


def utcnow() -> datetime.datetime:
    """Naive UTC, second precision (HTTP dates have no fractions)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


#: Connections kept open per SQLite file database (refcloud serve runs 8 threads by default).
SQLITE_POOL_SIZE = 16


class Database:
    """One refcloud database: an engine plus transaction helpers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._lock: threading.RLock | None = None
        self._write_lock: threading.RLock | None = None
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 60}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
                self._lock = threading.RLock()
            else:
                # SQLite has one writer at a time. Threads of this process queue here for
                # it and are woken the moment it is free; SQLite's own wait (busy_timeout)
                # polls with sleeps of up to 100 ms, which left the database idle while
                # 8 threads wrote (about half of a write's time was spent in BEGIN
                # IMMEDIATE). Other processes on the same file still meet busy_timeout.
                self._write_lock = threading.RLock()
                # A connection per server thread stays open (the default 5 made every
                # request past the fifth open and set up a new connection).
                kwargs["pool_size"] = SQLITE_POOL_SIZE
                kwargs["max_overflow"] = 2 * SQLITE_POOL_SIZE
        else:
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 20
            # No pool_pre_ping: it is one more round trip (a SELECT 1) at every checkout, i.e.
            # twice per write request, a fifth of a PostgreSQL write's time. A connection that
            # died (database restarted) fails one request; SQLAlchemy then sees the disconnect
            # and invalidates the whole pool, so the next requests connect afresh.
        self.engine = sa.create_engine(url, **kwargs)
        if self.is_sqlite:
            self._setup_sqlite()
        self._create_schema()
        self._sync_standard_names()

    def _create_schema(self) -> None:
        """Create missing tables; safe when several processes start at once on one database.

        The check and the DDL run in one write transaction: on SQLite ``BEGIN IMMEDIATE``
        makes a second process wait (a deferred BEGIN would fail at once with "database is
        locked" on the lock upgrade). On PostgreSQL two processes may both see a table
        missing and both CREATE it; the loser fails on the catalog's unique index once the
        winner commits (its DDL is rolled back), so check again and retry.
        """
        for attempt in range(10):
            try:
                with self.writer() as conn:
                    tables.metadata.create_all(conn)
                return
            except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError) as exc:
                racing = (not isinstance(exc, sa.exc.OperationalError)
                          or "already exists" in str(exc) or "deadlock" in str(exc))
                if not racing or attempt == 9:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _setup_sqlite(self) -> None:
        memory = self._lock is not None

        @event.listens_for(self.engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=60000")
            if not memory:
                _switch_to_wal(cur)
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            if conn.get_execution_options().get("refcloud_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator[sa.Connection]:
        lock = self._lock or (write and self._write_lock) or contextlib.nullcontext()
        with lock, self.engine.connect() as conn:
            if write:
                conn = conn.execution_options(refcloud_write=True)
            with conn.begin():
                yield conn

    def reader(self) -> contextlib.AbstractContextManager[sa.Connection]:
        """A read transaction."""
        return self._transaction(write=False)

    def writer(self) -> contextlib.AbstractContextManager[sa.Connection]:
        """A write transaction (committed on exit, rolled back on error)."""
        return self._transaction(write=True)

    def _sync_standard_names(self) -> None:
        """Insert the standard resource classes and traits if missing.

        Safe when several processes start at once on one database.
        """
        now = utcnow()
        for _attempt in range(5):
            try:
                with self.writer() as conn:
                    have = set(conn.execute(sa.select(tables.resource_classes.c.name)).scalars())
                    rows = [
                        {"id": i, "name": name, "created_at": now}
                        for i, name in enumerate(os_resource_classes.STANDARDS)
                        if name not in have
                    ]
                    if rows:
                        conn.execute(sa.insert(tables.resource_classes), rows)
                    have_traits = set(conn.execute(sa.select(tables.traits.c.name)).scalars())
                    trows = [
                        {"name": name, "created_at": now}
                        for name in os_traits.get_traits()
                        if name not in have_traits
                    ]
                    if trows:
                        conn.execute(sa.insert(tables.traits), trows)
                return
            except sa.exc.IntegrityError:
                continue

    def dispose(self) -> None:
        self.engine.dispose()


def _switch_to_wal(cur: Any, deadline_s: float = 60.0) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the database.

    Switching a rollback-journal database to WAL needs an exclusive lock, and SQLite answers
    "database is locked" at once, without its busy handler, when another connection holds or
    wants a write lock (two processes opening a new database together, or a writer in rollback
    mode). Once the file is in WAL mode the pragma is a no-op, so retrying is safe.
    """
    deadline = time.monotonic() + deadline_s
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def is_unstorable_text(exc: BaseException) -> bool:
    """True when the database refused text it cannot hold (a NUL character on PostgreSQL)."""
    return isinstance(exc, sa.exc.DataError) and "NUL" in str(getattr(exc, "orig", exc))


def of(req: webob.Request) -> Database:
    """The database serving this request."""
    return req.environ[ENVIRON_KEY]
