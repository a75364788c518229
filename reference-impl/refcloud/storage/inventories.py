"""Inventory records of resource providers.

None of these functions touch the provider generation: callers do the
compare-and-swap with ``providers.increment_generation`` in the same
transaction. Inventories are keyed by resource class name; every record is a
dict with the six wire fields (``total``, ``reserved``, ``min_unit``,
``max_unit``, ``step_size``, ``allocation_ratio``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from refcloud import exceptions
from refcloud.storage import resource_classes, tables
from refcloud.storage.engine import utcnow
from refcloud.storage.providers import Provider

inv = tables.inventories
alloc = tables.allocations

MAX_INT = 2147483647

FIELDS = ("total", "reserved", "min_unit", "max_unit", "step_size", "allocation_ratio")

# Applied to request data before anything else (the API's own defaults).
DEFAULTS: dict[str, Any] = {
    "reserved": 0,
    "min_unit": 1,
    "max_unit": MAX_INT,
    "step_size": 1,
    "allocation_ratio": 1.0,
}

CAPACITY_MSG = (
    "Invalid inventory for '%(resource_class)s' on resource provider "
    "'%(uuid)s'. The reserved value is greater than or equal to total."
)
CAPACITY_MSG_ZERO_OK = (
    "Invalid inventory for '%(resource_class)s' on resource provider "
    "'%(uuid)s'. The reserved value is greater than total."
)
IN_USE_MSG = "Inventory for '%(resource_classes)s' on resource provider '%(uuid)s' in use."


class InventoryRecordNotFound(exceptions.NotFound):
    """An inventory row vanished between reading and updating it (a race)."""

    msg_fmt = "No inventory of class %(resource_class)s found."


@dataclass(frozen=True, slots=True)
class Record:
    """One stored inventory row."""

    resource_class: str
    resource_class_id: int
    total: int
    reserved: int
    min_unit: int
    max_unit: int
    step_size: int
    allocation_ratio: float
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def with_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """The request's inventory fields over the API defaults."""
    result = dict(DEFAULTS)
    result.update(data)
    return result


def capacity(data: Mapping[str, Any]) -> int:
    """int((total - reserved) * allocation_ratio), as Placement computes it."""
    return int((data["total"] - data["reserved"]) * data["allocation_ratio"])


def check_capacity(
    provider_uuid: str, inventories: Mapping[str, Mapping[str, Any]], *, allow_zero_capacity: bool
) -> None:
    """Raise InvalidInventoryCapacity for a class with no usable capacity.

    Below 1.26 (``allow_zero_capacity`` False) capacity must be > 0, from
    1.26 only a negative capacity is rejected.
    """
    for rc_name, data in inventories.items():
        cap = capacity(with_defaults(data))
        bad = cap < 0 if allow_zero_capacity else cap <= 0
        if bad:
            msg = CAPACITY_MSG_ZERO_OK if allow_zero_capacity else CAPACITY_MSG
            raise exceptions.InvalidInventoryCapacity(
                msg % {"resource_class": rc_name, "uuid": provider_uuid},
                resource_class=rc_name,
                uuid=provider_uuid,
            )


def _select_records(provider_id: int) -> sa.Select:
    rc = tables.resource_classes
    return (
        sa.select(
            rc.c.name.label("resource_class"),
            inv.c.resource_class_id,
            inv.c.total,
            inv.c.reserved,
            inv.c.min_unit,
            inv.c.max_unit,
            inv.c.step_size,
            inv.c.allocation_ratio,
            inv.c.created_at,
            inv.c.updated_at,
        )
        .select_from(inv.join(rc, rc.c.id == inv.c.resource_class_id))
        .where(inv.c.resource_provider_id == provider_id)
        .order_by(inv.c.resource_class_id)
    )


def get_records(conn: sa.Connection, provider_id: int) -> list[Record]:
    """Every inventory row of a provider, ordered by resource class id."""
    return [Record(**row._mapping) for row in conn.execute(_select_records(provider_id))]


def get_record(conn: sa.Connection, provider_id: int, rc_name: str) -> Record | None:
    """One inventory row by class name, or None."""
    rc = tables.resource_classes
    row = conn.execute(_select_records(provider_id).where(rc.c.name == rc_name)).first()
    return Record(**row._mapping) if row is not None else None


def get_all(conn: sa.Connection, provider_id: int) -> dict[str, dict]:
    """resource class name -> the six inventory fields, for one provider."""
    return {rec.resource_class: rec.fields() for rec in get_records(conn, provider_id)}


def _class_ids(conn: sa.Connection, names: Iterable[str]) -> dict[str, int]:
    """name -> id, raising ResourceClassNotFound for the first unknown name."""
    names = list(names)
    found = resource_classes.ids_of(conn, set(names))
    for name in names:
        if name not in found:
            raise exceptions.ResourceClassNotFound(name=name)
    return found


def classes_in_use(conn: sa.Connection, provider_id: int, rc_ids: Iterable[int]) -> list[int]:
    """The ids among ``rc_ids`` that have allocations on the provider."""
    ids = list(rc_ids)
    if not ids:
        return []
    rows = conn.execute(
        sa.select(alloc.c.resource_class_id)
        .where(alloc.c.resource_provider_id == provider_id, alloc.c.resource_class_id.in_(ids))
        .group_by(alloc.c.resource_class_id)
        .order_by(alloc.c.resource_class_id)
    )
    return list(rows.scalars())


