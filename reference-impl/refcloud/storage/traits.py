"""Trait lookups (standard traits are seeded at start-up)."""

from __future__ import annotations

import sqlalchemy as sa

from refcloud.storage import tables

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
