"""Consumers, and the projects, users and consumer types they refer to.

A consumer row is created on its first allocation write (generation 0),
its generation is compare-and-swapped by every allocation write, and the
row is deleted when its last allocation goes. Project, user and consumer
type rows are created on first use. Every function works inside the
caller's transaction; a unique-key race on create surfaces as
``sqlalchemy.exc.IntegrityError``, which the allocation writer retries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from refcloud import exceptions
from refcloud.storage import providers, tables
from refcloud.storage.engine import utcnow

CONSUMER_TYPE_UNKNOWN = "unknown"

_con = tables.consumers
_proj = tables.projects
_user = tables.users
_ctype = tables.consumer_types
_alloc = tables.allocations


class UnstorableText(exceptions.BadRequest):
    """Text no database can take (a lone surrogate), or a NUL on PostgreSQL.

    Real Placement answers 500 for the first; refcloud never sends a 500.
    """

    msg_fmt = "%(field)s cannot contain a NUL character on this database."


def _check_storable(conn: sa.Connection, field: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnstorableText(f"{field} is not valid UTF-8 text.") from None
    if not providers.storable(conn, value):
        raise UnstorableText(field=field)


@dataclass(frozen=True, slots=True)
class Consumer:
    id: int
    uuid: str
    generation: int
    project_id: int
    user_id: int
    project_external_id: str
    user_external_id: str
    consumer_type_id: int | None
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


def _select() -> sa.Select:
    return sa.select(
        _con.c.id, _con.c.uuid, _con.c.generation, _con.c.project_id, _con.c.user_id,
        _proj.c.external_id.label("project_external_id"),
        _user.c.external_id.label("user_external_id"),
        _con.c.consumer_type_id, _con.c.created_at, _con.c.updated_at,
    ).select_from(
        _con.join(_proj, _proj.c.id == _con.c.project_id).join(
            _user, _user.c.id == _con.c.user_id
        )
    )


def get_by_uuid(conn: sa.Connection, uuid: str) -> Consumer | None:
    """The consumer with this uuid, or None."""
    row = conn.execute(_select().where(_con.c.uuid == uuid)).first()
    return Consumer(**row._mapping) if row is not None else None


def _get_or_create(conn: sa.Connection, table: sa.Table, column: str, value: str) -> int:
    col = table.c[column]
    found = conn.execute(sa.select(table.c.id).where(col == value)).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(sa.insert(table).values({column: value, "created_at": utcnow()}))
    return int(result.inserted_primary_key[0])


def project_id_for(conn: sa.Connection, external_id: str) -> int:
    """The internal id of a project, created on first use."""
    return _get_or_create(conn, _proj, "external_id", external_id)


def user_id_for(conn: sa.Connection, external_id: str) -> int:
    """The internal id of a user, created on first use."""
    return _get_or_create(conn, _user, "external_id", external_id)


def consumer_type_id_for(conn: sa.Connection, name: str) -> int:
    """The id of a consumer type, created on first use."""
    return _get_or_create(conn, _ctype, "name", name)


def consumer_type_name(conn: sa.Connection, type_id: int | None) -> str:
    """A consumer type's name; "unknown" for a consumer without one."""
    if type_id is None:
        return CONSUMER_TYPE_UNKNOWN
    name = conn.execute(sa.select(_ctype.c.name).where(_ctype.c.id == type_id)).scalar()
    return name if name is not None else CONSUMER_TYPE_UNKNOWN


def create(
    conn: sa.Connection,
    uuid: str,
    project_id: int,
    user_id: int,
    consumer_type_id: int | None,
) -> Consumer:
    """Insert a consumer at generation 0."""
    conn.execute(
        sa.insert(_con).values(
            uuid=uuid, project_id=project_id, user_id=user_id, generation=0,
            consumer_type_id=consumer_type_id, created_at=utcnow(),
        )
    )
    consumer = get_by_uuid(conn, uuid)
    assert consumer is not None
    return consumer


def update_attributes(
    conn: sa.Connection,
    consumer: Consumer,
    project_id: int,
    user_id: int,
    consumer_type_id: int | None,
) -> None:
    """Store a changed project/user (and consumer type when one is given).

    The generation is not touched here: the allocation write bumps it.
    """
    values: dict = {}
    if project_id != consumer.project_id or user_id != consumer.user_id:
        values.update(project_id=project_id, user_id=user_id)
    if consumer_type_id is not None and consumer_type_id != consumer.consumer_type_id:
        values["consumer_type_id"] = consumer_type_id
    if not values:
        return
    values["updated_at"] = utcnow()
    conn.execute(
        sa.update(_con)
        .where(_con.c.id == consumer.id, _con.c.generation == consumer.generation)
        .values(**values)
    )


def increment_generation(conn: sa.Connection, consumer: Consumer) -> int:
    """Compare-and-swap the consumer generation; ``ConcurrentUpdate`` on a race."""
    result = conn.execute(
        sa.update(_con)
        .where(_con.c.id == consumer.id, _con.c.generation == consumer.generation)
        .values(generation=consumer.generation + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise exceptions.ConcurrentUpdate(
            "Another thread concurrently updated the data. Please retry your update"
        )
    return consumer.generation + 1


def delete_if_no_allocations(conn: sa.Connection, uuids: Iterable[str]) -> None:
    """Delete those of the consumers that no longer have any allocation."""
    uuids = list(uuids)
    if not uuids:
        return
    has_allocs = sa.select(_alloc.c.id).where(_alloc.c.consumer_id == _con.c.uuid).exists()
    conn.execute(sa.delete(_con).where(_con.c.uuid.in_(uuids), ~has_allocs))


@dataclass(frozen=True, slots=True)
class Ensured:
    """A consumer as found or created, and the attributes the request wants."""

    consumer: Consumer
    project_id: int
    user_id: int
    consumer_type_id: int | None


def ensure(
    conn: sa.Connection,
    uuid: str,
    project: str,
    user: str,
    consumer_type: str | None,
    *,
    generation: int | None,
    check_generation: bool,
) -> Ensured:
    """Get or create a consumer (and its project, user, type) for a write.

    With ``check_generation`` (>= 1.28) the client's generation must match
    the stored one, or be None for a consumer that does not exist yet
    (``ConsumerGenerationConflict`` otherwise). Changed attributes are not
    stored here: ``update_attributes`` does that in the write itself.
    """
    for field, value in (("project_id", project), ("user_id", user)):
        _check_storable(conn, field, value)
    project_id = project_id_for(conn, project)
    user_id = user_id_for(conn, user)
    consumer = get_by_uuid(conn, uuid)
    if consumer is not None:
        if check_generation and consumer.generation != generation:
            raise exceptions.ConsumerGenerationConflict(
                expected=consumer.generation, got=generation
            )
    elif check_generation and generation is not None:
        raise exceptions.ConsumerGenerationConflict(expected="null", got=generation)
    type_id = consumer_type_id_for(conn, consumer_type) if consumer_type is not None else None
    if consumer is None:
        consumer = create(conn, uuid, project_id, user_id, type_id)
    return Ensured(consumer, project_id, user_id, type_id)