def _delete(conn: sa.Connection, provider: Provider, rc_ids: list[int]) -> int:
    """Delete some classes' inventory; InventoryInUse if any has allocations."""
    used = classes_in_use(conn, provider.id, rc_ids)
    if used:
        names = resource_classes.names_by_id(conn)
        joined = ", ".join(names.get(i, str(i)) for i in used)
        raise exceptions.InventoryInUse(
            IN_USE_MSG % {"resource_classes": joined, "uuid": provider.uuid},
            resource_classes=joined,
            uuid=provider.uuid,
        )
    result = conn.execute(
        sa.delete(inv).where(
            inv.c.resource_provider_id == provider.id, inv.c.resource_class_id.in_(rc_ids)
        )
    )
    return int(result.rowcount or 0)


# Statements built once (compiled and cache-keyed once, not per request).
_INSERT = sa.insert(inv)
_UPDATE = (
    sa.update(inv)
    .where(inv.c.resource_provider_id == sa.bindparam("b_rp"),
           inv.c.resource_class_id == sa.bindparam("b_rc"))
    .values(**{name: sa.bindparam(f"b_{name}") for name in FIELDS},
            updated_at=sa.bindparam("b_now"))
)
_EXISTING = sa.select(inv.c.resource_class_id).where(
    inv.c.resource_provider_id == sa.bindparam("b_rp"))


def _insert_many(conn: sa.Connection, provider: Provider,
                 rows: list[tuple[int, Mapping[str, Any]]]) -> None:
    """Insert inventories (``(class id, fields)`` pairs) in one executemany round trip."""
    if not rows:
        return
    now = utcnow()
    conn.execute(_INSERT, [
        {"resource_provider_id": provider.id, "resource_class_id": rc_id,
         **{name: data[name] for name in FIELDS}, "created_at": now}
        for rc_id, data in rows
    ])


def _insert(conn: sa.Connection, provider: Provider, rc_id: int, data: Mapping[str, Any]) -> None:
    _insert_many(conn, provider, [(rc_id, data)])


def _update(conn: sa.Connection, provider: Provider, rc_id: int, data: Mapping[str, Any]) -> int:
    result = conn.execute(_UPDATE, {
        "b_rp": provider.id, "b_rc": rc_id, "b_now": utcnow(),
        **{f"b_{name}": data[name] for name in FIELDS},
    })
    return int(result.rowcount or 0)


def replace_all(
    conn: sa.Connection,
    provider: Provider,
    inventories: dict[str, dict],
    *,
    allow_zero_capacity: bool,
    validate_capacity: bool = False,
) -> None:
    """Make ``inventories`` (class name -> fields) the provider's whole inventory.

    Missing optional fields take the API defaults. Raises
    ``ResourceClassNotFound`` for an unknown class and ``InventoryInUse``
    when a removed class still has allocations on the provider. Shrinking
    below current usage is allowed. The generation is NOT touched.

    Capacity (``allow_zero_capacity``: the 1.26 rule) is only checked when
    ``validate_capacity`` is True, as the inventory handlers do. Real
    Placement's reshaper does not validate inventory capacity, so the
    reshaper keeps the default False.
    """
    data = {name: with_defaults(fields) for name, fields in inventories.items()}
    if validate_capacity:
        check_capacity(provider.uuid, data, allow_zero_capacity=allow_zero_capacity)
    wanted = _class_ids(conn, data)
    existing = set(conn.execute(_EXISTING, {"b_rp": provider.id}).scalars())
    these = set(wanted.values())
    to_delete = sorted(existing - these)
    if to_delete:
        _delete(conn, provider, to_delete)
    _insert_many(conn, provider,
                 [(rc_id, data[name]) for name, rc_id in wanted.items() if rc_id not in existing])
    for name, rc_id in wanted.items():
        if rc_id in existing and not _update(conn, provider, rc_id, data[name]):
            raise InventoryRecordNotFound(f"No inventory of class {name} found.")


def add(conn: sa.Connection, provider: Provider, rc_name: str, fields: Mapping[str, Any]) -> None:
    """Insert one inventory (ResourceClassNotFound; IntegrityError if present)."""
    rc_id = _class_ids(conn, [rc_name])[rc_name]
    _insert(conn, provider, rc_id, with_defaults(fields))


def update(
    conn: sa.Connection, provider: Provider, rc_name: str, fields: Mapping[str, Any]
) -> bool:
    """Update one existing inventory; False when the provider has none of the class.

    Raises ResourceClassNotFound for an unknown class.
    """
    rc_id = _class_ids(conn, [rc_name])[rc_name]
    return _update(conn, provider, rc_id, with_defaults(fields)) > 0


def delete(conn: sa.Connection, provider: Provider, rc_name: str) -> bool:
    """Delete one inventory; False when there was none.

    Raises ResourceClassNotFound for an unknown class and InventoryInUse
    when the class has allocations on the provider.
    """
    rc_id = _class_ids(conn, [rc_name])[rc_name]
    return _delete(conn, provider, [rc_id]) > 0
