"""Resource provider rows and the generation compare-and-swap."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from refcloud import exceptions
from refcloud.storage import aggregates, resource_classes, tables, traits
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


# Statements of the write path, built once: SQLAlchemy then compiles each one and computes
# its cache key once instead of on every request (that was a third of a write's time).
_BY_UUID = _select().where(rp.c.uuid == sa.bindparam("b_uuid"))
_CAS = (
    sa.update(rp)
    .where(rp.c.id == sa.bindparam("b_id"), rp.c.generation == sa.bindparam("b_expected"))
    .values(generation=sa.bindparam("b_new"), updated_at=sa.bindparam("b_now"))
)
_TAKEN = (
    sa.select(rp.c.uuid == sa.bindparam("b_uuid"))
    .where(sa.or_(rp.c.uuid == sa.bindparam("b_uuid"), rp.c.name == sa.bindparam("b_name")))
    .limit(2)
)
_INSERT = sa.insert(rp)
# INSERT ... ON CONFLICT DO NOTHING RETURNING id: no row back means the uuid or the name is
# taken (also by a writer that committed meanwhile), found out without a check before the
# insert nor a savepoint around it (three round trips fewer per create on PostgreSQL).
_INSERT_NEW = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(rp).on_conflict_do_nothing()
    .returning(rp.c.id)
    for dialect in (postgresql, sqlite)
}
_SET_ROOT = sa.update(rp).where(rp.c.id == sa.bindparam("b_id")).values(
    root_provider_id=sa.bindparam("b_id"))


def _insert_root_pg() -> sa.Insert:
    """A new root on PostgreSQL in one statement: its id drawn from the sequence first, so
    ``root_provider_id`` (its own id) is written by the INSERT instead of an UPDATE after it.
    ON CONFLICT DO NOTHING RETURNING id, as ``_INSERT_NEW``."""
    new_id = sa.select(sa.func.nextval(
        sa.func.pg_get_serial_sequence(rp.name, rp.c.id.name)).label("id")).cte("new_id")
    values = sa.select(
        new_id.c.id,
        *(sa.bindparam(name, type_=rp.c[name].type)
          for name in ("uuid", "name", "generation")),
        new_id.c.id, sa.null(),
        *(sa.bindparam(name, type_=rp.c[name].type) for name in ("created_at", "updated_at")))
    columns = ["id", "uuid", "name", "generation", "root_provider_id", "parent_provider_id",
               "created_at", "updated_at"]
    return (postgresql.insert(rp).from_select(columns, values).on_conflict_do_nothing()
            .returning(rp.c.id))


_INSERT_ROOT_PG = _insert_root_pg()


def select_providers() -> sa.Select:
    """A SELECT of Provider columns; add WHERE clauses and pass rows to ``from_row``."""
    return _select()


def from_row(row: sa.Row) -> Provider:
    return Provider(**row._mapping)


def get_by_uuid(conn: sa.Connection, uuid: str) -> Provider:
    """The provider, or ``ProviderNotFound``."""
    row = conn.execute(_BY_UUID, {"b_uuid": uuid}).first()
    if row is None:
        raise exceptions.ProviderNotFound(uuid=uuid)
    return from_row(row)


def find_by_uuid(conn: sa.Connection, uuid: str) -> Provider | None:
    row = conn.execute(_BY_UUID, {"b_uuid": uuid}).first()
    return from_row(row) if row is not None else None


def increment_generation(
    conn: sa.Connection, provider: Provider, expected: int | None = None
) -> int:
    """Compare-and-swap the generation from ``expected`` (default: the value read) to +1.

    Raises ``ConcurrentUpdate`` when another writer got there first. Returns
    the new generation.
    """
    current = provider.generation if expected is None else expected
    result = conn.execute(
        _CAS, {"b_id": provider.id, "b_expected": current, "b_new": current + 1,
               "b_now": utcnow()}
    )
    if result.rowcount != 1:
        raise exceptions.ConcurrentUpdate()
    return current + 1


# --- lookups safe for any database -------------------------------------------


def storable(conn: sa.Connection, text: str) -> bool:
    """False for text PostgreSQL cannot hold (a NUL character): it matches nothing."""
    return "\x00" not in text or conn.dialect.name == "sqlite"


def get_for_request(conn: sa.Connection, uuid: str) -> Provider:
    """``get_by_uuid`` for a uuid straight from a URL: ProviderNotFound, never a
    database error, for text the database cannot store."""
    if not storable(conn, uuid):
        raise exceptions.ProviderNotFound(uuid=uuid)
    return get_by_uuid(conn, uuid)


def find_for_request(conn: sa.Connection, uuid: str) -> Provider | None:
    """``find_by_uuid`` for a uuid straight from a URL (None for unstorable text)."""
    return find_by_uuid(conn, uuid) if storable(conn, uuid) else None


# --- create / update / delete -------------------------------------------------

_SELF_PARENT = (
    "parent provider UUID cannot be same as UUID. "
    "Please set parent provider UUID to None if there is no parent."
)
_NO_PARENT = "parent provider UUID does not exist."
_NUL_NAME = "name cannot contain a NUL character on this database."


def _duplicate_field(conn: sa.Connection, uuid: str | None, name: str,
                     exclude_id: int | None = None) -> str | None:
    """Which unique column a row would collide on: 'uuid' first, then 'name'."""
    if uuid is not None and conn.execute(
        sa.select(rp.c.id).where(rp.c.uuid == uuid).limit(1)
    ).first():
        return "uuid"
    query = sa.select(rp.c.id).where(rp.c.name == name)
    if exclude_id is not None:
        query = query.where(rp.c.id != exclude_id)
    if conn.execute(query.limit(1)).first():
        return "name"
    return None


def create(
    conn: sa.Connection, *, uuid: str, name: str, parent_uuid: str | None = None
) -> Provider:
    """Insert a provider at generation 0 and return it.

    Raises ``ObjectActionError`` for a bad parent (checked first) and
    ``DuplicateName`` (field 'uuid' or 'name') for a taken uuid or name.
    """
    if not name:
        raise exceptions.ObjectActionError(action="create", reason="name is required")
    parent: Provider | None = None
    if parent_uuid is not None:
        if parent_uuid == uuid:
            raise exceptions.ObjectActionError(action="create", reason=_SELF_PARENT)
        parent = find_by_uuid(conn, parent_uuid)
        if parent is None:
            raise exceptions.ObjectActionError(action="create", reason=_NO_PARENT)
    if not storable(conn, name):
        raise exceptions.ObjectActionError(action="create", reason=_NUL_NAME)
    values = {"uuid": uuid, "name": name}
    now = utcnow()
    # a root is written twice on create (its own root id), so like Placement it starts
    # with updated_at set
    updated_at = None if parent else now
    row = {
        "uuid": uuid, "name": name, "generation": 0,
        "parent_provider_id": parent.id if parent else None,
        "root_provider_id": parent.root_provider_id if parent else None,
        "created_at": now, "updated_at": updated_at,
    }
    lenient = _INSERT_NEW.get(conn.dialect.name)
    if lenient is not None:
        one_go = parent is None and conn.dialect.name == "postgresql"
        new_id = conn.execute(_INSERT_ROOT_PG if one_go else lenient, row).scalar()
        if new_id is None:  # a uuid collision is named first
            field = _duplicate_field(conn, uuid, name) or "name"
            raise exceptions.DuplicateName(field=field, value=values[field])
        if parent is None and not one_go:
            conn.execute(_SET_ROOT, {"b_id": new_id})
        return _created(new_id, uuid, name, parent, now, updated_at)
    taken = [hit for (hit,) in conn.execute(_TAKEN, {"b_uuid": uuid, "b_name": name})]
    if taken:  # one query for both unique columns; a uuid collision is named first
        field = "uuid" if any(taken) else "name"
        raise exceptions.DuplicateName(field=field, value=values[field])
    # SQLite writers hold the database lock (BEGIN IMMEDIATE): nobody can insert the same
    # uuid or name between the check above and the insert, and a failed INSERT there only
    # undoes itself, so the savepoint (two more round trips) is for PostgreSQL only.
    guard = contextlib.nullcontext() if conn.dialect.name == "sqlite" else conn.begin_nested()
    try:
        with guard:
            new_id = conn.execute(_INSERT, row).inserted_primary_key[0]
            if parent is None:
                conn.execute(_SET_ROOT, {"b_id": new_id})
    except sa.exc.IntegrityError:
        field = _duplicate_field(conn, uuid, name) or "name"
        raise exceptions.DuplicateName(field=field, value=values[field]) from None
    return _created(new_id, uuid, name, parent, now, updated_at)


def _created(new_id: int, uuid: str, name: str, parent: Provider | None,
             now: datetime.datetime, updated_at: datetime.datetime | None) -> Provider:
    """The new provider: every column is known, no need to read the row back."""
    return Provider(
        id=new_id, uuid=uuid, name=name, generation=0,
        root_provider_id=parent.root_provider_id if parent else new_id,
        parent_provider_id=parent.id if parent else None,
        root_provider_uuid=parent.root_provider_uuid if parent else uuid,
        parent_provider_uuid=parent.uuid if parent else None,
        created_at=now, updated_at=updated_at,
    )


def subtree_ids(conn: sa.Connection, provider: Provider) -> list[int]:
    """Ids of the provider and all its descendants (one query over its tree)."""
    children: dict[int, list[int]] = {}
    rows = conn.execute(
        sa.select(rp.c.id, rp.c.parent_provider_id).where(
            rp.c.root_provider_id == provider.root_provider_id
        )
    )
    for id_, parent_id in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(id_)
    found: list[int] = []
    todo = [provider.id]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def update(
    conn: sa.Connection,
    provider: Provider,
    *,
    name: str,
    parent_uuid: str | None,
    allow_reparenting: bool,
) -> Provider:
    """Rename and/or (re/un-)parent a provider; the generation does not change.

    ``parent_uuid`` is the wanted parent (callers pass the current one when
    the body has none). Below 1.37 (``allow_reparenting`` False) a parent may
    only be set where there was none. A new root is propagated to the whole
    subtree. Raises ``ObjectActionError`` or ``DuplicateName``.
    """
    subtree: list[int] = []
    new_parent_id = provider.parent_provider_id
    new_root_id = provider.root_provider_id
    if parent_uuid is not None:
        parent = find_by_uuid(conn, parent_uuid)
        if parent is None:
            raise exceptions.ObjectActionError(action="create", reason=_NO_PARENT)
        if (
            provider.parent_provider_id is not None
            and provider.parent_provider_id != parent.id
            and not allow_reparenting
        ):
            raise exceptions.ObjectActionError(
                action="update", reason="re-parenting a provider is not currently allowed."
            )
        subtree = subtree_ids(conn, provider)
        if parent.id in subtree:
            raise exceptions.ObjectActionError(
                action="update", reason="creating loop in the provider tree is not allowed."
            )
        new_parent_id, new_root_id = parent.id, parent.root_provider_id
    elif provider.parent_provider_id is not None:
        if not allow_reparenting:
            raise exceptions.ObjectActionError(
                action="update", reason="un-parenting a provider is not currently allowed."
            )
        subtree = subtree_ids(conn, provider)
        new_parent_id, new_root_id = None, provider.id

    if not storable(conn, name):
        raise exceptions.ObjectActionError(action="update", reason=_NUL_NAME)
    changes: dict = {}
    if name != provider.name:
        changes["name"] = name
    if new_parent_id != provider.parent_provider_id:
        changes["parent_provider_id"] = new_parent_id
    if new_root_id != provider.root_provider_id:
        changes["root_provider_id"] = new_root_id
    if "name" in changes and _duplicate_field(conn, None, name, exclude_id=provider.id):
        raise exceptions.DuplicateName(field="name", value=name)
    now = utcnow()
    if changes:
        try:
            with conn.begin_nested():
                conn.execute(
                    sa.update(rp).where(rp.c.id == provider.id).values(updated_at=now, **changes)
                )
        except sa.exc.IntegrityError:
            raise exceptions.DuplicateName(field="name", value=name) from None
    descendants = [i for i in subtree if i != provider.id]
    for start in range(0, len(descendants), 500):
        chunk = descendants[start:start + 500]
        conn.execute(
            sa.update(rp)
            .where(rp.c.id.in_(chunk), rp.c.root_provider_id != new_root_id)
            .values(root_provider_id=new_root_id, updated_at=now)
        )
    return get_by_uuid(conn, provider.uuid)


def delete(conn: sa.Connection, provider: Provider) -> None:
    """Delete a provider with its inventories, aggregate and trait links.

    Raises ``CannotDeleteParent`` when it has children and ``ProviderInUse``
    when any allocation references it.
    """
    if conn.execute(
        sa.select(rp.c.id).where(rp.c.parent_provider_id == provider.id).limit(1)
    ).first():
        raise exceptions.CannotDeleteParent(uuid=provider.uuid)
    alloc = tables.allocations
    if conn.execute(
        sa.select(alloc.c.id).where(alloc.c.resource_provider_id == provider.id).limit(1)
    ).first():
        raise exceptions.ProviderInUse(uuid=provider.uuid)
    inv = tables.inventories
    conn.execute(sa.delete(inv).where(inv.c.resource_provider_id == provider.id))
    aggregates.delete_provider_links(conn, provider.id)
    rpt = tables.resource_provider_traits
    conn.execute(sa.delete(rpt).where(rpt.c.resource_provider_id == provider.id))
    conn.execute(sa.delete(rp).where(rp.c.id == provider.id))


# --- filtered listing (GET /resource_providers) ------------------------------


@dataclass
class ProviderFilters:
    """Parsed GET /resource_providers filters.

    ``required_traits`` and ``member_of`` are AND-ed lists of any-of sets.
    """

    name: str | None = None
    uuid: str | None = None
    in_tree: str | None = None
    required_traits: list[set[str]] = field(default_factory=list)
    forbidden_traits: set[str] = field(default_factory=set)
    member_of: list[set[str]] = field(default_factory=list)
    forbidden_aggs: set[str] = field(default_factory=set)
    resources: dict[str, int] = field(default_factory=dict)


def _providers_with_any_trait(trait_ids: set[int]) -> sa.Select:
    rpt = tables.resource_provider_traits
    return sa.select(rpt.c.resource_provider_id).where(rpt.c.trait_id.in_(sorted(trait_ids)))


MAX_AMOUNT = 2147483647


def providers_with_capacity(rc_id: int, amount: int) -> sa.Select:
    """SELECT of ids of providers that can fit ``amount`` of one class.

    ``used + amount <= (total - reserved) * allocation_ratio`` with
    ``min_unit <= amount <= max_unit`` and ``amount % step_size == 0``. The
    usage is a correlated sum over the (provider, class) index, so the cost
    stays linear whatever plan the database picks (even without statistics).
    """
    inv = tables.inventories
    alloc = tables.allocations
    used = (
        sa.select(sa.func.coalesce(sa.func.sum(alloc.c.used), 0))
        .where(
            alloc.c.resource_provider_id == inv.c.resource_provider_id,
            alloc.c.resource_class_id == rc_id,
        )
        .scalar_subquery()
    )
    if amount > MAX_AMOUNT:
        # no inventory can have max_unit above this; keep it out of the SQL
        return sa.select(inv.c.resource_provider_id).where(sa.false())
    want = sa.literal(amount, sa.Integer)
    return sa.select(inv.c.resource_provider_id).where(
        inv.c.resource_class_id == rc_id,
        used + want <= (inv.c.total - inv.c.reserved) * inv.c.allocation_ratio,
        inv.c.min_unit <= want,
        inv.c.max_unit >= want,
        want % inv.c.step_size == 0,
    )


#: Above this many providers the member_of result filters rows in Python instead of
#: becoming one bound ``IN`` list (SQLite caps bound parameters per statement).
_MEMBER_IN_LIST_MAX = 500


def providers_in_every(conn: sa.Connection, groups: list[set[str]]) -> set[int]:
    """Ids of providers in at least one aggregate of every any-of group.

    Two SELECTs whatever the number of groups: aggregate uuids to ids, then the
    memberships of those aggregates; the intersection is computed here. One ``IN``
    subquery per group (as before) made PostgreSQL's planner time grow exponentially
    (member_of x 200: 50 s) and SQLite refuse the statement past ~1,000 terms.
    Identical groups count once.
    """
    agg, rpa = tables.placement_aggregates, tables.resource_provider_aggregates
    distinct = {frozenset(g) for g in groups}
    wanted = sorted({u for g in distinct for u in g})
    ids: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = conn.execute(sa.select(agg.c.uuid, agg.c.id).where(agg.c.uuid.in_(chunk)))
        ids.update((agg_uuid, agg_id) for agg_uuid, agg_id in rows)
    id_groups = {frozenset(ids[u] for u in g if u in ids) for g in distinct}
    if not id_groups or frozenset() in id_groups:
        return set()
    members: dict[int, set[int]] = {}
    agg_ids = sorted({a for g in id_groups for a in g})
    for start in range(0, len(agg_ids), 500):
        chunk = agg_ids[start:start + 500]
        rows = conn.execute(sa.select(rpa.c.aggregate_id, rpa.c.resource_provider_id)
                            .where(rpa.c.aggregate_id.in_(chunk)))
        for agg_id, provider_id in rows:
            members.setdefault(agg_id, set()).add(provider_id)
    result: set[int] | None = None
    for group in sorted(id_groups, key=len):
        union: set[int] = set()
        for agg_id in group:
            union |= members.get(agg_id, set())
        result = union if result is None else result & union
        if not result:
            return set()
    return result or set()


def _none_match(conn: sa.Connection, subqueries: list[sa.Select]) -> bool:
    """True when no provider is in every one of ``subqueries``."""
    query = sa.select(rp.c.id)
    for sub in subqueries:
        query = query.where(rp.c.id.in_(sub))
    return conn.execute(query.limit(1)).first() is None


def list_filtered(conn: sa.Connection, filters: ProviderFilters) -> list[Provider]:
    """Providers matching every filter, in id order, in one SELECT.

    Name lookups keep Placement's precedence: an unknown ``in_tree`` gives an
    empty list before any name is checked; unknown required traits raise
    ``TraitNotFound``; an unknown forbidden trait raises only if some provider
    has the required traits; an unknown resource class raises
    ``ResourceClassNotFound`` only if some provider matches the required
    traits and the member_of groups.
    """
    query = _select()
    if filters.name:
        if not storable(conn, filters.name):
            return []
        query = query.where(rp.c.name == filters.name)
    if filters.uuid:
        query = query.where(rp.c.uuid == filters.uuid)
    if filters.in_tree:
        root_id = conn.execute(
            sa.select(rp.c.root_provider_id).where(rp.c.uuid == filters.in_tree)
        ).scalar()
        if root_id is None:
            return []
        query = query.where(rp.c.root_provider_id == root_id)

    required_names = [n for group in filters.required_traits for n in sorted(group)]
    trait_ids = traits.ids_of(
        conn, {n for n in set(required_names) | filters.forbidden_traits if storable(conn, n)}
    )
    for name in required_names:
        if name not in trait_ids:
            raise exceptions.TraitNotFound(names=name)
    required = [
        _providers_with_any_trait({trait_ids[n] for n in group})
        for group in filters.required_traits
    ]
    for name in sorted(filters.forbidden_traits):
        if name not in trait_ids:
            if required and _none_match(conn, required):
                return []
            raise exceptions.TraitNotFound(names=name)
    member_ids = providers_in_every(conn, filters.member_of) if filters.member_of else None
    rc_ids = resource_classes.ids_of(conn, {n for n in filters.resources if storable(conn, n)})
    for rc_name in filters.resources:
        if rc_name not in rc_ids:
            if required and _none_match(conn, required):
                return []
            if member_ids is not None and not member_ids:
                return []
            raise exceptions.ResourceClassNotFound(name=rc_name)

    for sub in required:
        query = query.where(rp.c.id.in_(sub))
    if filters.forbidden_traits:
        forbidden_ids = {trait_ids[n] for n in filters.forbidden_traits}
        query = query.where(rp.c.id.not_in(_providers_with_any_trait(forbidden_ids)))
    if member_ids is not None:
        if not member_ids:
            return []
        if len(member_ids) <= _MEMBER_IN_LIST_MAX:
            query = query.where(rp.c.id.in_(sorted(member_ids)))
    if filters.forbidden_aggs:
        query = query.where(rp.c.id.not_in(aggregates.providers_in_any(filters.forbidden_aggs)))
    for rc_name, amount in filters.resources.items():
        query = query.where(rp.c.id.in_(providers_with_capacity(rc_ids[rc_name], amount)))
    rows = conn.execute(query.order_by(rp.c.id))
    if member_ids is not None and len(member_ids) > _MEMBER_IN_LIST_MAX:
        return [from_row(row) for row in rows if row.id in member_ids]
    return [from_row(row) for row in rows]
