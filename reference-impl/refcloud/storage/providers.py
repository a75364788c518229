"""Resource provider rows and the generation compare-and-swap."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa

from refcloud import exceptions
from refcloud.storage import tables
from refcloud.storage.engine import utcnow

rp = tables.resource_providers


@dataclass(frozen=True, slots=True)
class Provider:
    id: int
    uuid: str
    name: str
    generation: int
    root_provider_id: int
    parent_provider_id: int | None
    root_provider_uuid: str
    parent_provider_uuid: str | None
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


def _select() -> sa.Select:
    root = rp.alias("root")
    parent = rp.alias("parent")
    return (
        sa.select(
            rp.c.id, rp.c.uuid, rp.c.name, rp.c.generation,
            rp.c.root_provider_id, rp.c.parent_provider_id,
            root.c.uuid.label("root_provider_uuid"),
            parent.c.uuid.label("parent_provider_uuid"),
            rp.c.created_at, rp.c.updated_at,
        )
        .select_from(
            rp.outerjoin(root, root.c.id == rp.c.root_provider_id).outerjoin(
                parent, parent.c.id == rp.c.parent_provider_id
            )
        )
    )


def select_providers() -> sa.Select:
    """A SELECT of Provider columns; add WHERE clauses and pass rows to ``from_row``."""
    return _select()


def from_row(row: sa.Row) -> Provider:
    return Provider(**row._mapping)


def get_by_uuid(conn: sa.Connection, uuid: str) -> Provider:
    """The provider, or ``ProviderNotFound``."""
    row = conn.execute(_select().where(rp.c.uuid == uuid)).first()
    if row is None:
        raise exceptions.ProviderNotFound(uuid=uuid)
    return from_row(row)


def find_by_uuid(conn: sa.Connection, uuid: str) -> Provider | None:
    row = conn.execute(_select().where(rp.c.uuid == uuid)).first()
    return from_row(row) if row is not None else None


def increment_generation(conn: sa.Connection, provider: Provider, expected: int | None = None) -> int:
    """Compare-and-swap the generation from ``expected`` (default: the value read) to +1.

    Raises ``ConcurrentUpdate`` when another writer got there first. Returns
    the new generation.
    """
    current = provider.generation if expected is None else expected
    result = conn.execute(
        sa.update(rp)
        .where(rp.c.id == provider.id, rp.c.generation == current)
        .values(generation=current + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise exceptions.ConcurrentUpdate()
    return current + 1
