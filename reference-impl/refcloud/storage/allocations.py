"""Allocations: reads, the replace-all write with its checks, delete, reshape.

A write names, per consumer, the new allocations (provider uuid -> class ->
amount). Inside one transaction it (1) gets or creates each consumer and
checks its generation, (2) resolves the providers, (3) locks the provider
rows (FOR UPDATE, id order; a no-op on SQLite) and stores changed consumer
attributes, (4) deletes the consumers' current allocations, (5) checks
inventory, unit constraints and capacity, (6) inserts the new rows, (7)
compare-and-swaps the generation of every provider named and of every
consumer touched, and (8) deletes the consumers left without allocations.
A lost compare-and-swap rolls the whole transaction back and the write runs
again, up to the configured count."""

from __future__ import annotations

import datetime
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa

from refcloud import exceptions
from refcloud.storage import consumers as consumers_db
from refcloud.storage import inventories as inventories_db
from refcloud.storage import providers, resource_classes, tables
from refcloud.storage.engine import Database, utcnow

LOG = logging.getLogger(__name__)

_alloc = tables.allocations
_inv = tables.inventories
_rp = tables.resource_providers
_rc = tables.resource_classes

#: project/user used below 1.8, where a PUT carries neither.
INCOMPLETE_CONSUMER_ID = "00000000-0000-0000-0000-000000000000"

PROVIDER_RACE = (
    "Another thread concurrently updated the resource provider data. Please retry your update"
)

T = TypeVar("T")


class UnknownAllocationProvider(exceptions.BadRequest):
    msg_fmt = "Allocation for resource provider '%(uuid)s' that does not exist."


class ConstraintsViolated(exceptions.InvalidInventory):
    msg_fmt = (
        "Unable to create allocation for '%(resource_class)s' on resource provider "
        "'%(uuid)s'. The requested amount would violate inventory constraints."
    )


class CapacityExceeded(exceptions.InvalidInventory):
    msg_fmt = (
        "Unable to create allocation for '%(resource_class)s' on resource provider "
        "'%(uuid)s'. The requested amount would exceed the capacity."
    )


@dataclass(frozen=True, slots=True)
class ConsumerRequest:
    """One consumer's part of an allocation write.

    ``allocations`` maps provider uuid -> {resource class: amount}, in request
    order; empty means "remove all of this consumer's allocations".
    ``generation`` is only compared when the write checks generations;
    ``consumer_type`` is None below 1.38 (the stored type is then kept).
    """

    uuid: str
    project_id: str
    user_id: str
    allocations: dict[str, dict[str, int]]
    generation: int | None = None
    consumer_type: str | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    consumer: consumers_db.Consumer
    provider: providers.Provider
    resource_class: str
    used: int


@dataclass(frozen=True, slots=True)
class ConsumerAllocation:
    provider_uuid: str
    provider_generation: int
    resource_class: str
    used: int
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


@dataclass(frozen=True, slots=True)
class ConsumerAllocations:
    """Everything GET /allocations/{consumer} shows."""

    consumer: consumers_db.Consumer
    consumer_type: str
    allocations: list[ConsumerAllocation]


@dataclass(frozen=True, slots=True)
class ProviderAllocation:
    consumer_uuid: str
    consumer_generation: int | None
    resource_class: str
    used: int
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------
def get_for_consumer(conn: sa.Connection, consumer_uuid: str) -> ConsumerAllocations | None:
    """The consumer's allocations, or None when it has none."""
    if not providers.storable(conn, consumer_uuid):
        return None
    rows = conn.execute(
        sa.select(
            _rp.c.uuid, _rp.c.generation, _rc.c.name, _alloc.c.used,
            _alloc.c.created_at, _alloc.c.updated_at,
        )
        .select_from(
            _alloc.join(_rp, _rp.c.id == _alloc.c.resource_provider_id).join(
                _rc, _rc.c.id == _alloc.c.resource_class_id
            )
        )
        .where(_alloc.c.consumer_id == consumer_uuid)
        .order_by(_alloc.c.id)
    ).all()
    if not rows:
        return None
    consumer = consumers_db.get_by_uuid(conn, consumer_uuid)
    if consumer is None:
        return None
    return ConsumerAllocations(
        consumer=consumer,
        consumer_type=consumers_db.consumer_type_name(conn, consumer.consumer_type_id),
        allocations=[ConsumerAllocation(*row) for row in rows],
    )


