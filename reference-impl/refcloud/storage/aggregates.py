"""Placement aggregates: uuids created on first use, linked to providers.

There is no aggregate resource of its own; an aggregate is a uuid row in
``placement_aggregates`` plus ``resource_provider_aggregates`` links.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from refcloud import exceptions
from refcloud.storage import tables
from refcloud.storage.engine import utcnow

UUID_WIDTH = 36

agg = tables.placement_aggregates
rpa = tables.resource_provider_aggregates


# Statements of the write path, built once (compiled and cache-keyed once, not per request).
_IDS_OF = sa.select(agg.c.uuid, agg.c.id).where(
    agg.c.uuid.in_(sa.bindparam("b_uuids", expanding=True)))
_LINKED = sa.select(rpa.c.aggregate_id).where(rpa.c.resource_provider_id == sa.bindparam("b_rp"))
_NEW_AGG = sa.insert(agg)
_LINK = sa.insert(rpa)
# INSERT ... ON CONFLICT DO NOTHING: a row another writer inserted meanwhile (another
# process on PostgreSQL) is simply skipped, in one statement and without a savepoint (which
# costs two more round trips). Other databases keep the savepoint-and-retry path below.
_IGNORING_DUPLICATES = {
    dialect.__name__.rsplit(".", 1)[-1]: (
        dialect.insert(agg).on_conflict_do_nothing(),
        dialect.insert(rpa).on_conflict_do_nothing())
    for dialect in (postgresql, sqlite)
}


def _guard(conn: sa.Connection) -> contextlib.AbstractContextManager[Any]:
    """A savepoint around an insert that may race, except on SQLite.

    SQLite writers hold the database lock (BEGIN IMMEDIATE), so no other writer can insert
    the same row meanwhile, and a failed INSERT there undoes only itself: the savepoint
    would cost two round trips for nothing.
    """
    return contextlib.nullcontext() if conn.dialect.name == "sqlite" else conn.begin_nested()


def provider_aggregate_uuids(conn: sa.Connection, provider_id: int) -> list[str]:
    """The aggregate uuids a provider is a member of (oldest aggregate first)."""
    rows = conn.execute(
        sa.select(agg.c.uuid)
        .select_from(agg.join(rpa, rpa.c.aggregate_id == agg.c.id))
        .where(rpa.c.resource_provider_id == provider_id)
        .order_by(agg.c.id)
    )
    return list(rows.scalars())


def ids_of(conn: sa.Connection, uuids: Iterable[str]) -> dict[str, int]:
    """uuid -> id for the aggregates that exist."""
    wanted = list(set(uuids))
    if not wanted:
        return {}
    rows = conn.execute(_IDS_OF, {"b_uuids": sorted(wanted)})
    return {uuid: id_ for uuid, id_ in rows}


def ensure_aggregates(conn: sa.Connection, uuids: Iterable[str]) -> dict[str, int]:
    """uuid -> id, creating the aggregates that do not exist yet.

    A concurrent creator of the same uuid (another process on PostgreSQL) is
    tolerated: its row is skipped (ON CONFLICT DO NOTHING; elsewhere the insert runs in a
    savepoint) and the rows are re-read. Raises
    ``BadRequest`` for a uuid the database column cannot hold.
    """
    wanted = list(dict.fromkeys(uuids))
    too_long = [u for u in wanted if len(u) > UUID_WIDTH]
    if too_long and conn.dialect.name != "sqlite":
        # "urn:uuid:..." and "{...}" forms pass the uuid format check but do
        # not fit the 36-character column outside SQLite
        raise exceptions.BadRequest(
            f"Aggregate uuid {too_long[0]} is longer than {UUID_WIDTH} characters; "
            "use the canonical form."
        )
    found = ids_of(conn, wanted)
    missing = [u for u in wanted if u not in found]
    if not missing:
        return found
    now = utcnow()
    lenient = _IGNORING_DUPLICATES.get(conn.dialect.name)
    if lenient is not None:
        conn.execute(lenient[0], [{"uuid": u, "created_at": now} for u in missing])
        found.update(ids_of(conn, missing))
        return found
    try:
        with _guard(conn):
            conn.execute(_NEW_AGG, [{"uuid": u, "created_at": now} for u in missing])
    except sa.exc.IntegrityError:
        for uuid in missing:
            try:
                with _guard(conn):
                    conn.execute(_NEW_AGG, {"uuid": uuid, "created_at": now})
            except sa.exc.IntegrityError:
                pass
    found.update(ids_of(conn, missing))
    return found


def set_provider_aggregates(conn: sa.Connection, provider_id: int, uuids: Iterable[str]) -> None:
    """Make the provider's aggregate set exactly ``uuids`` (no generation change)."""
    wanted = ensure_aggregates(conn, uuids)
    current = set(conn.execute(_LINKED, {"b_rp": provider_id}).scalars())
    wanted_ids = set(wanted.values())
    to_remove = current - wanted_ids
    to_add = sorted(wanted_ids - current)
    if to_remove:
        conn.execute(
            sa.delete(rpa).where(
                rpa.c.resource_provider_id == provider_id,
                rpa.c.aggregate_id.in_(list(to_remove)),
            )
        )
    if to_add:
        now = utcnow()
        rows = [
            {"resource_provider_id": provider_id, "aggregate_id": a, "created_at": now}
            for a in to_add
        ]
        lenient = _IGNORING_DUPLICATES.get(conn.dialect.name)
        if lenient is not None:
            conn.execute(lenient[1], rows)
            return
        try:
            with _guard(conn):
                conn.execute(_LINK, rows)
        except sa.exc.IntegrityError:
            # another writer linked some of them meanwhile: add the rest
            for row in rows:
                try:
                    with _guard(conn):
                        conn.execute(_LINK, row)
                except sa.exc.IntegrityError:
                    pass


def delete_provider_links(conn: sa.Connection, provider_id: int) -> None:
    """Drop every aggregate membership of a provider (the aggregates stay)."""
    conn.execute(sa.delete(rpa).where(rpa.c.resource_provider_id == provider_id))


def providers_in_any(uuids: Iterable[str]) -> sa.Select:
    """SELECT of provider ids that are members of at least one of ``uuids``.

    For ``IN``/``NOT IN`` filters; unknown uuids simply match nothing.
    """
    return (
        sa.select(rpa.c.resource_provider_id)
        .select_from(rpa.join(agg, agg.c.id == rpa.c.aggregate_id))
        .where(agg.c.uuid.in_(sorted(set(uuids))))
    )
