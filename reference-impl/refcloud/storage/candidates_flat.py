"""Allocation candidates, the flat one-group case answered by one SQL statement.

Most requests are one unsuffixed group on a cloud without nested or sharing
providers: every candidate is then one provider that has all the classes
(each fitting), the required traits, the aggregates, and none of the
forbidden ones. The database intersects those conditions and returns the
candidates' ids and uuids in id order (only the first ``limit`` when that
is all the answer needs), so the search neither reads every inventory,
trait and aggregate row it names nor builds a Python set of each. Used for
``limit`` queries: for whole answers, probing indexes per provider and
condition costs more than the general path's scans of the named rows.

Only used when every name of the request is known: the general path
(``candidates_merge``) keeps the order in which Placement reports unknown
names and empty matches, and this path can then only end in candidates or
an empty answer, as that path would.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from refcloud.storage import candidates_merge as merge
from refcloud.storage import tables
from refcloud.storage.candidates_render import rows

rp_t = tables.resource_providers
inv_t = tables.inventories
alloc_t = tables.allocations
rpt_t = tables.resource_provider_traits
rpa_t = tables.resource_provider_aggregates


def applies(data: merge.Data, groups: list[Any], params: Any) -> bool:
    """One group with resources, every name known, no trees, no root filter.

    (Sharing providers are checked by the caller, who loads them.)
    """
    if len(groups) != 1 or data.has_trees:
        return False
    if params.root_required or params.root_forbidden or params.same_subtrees:
        return False
    group = groups[0]
    if group.in_tree or not group.resources:
        return False
    if any(name not in data.rc_ids for name in group.resources):
        return False
    named = set(group.forbidden_traits).union(*group.required_traits)
    if any(name not in data.trait_ids for name in named):
        return False
    return all(any(u in data.agg_ids for u in any_of) for any_of in group.member_of)


# Every condition is a correlated EXISTS on the provider row: providers are walked in
# id order and each is checked with index lookups, so ``LIMIT n`` stops after n matches.


def _fits(rc: int, amount: int) -> sa.ColumnElement:
    """The provider has an inventory of ``rc`` taking ``amount`` more (as ``_FITTING``)."""
    inv = inv_t.alias()
    used = (
        sa.select(sa.func.coalesce(sa.func.sum(alloc_t.c.used), 0))
        .where(alloc_t.c.resource_provider_id == inv.c.resource_provider_id)
        .where(alloc_t.c.resource_class_id == rc)
        .correlate(inv)
        .scalar_subquery()
    )
    return sa.exists().where(
        inv.c.resource_provider_id == rp_t.c.id,
        inv.c.resource_class_id == rc,
        inv.c.min_unit <= amount,
        inv.c.max_unit >= amount,
        sa.literal(amount, sa.Integer) % inv.c.step_size == 0,
        sa.literal(amount, sa.Integer) + used
        <= (inv.c.total - inv.c.reserved) * inv.c.allocation_ratio,
    )


def _has_trait(ids: list[int]) -> sa.ColumnElement:
    link = rpt_t.alias()
    return sa.exists().where(link.c.resource_provider_id == rp_t.c.id, link.c.trait_id.in_(ids))


def _in_aggregate(ids: list[int]) -> sa.ColumnElement:
    link = rpa_t.alias()
    return sa.exists().where(
        link.c.resource_provider_id == rp_t.c.id, link.c.aggregate_id.in_(ids)
    )


def search(
    conn: sa.Connection, data: merge.Data, group: Any, stop: int | None
) -> list[merge.Areq]:
    """The group's candidates, first ``stop`` of them (all when None), in id order.

    Fills ``data.uuid_of`` for them; raises ``Empty`` when there is none.
    """
    resources = {data.rc_ids[name]: amount for name, amount in group.resources.items()}
    conds = [_fits(rc, amount) for rc, amount in resources.items()]
    for any_of in group.required_traits:
        conds.append(_has_trait(sorted(data.trait_ids[name] for name in any_of)))
    if group.forbidden_traits:
        conds.append(~_has_trait(sorted(data.trait_ids[n] for n in group.forbidden_traits)))
    for any_of in group.member_of:
        conds.append(_in_aggregate(sorted(data.agg_ids[u] for u in any_of if u in data.agg_ids)))
    banned = sorted(data.agg_ids[u] for u in group.forbidden_aggs if u in data.agg_ids)
    if banned:
        conds.append(~_in_aggregate(banned))
    query = sa.select(rp_t.c.id, rp_t.c.uuid).where(*conds).order_by(rp_t.c.id)
    if stop is not None:
        query = query.limit(stop)
    found = rows(conn, query)
    if not found:
        raise merge.Empty()
    data.uuid_of.update(found)
    items = tuple(resources.items())
    return [
        merge.Areq(rp_id, tuple([(rp_id, rc, amount) for rc, amount in items]),
                   frozenset((rp_id,)), items)
        for rp_id, _uuid in found
    ]
