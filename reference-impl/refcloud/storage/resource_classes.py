"""Resource class lookups (standard classes are seeded at start-up)."""

from __future__ import annotations

import sqlalchemy as sa

from refcloud.storage import tables

rc = tables.resource_classes


def id_of(conn: sa.Connection, name: str) -> int | None:
    """The id of a resource class by name, or None."""
    return conn.execute(sa.select(rc.c.id).where(rc.c.name == name)).scalar()


def ids_of(conn: sa.Connection, names: list[str] | set[str]) -> dict[str, int]:
    """name -> id for the names that exist."""
    if not names:
        return {}
    rows = conn.execute(sa.select(rc.c.name, rc.c.id).where(rc.c.name.in_(list(names))))
    return {name: id_ for name, id_ in rows}


def names_by_id(conn: sa.Connection) -> dict[int, str]:
    """id -> name for every resource class."""
    return {id_: name for id_, name in conn.execute(sa.select(rc.c.id, rc.c.name))}
