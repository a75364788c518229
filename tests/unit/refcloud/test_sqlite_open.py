"""Opening a SQLite database while another connection holds a write lock on it.

Switching a new file to WAL needs an exclusive lock and SQLite refuses at once, without its
busy handler, while another connection holds a write lock: two ``refcloud serve`` processes
started together on a fresh file failed ("database is locked") about once in a few hundred
CI runs. refcloud now waits for the lock instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from refcloud.storage import engine
from refcloud.storage.engine import Database


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE other (a INTEGER)")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO other VALUES (1)")
    return conn


def test_open_waits_for_a_writer_in_rollback_mode(tmp_path: Path) -> None:
    path = tmp_path / "refcloud.db"
    holder = _hold_write_lock(path)
    outcome: dict[str, object] = {}

    def open_database() -> None:
        try:
            db = Database(f"sqlite:///{path}")
            db.dispose()
            outcome["ok"] = True
        except Exception as exc:
            outcome["error"] = exc

    opener = threading.Thread(target=open_database)
    opener.start()
    time.sleep(0.4)
    assert opener.is_alive(), f"open did not wait for the lock: {outcome}"
    holder.execute("COMMIT")
    holder.close()
    opener.join(timeout=30)
    assert outcome == {"ok": True}
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    assert {"resource_providers", "inventories", "other"} <= tables
    check.close()


def test_wal_switch_gives_up_after_its_deadline(tmp_path: Path) -> None:
    path = tmp_path / "refcloud.db"
    holder = _hold_write_lock(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        engine._switch_to_wal(conn.cursor(), deadline_s=0.3)
    assert 0.25 < time.monotonic() - started < 5
    conn.close()
    holder.close()