def get_for_provider(conn: sa.Connection, provider_id: int) -> list[ProviderAllocation]:
    """All allocations against one provider, with their consumer's generation."""
    con = tables.consumers
    rows = conn.execute(
        sa.select(
            _alloc.c.consumer_id, con.c.generation, _rc.c.name, _alloc.c.used,
            _alloc.c.created_at, _alloc.c.updated_at,
        )
        .select_from(
            _alloc.join(_rc, _rc.c.id == _alloc.c.resource_class_id).outerjoin(
                con, con.c.uuid == _alloc.c.consumer_id
            )
        )
        .where(_alloc.c.resource_provider_id == provider_id)
        .order_by(_alloc.c.id)
    )
    return [ProviderAllocation(*row) for row in rows]


# --------------------------------------------------------------------------
# Delete
# --------------------------------------------------------------------------
def delete_for_consumer(conn: sa.Connection, consumer_uuid: str) -> bool:
    """Remove a consumer's allocations and the consumer; False when it had none.

    Provider generations are not touched (as in Placement).
    """
    if not providers.storable(conn, consumer_uuid):
        return False
    result = conn.execute(sa.delete(_alloc).where(_alloc.c.consumer_id == consumer_uuid))
    if not result.rowcount:
        return False
    consumers_db.delete_if_no_allocations(conn, [consumer_uuid])
    return True


# --------------------------------------------------------------------------
# Write
# --------------------------------------------------------------------------
def run_with_retries(db: Database, attempts: int, work: Callable[[sa.Connection], T]) -> T:
    """Run ``work`` in a write transaction, again after a lost compare-and-swap.

    Also retried: a unique-key race creating a consumer/project/user/type row
    and a database deadlock or serialization failure. When the attempts run
    out, the last ``ConcurrentUpdate`` is raised.
    """
    last: exceptions.ConcurrentUpdate = exceptions.ConcurrentUpdate(PROVIDER_RACE)
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))
        try:
            with db.writer() as conn:
                return work(conn)
        except exceptions.ConcurrentUpdate as exc:
            LOG.debug("allocation write lost a generation race; retrying")
            last = exc
        except sa.exc.IntegrityError:
            LOG.debug("allocation write lost a create race; retrying")
        except sa.exc.DBAPIError as exc:
            if not _is_transient(exc):
                raise
            LOG.debug("allocation write hit a deadlock; retrying")
    raise last


def _is_transient(exc: sa.exc.DBAPIError) -> bool:
    code = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc.orig)


def write(
    db: Database,
    requests: Sequence[ConsumerRequest],
    *,
    check_generations: bool,
    attempts: int,
) -> None:
    """Replace the allocations of every consumer in ``requests``, atomically."""

    def work(conn: sa.Connection) -> UnknownAllocationProvider | None:
        prepared = prepare(conn, requests, check_generations=check_generations)
        if prepared.error is not None:
            return prepared.error
        replace(conn, prepared)
        return None

    error = run_with_retries(db, attempts, work)
    if error is not None:
        raise error


@dataclass(frozen=True, slots=True)
class Prepared:
    """What ``prepare`` found: the items to write, the consumers, or an error.

    ``error`` (an unknown provider) is returned rather than raised so the
    caller can commit what Placement leaves behind in that case: the
    consumers it had already created, at generation 0 (Placement looks the
    providers up after creating consumers and does not remove them on this
    400; a later write to such a consumer at >= 1.28 must send 0).
    """

    items: list[_Item]
    consumers: list[consumers_db.Ensured]
    error: UnknownAllocationProvider | None = None


