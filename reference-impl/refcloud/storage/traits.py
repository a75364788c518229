"""Trait lookups (standard traits are seeded at start-up)."""

from __future__ import annotations

import re
import threading
import weakref

import sqlalchemy as sa

from refcloud.storage import providers, tables
from refcloud.storage.engine import utcnow

tr = tables.traits


def ids_of(conn: sa.Connection, names: list[str] | set[str]) -> dict[str, int]:
    """name -> id for the trait names that exist."""
    if not names:
        return {}
    rows = conn.execute(sa.select(tr.c.name, tr.c.id).where(tr.c.name.in_(list(names))))
    return {name: id_ for name, id_ in rows}


def provider_trait_names(conn: sa.Connection, provider_id: int) -> list[str]:
    rptr = tables.resource_provider_traits
    rows = conn.execute(
        sa.select(tr.c.name)
        .select_from(tr.join(rptr, rptr.c.trait_id == tr.c.id))
        .where(rptr.c.resource_provider_id == provider_id)
        .order_by(tr.c.name)
    )
    return list(rows.scalars())


# --- the traits API (handlers/trait.py) ---------------------------------------

CUSTOM_PREFIX = "CUSTOM_"


def _columns() -> sa.Select:
    return sa.select(tr.c.id, tr.c.name, tr.c.created_at, tr.c.updated_at)


def get_by_name(conn: sa.Connection, name: str) -> sa.Row | None:
    """The trait row (id, name, created_at, updated_at), or None."""
    return conn.execute(_columns().where(tr.c.name == name)).first()


def _like_prefix(prefix: str) -> re.Pattern[str]:
    """``name LIKE '<prefix>%'`` as SQLite evaluates it.

    ``%`` and ``_`` in the prefix are wildcards (no escape character) and
    ASCII letters compare case-insensitively.
    """
    parts = []
    for char in prefix:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.ASCII | re.IGNORECASE | re.DOTALL)


_rptr = tables.resource_provider_traits
# Statements of the write path, built once (compiled and cache-keyed once, not per request).
_BY_NAMES = (
    sa.select(tr.c.id, tr.c.name, tr.c.created_at, tr.c.updated_at)
    .where(tr.c.name.in_(sa.bindparam("b_names", expanding=True)))
    .order_by(tr.c.id)
)
_PROVIDER_TRAIT_IDS = sa.select(_rptr.c.trait_id).where(
    _rptr.c.resource_provider_id == sa.bindparam("b_rp"))
_LINK = sa.insert(_rptr)

# Rows of standard traits (any name without the CUSTOM_ prefix), per database engine. They
# are written once when the database is seeded (engine._sync_standard_names) and never change:
# the API creates and deletes only CUSTOM_ traits, and a trait has nothing to update. So
# PUT /resource_providers/{uuid}/traits needs no query for them (one round trip less).
_STANDARD_ROWS: weakref.WeakKeyDictionary[sa.Engine, dict[str, sa.Row]] = (
    weakref.WeakKeyDictionary())
_STANDARD_LOCK = threading.Lock()


def _standard_rows(conn: sa.Connection) -> dict[str, sa.Row]:
    with _STANDARD_LOCK:
        return _STANDARD_ROWS.setdefault(conn.engine, {})


def _rows_by_names(conn: sa.Connection, names: list[str]) -> list[sa.Row]:
    """The trait rows of ``names`` (unknown names are left out), standard ones from memory."""
    known = _standard_rows(conn)
    wanted = list(dict.fromkeys(names))
    rows = [known[name] for name in wanted if name in known]
    rest = [name for name in wanted if name not in known]
    if rest:
        fetched = list(conn.execute(_BY_NAMES, {"b_names": rest}))
        known.update((row.name, row) for row in fetched
                     if not row.name.startswith(CUSTOM_PREFIX))
        rows += fetched
    return rows


