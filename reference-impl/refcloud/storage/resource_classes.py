"""Resource class lookups (standard classes are seeded at start-up)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import os_resource_classes
import sqlalchemy as sa

from refcloud import exceptions
from refcloud.storage import tables
from refcloud.storage.engine import utcnow

rc = tables.resource_classes

# Built once: a statement object is compiled and its cache key computed once, not per call.
_IDS_OF = sa.select(rc.c.name, rc.c.id).where(
    rc.c.name.in_(sa.bindparam("b_names", expanding=True)))


def id_of(conn: sa.Connection, name: str) -> int | None:
    """The id of a resource class by name, or None."""
    return conn.execute(sa.select(rc.c.id).where(rc.c.name == name)).scalar()


#: A standard class's id is its index in os_resource_classes.STANDARDS: the database is
#: seeded with exactly those ids (engine._sync_standard_names) and a standard class can be
#: neither renamed nor deleted, nor can a custom class take a standard name. So no query is
#: needed for them (one round trip less on every inventory write).
_STANDARD_IDS = {name: i for i, name in enumerate(os_resource_classes.STANDARDS)}


def ids_of(conn: sa.Connection, names: list[str] | set[str]) -> dict[str, int]:
    """name -> id for the names that exist."""
    found = {name: _STANDARD_IDS[name] for name in names if name in _STANDARD_IDS}
    custom = sorted(name for name in names if name not in found)
    if custom:
        found.update((name, id_) for name, id_ in conn.execute(_IDS_OF, {"b_names": custom}))
    return found


def names_by_id(conn: sa.Connection) -> dict[int, str]:
    """id -> name for every resource class."""
    return {id_: name for id_, name in conn.execute(sa.select(rc.c.id, rc.c.name))}


# --- resource class CRUD (the /resource_classes API) -----------------------


class ResourceClassExists(exceptions.Conflict):
    msg_fmt = "Resource class %(name)s already exists."


class ResourceClassInUse(exceptions.Conflict):
    msg_fmt = "Cannot delete resource class %(name)s. Class is in use in inventory."


class CannotDeleteStandard(exceptions.BadRequest):
    msg_fmt = "Cannot delete standard resource class %(name)s."


class CannotUpdateStandard(exceptions.BadRequest):
    msg_fmt = "Cannot update standard resource class %(name)s."


@dataclass(frozen=True, slots=True)
class ResourceClass:
    id: int
    name: str
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None

    @property
    def is_standard(self) -> bool:
        return self.id < tables.CUSTOM_RC_ID_START


def _select_rc() -> sa.Select:
    return sa.select(rc.c.id, rc.c.name, rc.c.created_at, rc.c.updated_at)


def list_all(conn: sa.Connection) -> list[ResourceClass]:
    """Every resource class: standard ones first, then custom, by id."""
    return [ResourceClass(**row._mapping) for row in conn.execute(_select_rc().order_by(rc.c.id))]


def get_by_name(conn: sa.Connection, name: str) -> ResourceClass:
    """The resource class, or ``ResourceClassNotFound``."""
    row = conn.execute(_select_rc().where(rc.c.name == name)).first()
    if row is None:
        raise exceptions.ResourceClassNotFound(name=name)
    return ResourceClass(**row._mapping)


def find_by_name(conn: sa.Connection, name: str) -> ResourceClass | None:
    row = conn.execute(_select_rc().where(rc.c.name == name)).first()
    return ResourceClass(**row._mapping) if row is not None else None


def create(conn: sa.Connection, name: str) -> ResourceClass:
    """Insert a custom class with the next custom id.

    Raises ``ResourceClassExists`` for a taken name; an IntegrityError from
    a concurrent insert of the same id escapes (retry in a new transaction).
    """
    if name in os_resource_classes.STANDARDS or find_by_name(conn, name) is not None:
        raise ResourceClassExists(name=name)
    top = conn.execute(sa.select(sa.func.max(rc.c.id))).scalar()
    next_id = tables.CUSTOM_RC_ID_START if not top or top < tables.CUSTOM_RC_ID_START else top + 1
    now = utcnow()
    conn.execute(sa.insert(rc).values(id=next_id, name=name, created_at=now))
    return ResourceClass(id=next_id, name=name, created_at=now, updated_at=None)


def rename(conn: sa.Connection, current: ResourceClass, new_name: str) -> ResourceClass:
    """Rename a custom class (CannotUpdateStandard, ResourceClassExists)."""
    if current.is_standard:
        raise CannotUpdateStandard(name=current.name)
    if new_name == current.name:
        return current
    if find_by_name(conn, new_name) is not None:
        raise ResourceClassExists(name=new_name)
    now = utcnow()
    result = conn.execute(
        sa.update(rc).where(rc.c.id == current.id).values(name=new_name, updated_at=now)
    )
    if result.rowcount != 1:
        raise exceptions.ResourceClassNotFound(name=current.name)
    return ResourceClass(
        id=current.id, name=new_name, created_at=current.created_at, updated_at=now
    )


def delete(conn: sa.Connection, current: ResourceClass) -> None:
    """Delete a custom class (CannotDeleteStandard, ResourceClassInUse, NotFound)."""
    if current.is_standard:
        raise CannotDeleteStandard(name=current.name)
    inv = tables.inventories
    used = conn.execute(
        sa.select(sa.func.count()).select_from(inv).where(inv.c.resource_class_id == current.id)
    ).scalar()
    if used:
        raise ResourceClassInUse(name=current.name)
    result = conn.execute(sa.delete(rc).where(rc.c.id == current.id))
    if result.rowcount != 1:
        raise exceptions.NotFound()