def prepare(
    conn: sa.Connection,
    requests: Sequence[ConsumerRequest],
    *,
    check_generations: bool,
) -> Prepared:
    """Ensure the consumers (checking generations), then resolve providers.

    The items are the allocations to write (the consumer's current ones at
    used=0 when its new allocations are empty).
    """
    ensured = [
        consumers_db.ensure(
            conn, r.uuid, r.project_id, r.user_id, r.consumer_type,
            generation=r.generation, check_generation=check_generations,
        )
        for r in requests
    ]
    found: dict[str, providers.Provider] = {}
    items: list[_Item] = []
    for request, entry in zip(requests, ensured, strict=True):
        if not request.allocations:
            items.extend(_current_as_zero(conn, entry.consumer, found))
            continue
        for rp_uuid, resources in request.allocations.items():
            provider = found.get(rp_uuid) or providers.find_by_uuid(conn, rp_uuid)
            if provider is None:
                return Prepared([], ensured, UnknownAllocationProvider(uuid=rp_uuid))
            found[rp_uuid] = provider
            for rc_name, amount in resources.items():
                items.append(_Item(entry.consumer, provider, rc_name, amount))
    return Prepared(items, ensured)


def _current_as_zero(
    conn: sa.Connection, consumer: consumers_db.Consumer, found: dict[str, providers.Provider]
) -> list[_Item]:
    rows = conn.execute(
        sa.select(_rp.c.uuid, _rc.c.name)
        .select_from(
            _alloc.join(_rp, _rp.c.id == _alloc.c.resource_provider_id).join(
                _rc, _rc.c.id == _alloc.c.resource_class_id
            )
        )
        .where(_alloc.c.consumer_id == consumer.uuid)
        .order_by(_alloc.c.id)
    ).all()
    items = []
    for rp_uuid, rc_name in rows:
        provider = found.get(rp_uuid) or providers.get_by_uuid(conn, rp_uuid)
        found[rp_uuid] = provider
        items.append(_Item(consumer, provider, rc_name, 0))
    return items


def replace(
    conn: sa.Connection,
    prepared: Prepared,
    *,
    generations: dict[int, int] | None = None,
) -> dict[int, int]:
    """Store changed consumer attributes, then write the items in place of
    the current allocations of their consumers.

    ``generations`` (provider id -> generation) overrides the generation to
    compare-and-swap from, for providers the caller already bumped. Returns
    the new generation of every provider bumped.
    """
    items = prepared.items
    # Provider rows first, consumer rows after, each in a stable order: the
    # same lock order in every writer keeps PostgreSQL free of deadlocks.
    current = lock_providers(conn, {item.provider.id for item in items})
    for entry in sorted(prepared.consumers, key=lambda e: e.consumer.uuid):
        consumers_db.update_attributes(
            conn, entry.consumer, entry.project_id, entry.user_id, entry.consumer_type_id
        )
    if not items:
        return {}
    rc_ids = resource_classes.ids_of(conn, {item.resource_class for item in items})
    for item in items:
        if item.resource_class not in rc_ids:
            raise exceptions.ResourceClassNotFound(name=item.resource_class)
    provider_ids = {item.provider.id for item in items}
    prev_usage = _usage(conn, provider_ids, set(rc_ids.values()))

    touched = list(dict.fromkeys(item.consumer.uuid for item in items))
    conn.execute(sa.delete(_alloc).where(_alloc.c.consumer_id.in_(touched)))

    named = _check_capacity(conn, items, rc_ids, prev_usage)

    now = utcnow()
    rows = [
        {
            "resource_provider_id": item.provider.id,
            "consumer_id": item.consumer.uuid,
            "resource_class_id": rc_ids[item.resource_class],
            "used": item.used,
            "created_at": now,
        }
        for item in items
        if item.used > 0
    ]
    if rows:
        conn.execute(sa.insert(_alloc), rows)

    generations = generations or {}
    bumped: dict[int, int] = {}
    # A stable order (by id) keeps concurrent writers from deadlocking.
    for provider in sorted(named.values(), key=lambda p: p.id):
        bumped[provider.id] = bump_provider(
            conn, provider, generations.get(provider.id, current[provider.id])
        )
    by_uuid = {entry.consumer.uuid: entry.consumer for entry in prepared.consumers}
    for uuid in sorted(touched):
        consumers_db.increment_generation(conn, by_uuid[uuid])
    with_allocs = {item.consumer.uuid for item in items if item.used > 0}
    consumers_db.delete_if_no_allocations(conn, [u for u in touched if u not in with_allocs])
    return bumped