def list_filtered(
    conn: sa.Connection,
    *,
    name_in: list[str] | None = None,
    prefix: str | None = None,
    associated: bool | None = None,
) -> list[sa.Row]:
    """Traits for GET /traits, in the order real Placement returns them.

    With ``name_in`` the rows come by name (Placement's query walks the
    unique name index); otherwise in id order, i.e. creation order.
    ``prefix`` has SQL LIKE semantics, so it is matched here in Python
    (the same on every database).
    """
    rptr = tables.resource_provider_traits
    if name_in is not None and prefix is None and associated is None:
        # the PUT /resource_providers/{uuid}/traits path: a prepared statement
        rows = _rows_by_names(conn, list(name_in)) if name_in else []
        rows.sort(key=lambda row: row.name)
        return rows
    query = _columns()
    if name_in is not None:
        query = query.where(tr.c.name.in_(name_in))
    used = sa.exists().where(rptr.c.trait_id == tr.c.id)
    if associated is True:
        query = query.where(used)
    elif associated is False:
        query = query.where(~used)
    rows = list(conn.execute(query.order_by(tr.c.id)))
    if name_in is not None:
        # binary (code point) order, as SQLite's index; not the DB collation
        rows.sort(key=lambda row: row.name)
    if prefix is not None:
        match = _like_prefix(prefix).match
        rows = [row for row in rows if match(row.name)]
    return rows


def create(conn: sa.Connection, name: str) -> sa.Row:
    """Insert a trait (IntegrityError if it exists) and return its row."""
    now = utcnow()
    conn.execute(sa.insert(tr).values(name=name, created_at=now))
    row = get_by_name(conn, name)
    assert row is not None
    return row


def in_use(conn: sa.Connection, trait_id: int) -> bool:
    rptr = tables.resource_provider_traits
    row = conn.execute(sa.select(rptr.c.trait_id).where(rptr.c.trait_id == trait_id).limit(1))
    return row.first() is not None


def delete_unused(conn: sa.Connection, trait_id: int) -> bool:
    """Delete the trait unless a provider has it; False if nothing was deleted."""
    rptr = tables.resource_provider_traits
    used = sa.exists().where(rptr.c.trait_id == tr.c.id)
    result = conn.execute(sa.delete(tr).where(tr.c.id == trait_id, ~used))
    return result.rowcount == 1


def provider_traits(conn: sa.Connection, provider_id: int) -> list[sa.Row]:
    """The provider's trait rows, in trait id order (as Placement lists them)."""
    rptr = tables.resource_provider_traits
    return list(
        conn.execute(
            _columns()
            .select_from(tr.join(rptr, rptr.c.trait_id == tr.c.id))
            .where(rptr.c.resource_provider_id == provider_id)
            .order_by(tr.c.id)
        )
    )


def replace_provider_traits(
    conn: sa.Connection, provider: providers.Provider, trait_ids: set[int]
) -> int:
    """Make ``trait_ids`` the provider's traits; return its generation.

    The generation is compare-and-swapped from the one read in ``provider``
    (``ConcurrentUpdate`` on a race), and only when the set changes. The
    swap comes first so a concurrent writer waits on the provider row.
    """
    rptr = tables.resource_provider_traits
    have = set(conn.execute(_PROVIDER_TRAIT_IDS, {"b_rp": provider.id}).scalars())
    to_add = trait_ids - have
    to_delete = have - trait_ids
    if not to_add and not to_delete:
        return provider.generation
    generation = providers.increment_generation(conn, provider, provider.generation)
    if to_delete:
        conn.execute(
            sa.delete(rptr).where(
                rptr.c.resource_provider_id == provider.id,
                rptr.c.trait_id.in_(sorted(to_delete)),
            )
        )
    if to_add:
        now = utcnow()
        conn.execute(
            _LINK,
            [
                {"trait_id": tid, "resource_provider_id": provider.id, "created_at": now}
                for tid in sorted(to_add)
            ],
        )
    return generation
