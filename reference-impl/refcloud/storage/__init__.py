"""Persistence for refcloud: SQLAlchemy Core over SQLite (default) or PostgreSQL."""

from __future__ import annotations

from refcloud.storage.engine import Database, of

__all__ = ["Database", "of"]