def lock_providers(conn: sa.Connection, provider_ids: set[int]) -> dict[int, int]:
    """Lock the providers' rows (in id order) and read their generations.

    On PostgreSQL this makes concurrent writers on one provider queue up
    instead of losing the compare-and-swap and retrying; everything read
    afterwards (inventory, usage) is then current. SQLite ignores FOR UPDATE
    (its writers are already serialised by BEGIN IMMEDIATE). The generation
    compare-and-swap stays the guard either way.
    """
    if not provider_ids:
        return {}
    rows = conn.execute(
        sa.select(_rp.c.id, _rp.c.generation)
        .where(_rp.c.id.in_(sorted(provider_ids)))
        .order_by(_rp.c.id)
        .with_for_update()
    )
    return {rp_id: generation for rp_id, generation in rows}


def bump_provider(conn: sa.Connection, provider: providers.Provider, expected: int) -> int:
    """Compare-and-swap a provider generation, with Placement's race message."""
    try:
        return providers.increment_generation(conn, provider, expected)
    except exceptions.ConcurrentUpdate:
        raise exceptions.ConcurrentUpdate(PROVIDER_RACE) from None


def _usage(
    conn: sa.Connection, provider_ids: set[int], rc_ids: set[int]
) -> dict[tuple[int, int], int]:
    rows = conn.execute(
        sa.select(
            _alloc.c.resource_provider_id, _alloc.c.resource_class_id,
            sa.func.sum(_alloc.c.used),
        )
        .where(
            _alloc.c.resource_provider_id.in_(sorted(provider_ids)),
            _alloc.c.resource_class_id.in_(sorted(rc_ids)),
        )
        .group_by(_alloc.c.resource_provider_id, _alloc.c.resource_class_id)
    )
    return {(rp_id, rc_id): int(used or 0) for rp_id, rc_id, used in rows}


def _check_capacity(
    conn: sa.Connection,
    items: list[_Item],
    rc_ids: dict[str, int],
    prev_usage: dict[tuple[int, int], int],
) -> dict[str, providers.Provider]:
    """Raise unless every item fits; return the providers named (in order).

    Runs after the consumers' own allocations were deleted, so current usage
    is everybody else's. Over capacity is still allowed when the write does
    not grow the usage it found.
    """
    # Same iteration order as Placement's set of class ids (for the message).
    wanted_rc_ids = set()
    for item in items:
        wanted_rc_ids.add(rc_ids[item.resource_class])
    provider_ids = {item.provider.id for item in items}
    inventory = {
        (row.resource_provider_id, row.resource_class_id): row
        for row in conn.execute(
            sa.select(
                _inv.c.resource_provider_id, _inv.c.resource_class_id, _inv.c.total,
                _inv.c.reserved, _inv.c.min_unit, _inv.c.max_unit, _inv.c.step_size,
                _inv.c.allocation_ratio,
            ).where(
                _inv.c.resource_provider_id.in_(sorted(provider_ids)),
                _inv.c.resource_class_id.in_(sorted(wanted_rc_ids)),
            )
        )
    }
    usage = _usage(conn, provider_ids, wanted_rc_ids)

    with_inventory = {rp_id for rp_id, _rc_id in inventory}
    missing = list(dict.fromkeys(
        item.provider.uuid for item in items if item.provider.id not in with_inventory
    ))
    if missing:
        names = {rc_id: name for name, rc_id in rc_ids.items()}
        raise exceptions.InvalidInventory(
            resource_class=", ".join(names[rc_id] for rc_id in wanted_rc_ids),
            uuid=", ".join(missing),
        )

    named: dict[str, providers.Provider] = {}
    needed_so_far: dict[tuple[int, int], int] = {}
    for item in items:
        named.setdefault(item.provider.uuid, item.provider)
        key = (item.provider.id, rc_ids[item.resource_class])
        needed_so_far[key] = needed_so_far.get(key, 0) + item.used
        if item.used == 0:
            continue
        inv = inventory.get(key)
        if inv is None:
            raise exceptions.InvalidInventory(
                resource_class=item.resource_class, uuid=item.provider.uuid
            )
        if (
            item.used < inv.min_unit
            or item.used > inv.max_unit
            or item.used % inv.step_size != 0
        ):
            raise ConstraintsViolated(resource_class=item.resource_class, uuid=item.provider.uuid)
        used = usage.get(key, 0)
        capacity = (inv.total - inv.reserved) * inv.allocation_ratio
        total_after = used + needed_so_far[key]
        if capacity < used + item.used or capacity < total_after:
            previous = prev_usage.get(key)
            if previous is not None and total_after <= previous:
                LOG.warning(
                    "Over capacity for %s on resource provider %s but the write "
                    "reduces existing overage from %s to %s",
                    item.resource_class, item.provider.uuid, previous, total_after,
                )
                continue
            raise CapacityExceeded(resource_class=item.resource_class, uuid=item.provider.uuid)
    return named


