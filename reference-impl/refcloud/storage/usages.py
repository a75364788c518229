"""Usage sums: per provider (by inventory class) and per project/user."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from refcloud.storage import tables

inv = tables.inventories
alloc = tables.allocations
rc = tables.resource_classes
cons = tables.consumers
proj = tables.projects
usr = tables.users
ctype = tables.consumer_types

# The name Placement uses for consumers without a consumer type.
UNKNOWN = "unknown"
ALL = "all"


def provider_usages(conn: sa.Connection, provider_id: int) -> dict[str, int]:
    """Class name -> used, for every class the provider has inventory of (0 if unused)."""
    used = sa.func.coalesce(sa.func.sum(alloc.c.used), 0)
    query = (
        sa.select(rc.c.name, used)
        .select_from(
            inv.join(rc, rc.c.id == inv.c.resource_class_id).outerjoin(
                alloc,
                sa.and_(
                    alloc.c.resource_provider_id == inv.c.resource_provider_id,
                    alloc.c.resource_class_id == inv.c.resource_class_id,
                ),
            )
        )
        .where(inv.c.resource_provider_id == provider_id)
        .group_by(inv.c.resource_class_id, rc.c.name)
        .order_by(inv.c.resource_class_id)
    )
    return {name: int(total) for name, total in conn.execute(query)}


def _from_consumers(user_id: str | None) -> Any:
    """allocations -> consumers -> projects [-> users] -> consumer types."""
    joined = alloc.join(cons, alloc.c.consumer_id == cons.c.uuid).join(
        proj, cons.c.project_id == proj.c.id
    )
    if user_id:
        joined = joined.join(usr, cons.c.user_id == usr.c.id)
    return joined.outerjoin(ctype, cons.c.consumer_type_id == ctype.c.id)


def _scope(query: sa.Select, project_id: str, user_id: str | None) -> sa.Select:
    query = query.where(proj.c.external_id == project_id)
    if user_id:
        query = query.where(usr.c.external_id == user_id)
    return query


def total_usages(
    conn: sa.Connection, project_id: str, user_id: str | None = None
) -> dict[str, int]:
    """Class name -> used, over all consumers of a project (and user)."""
    used = sa.func.coalesce(sa.func.sum(alloc.c.used), 0)
    query = (
        sa.select(rc.c.name, used)
        .select_from(_from_consumers(user_id).join(rc, rc.c.id == alloc.c.resource_class_id))
        .group_by(alloc.c.resource_class_id, rc.c.name)
        .order_by(alloc.c.resource_class_id)
    )
    return {name: int(total) for name, total in conn.execute(_scope(query, project_id, user_id))}


def usages_by_consumer_type(
    conn: sa.Connection,
    project_id: str,
    user_id: str | None = None,
    consumer_type: str | None = None,
) -> dict[str, dict[str, int]]:
    """The 1.38 grouping: type -> {class name: used, ..., "consumer_count": n}.

    ``consumer_type`` None groups by type (untyped consumers under
    "unknown"); "all" puts everything under "all"; "unknown" keeps only
    untyped consumers; any other value keeps only that type.
    """
    used = sa.func.coalesce(sa.func.sum(alloc.c.used), 0)
    count = sa.func.count(sa.distinct(alloc.c.consumer_id))
    source = _from_consumers(user_id)
    result: dict[str, dict[str, int]] = {}

    if consumer_type in (ALL, UNKNOWN):
        count_query = _scope(sa.select(count).select_from(source), project_id, user_id)
        query = _scope(
            sa.select(rc.c.name, used)
            .select_from(source.join(rc, rc.c.id == alloc.c.resource_class_id))
            .group_by(alloc.c.resource_class_id, rc.c.name)
            .order_by(alloc.c.resource_class_id),
            project_id,
            user_id,
        )
        if consumer_type == UNKNOWN:
            count_query = count_query.where(cons.c.consumer_type_id.is_(None))
            query = query.where(cons.c.consumer_type_id.is_(None))
        consumers = int(conn.execute(count_query).scalar() or 0)
        for name, total in conn.execute(query):
            group = result.setdefault(consumer_type, {})
            group[name] = int(total)
            group["consumer_count"] = consumers
        return result

    counts_query = _scope(
        sa.select(ctype.c.name, count).select_from(source).group_by(ctype.c.name),
        project_id,
        user_id,
    )
    query = _scope(
        sa.select(rc.c.name, used, ctype.c.name.label("type_name"))
        .select_from(source.join(rc, rc.c.id == alloc.c.resource_class_id))
        .group_by(alloc.c.resource_class_id, rc.c.name, cons.c.consumer_type_id, ctype.c.name)
        .order_by(alloc.c.resource_class_id, cons.c.consumer_type_id),
        project_id,
        user_id,
    )
    if consumer_type:
        counts_query = counts_query.where(ctype.c.name == consumer_type)
        query = query.where(ctype.c.name == consumer_type)
    counts = {name: int(n) for name, n in conn.execute(counts_query)}
    for name, total, type_name in conn.execute(query):
        group = result.setdefault(type_name or UNKNOWN, {})
        group[name] = int(total)
        group["consumer_count"] = counts.get(type_name, 0)
    return result