# --------------------------------------------------------------------------
# Reshape
# --------------------------------------------------------------------------
class ReshapeProviderNotFound(exceptions.NotFound):
    msg_fmt = (
        "Resource provider %(uuid)s in inventories not found: "
        "No resource provider with uuid %(uuid)s found"
    )


class ReshapeGenerationConflict(exceptions.Conflict):
    msg_fmt = (
        "resource provider generation conflict for provider %(uuid)s: "
        "actual: %(actual)s, given: %(given)s"
    )


@dataclass(frozen=True, slots=True)
class ProviderInventories:
    """One provider's part of a reshape: its expected generation and new inventory."""

    uuid: str
    generation: int
    inventories: dict[str, dict]


def reshape(
    db: Database,
    targets: Sequence[ProviderInventories],
    requests: Sequence[ConsumerRequest],
    *,
    attempts: int,
) -> None:
    """Atomically replace inventories and allocations together.

    Inventories first become the union of the old and the new ones (so
    allocations can move onto new classes while the old ones still hold
    theirs), then the allocations are replaced, then the inventories are
    set to exactly what was asked (InventoryInUse if a removed class still
    has allocations).
    """
    def work(conn: sa.Connection) -> UnknownAllocationProvider | None:
        found: list[tuple[providers.Provider, dict[str, dict]]] = []
        for target in targets:
            provider = providers.find_by_uuid(conn, target.uuid)
            if provider is None:
                raise ReshapeProviderNotFound(uuid=target.uuid)
            if provider.generation != target.generation:
                raise ReshapeGenerationConflict(
                    uuid=target.uuid, actual=provider.generation, given=target.generation
                )
            found.append((provider, target.inventories))
        prepared = prepare(conn, requests, check_generations=True)
        if prepared.error is not None:
            return prepared.error
        locked = lock_providers(
            conn, {p.id for p, _ in found} | {item.provider.id for item in prepared.items}
        )
        if any(locked[p.id] != p.generation for p, _ in found):
            raise exceptions.ConcurrentUpdate(PROVIDER_RACE)

        generations: dict[int, int] = {}
        for provider, wanted in found:
            if not wanted:
                continue
            interim = inventories_db.get_all(conn, provider.id)
            interim.update(wanted)
            inventories_db.replace_all(conn, provider, interim, allow_zero_capacity=True)
            generations[provider.id] = bump_provider(conn, provider, provider.generation)

        generations.update(replace(conn, prepared, generations=generations))

        for provider, wanted in found:
            inventories_db.replace_all(conn, provider, wanted, allow_zero_capacity=True)
            generations[provider.id] = bump_provider(
                conn, provider, generations.get(provider.id, provider.generation)
            )
        return None

    error = run_with_retries(db, attempts, work)
    if error is not None:
        raise error
