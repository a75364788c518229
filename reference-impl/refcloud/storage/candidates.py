"""Allocation candidates: the search behind GET /allocation_candidates.

Shape of the work, chosen for speed:

1. A handful of set-based queries load only what the request can touch:
   name -> id maps, the (provider, trait) pairs for the traits named in the
   request (plus MISC_SHARES_VIA_AGGREGATE), the (provider, aggregate) pairs
   for the aggregates named, and the inventories (with usage) of the
   requested classes that fit at least one requested amount.
2. Every group is then solved in Python with sets and dicts, in request
   order, exactly like Placement (an empty group short-circuits to an empty
   result before later groups are even validated).
3. Groups are merged per anchor (cartesian product, group_policy,
   same_subtree, post-sum capacity check, de-duplication), limited, and
   only then are provider summaries loaded, for the kept trees only.

The per-group and merge logic lives in ``candidates_merge``; this module
does the I/O and the request-wide steps.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa

from refcloud.storage import candidates_merge as merge
from refcloud.storage import resource_classes, tables, traits

SHARING_TRAIT = "MISC_SHARES_VIA_AGGREGATE"
#: Above this many ids, fetch without an IN list and filter in Python.
MAX_IN_LIST = 500

rp_t = tables.resource_providers
inv_t = tables.inventories
alloc_t = tables.allocations
rpt_t = tables.resource_provider_traits
rpa_t = tables.resource_provider_aggregates
agg_t = tables.placement_aggregates
trait_t = tables.traits


class GroupLike(Protocol):
    suffix: str
    resources: dict[str, int]
    required_traits: list[set[str]]
    forbidden_traits: set[str]
    member_of: list[set[str]]
    forbidden_aggs: set[str]
    in_tree: str | None


class ParamsLike(Protocol):
    limit: int | None
    group_policy: str | None
    root_required: set[str]
    root_forbidden: set[str]
    same_subtrees: list[set[str]]


@dataclass
class Candidate:
    """One allocation request: {provider uuid: {class: amount}} + mappings."""

    allocations: dict[str, dict[str, int]]
    mappings: dict[str, list[str]]


@dataclass
class Summary:
    uuid: str
    parent_uuid: str | None
    root_uuid: str
    #: class name -> (capacity, used), in inventory order.
    resources: dict[str, tuple[int, int]] = field(default_factory=dict)
    traits: list[str] = field(default_factory=list)


@dataclass
class Result:
    candidates: list[Candidate] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)


def search(
    conn: sa.Connection,
    groups: Sequence[GroupLike],
    params: ParamsLike,
    *,
    nested_aware: bool = True,
    randomize: bool = False,
) -> Result:
    """Find allocation candidates for ``groups`` (in request order).

    Raises ``ResourceClassNotFound`` / ``TraitNotFound`` for unknown names
    (in Placement's order); returns an empty Result when nothing matches.
    """
    try:
        return _Search(conn, groups, params, nested_aware, randomize).run()
    except merge.Empty:
        return Result()


def _in_or_all(column: sa.ColumnElement, ids: Iterable[int]) -> sa.ColumnElement | None:
    """``column IN ids`` for small sets, None (no filter) for large ones."""
    ids = list(ids)
    if len(ids) > MAX_IN_LIST:
        return None
    return column.in_(ids)


class _Search:
    def __init__(
        self,
        conn: sa.Connection,
        groups: Sequence[GroupLike],
        params: ParamsLike,
        nested_aware: bool,
        randomize: bool,
    ) -> None:
        self.conn = conn
        self.groups = list(groups)
        self.params = params
        self.nested_aware = nested_aware
        self.randomize = randomize
        self.data = merge.Data()

    # --- loading ----------------------------------------------------------

    def _load_names(self) -> None:
        d = self.data
        rc_names = {name for g in self.groups for name in g.resources}
        d.rc_ids = resource_classes.ids_of(self.conn, rc_names)
        trait_names = {SHARING_TRAIT} | self.params.root_required | self.params.root_forbidden
        for g in self.groups:
            trait_names |= g.forbidden_traits
            for any_of in g.required_traits:
                trait_names |= any_of
        d.trait_ids = traits.ids_of(self.conn, trait_names)
        agg_uuids = {u for g in self.groups for any_of in g.member_of for u in any_of}
        agg_uuids |= {u for g in self.groups for u in g.forbidden_aggs}
        if agg_uuids:
            rows = self.conn.execute(
                sa.select(agg_t.c.uuid, agg_t.c.id).where(agg_t.c.uuid.in_(sorted(agg_uuids)))
            )
            d.agg_ids = {u: i for u, i in rows}
        trees = {g.in_tree for g in self.groups if g.in_tree}
        if trees:
            rows = self.conn.execute(
                sa.select(rp_t.c.uuid, rp_t.c.root_provider_id).where(
                    rp_t.c.uuid.in_(sorted(trees))
                )
            )
            d.tree_roots = {u: r for u, r in rows}

    def _load_facts(self) -> None:
        """Trees flag, trait and aggregate memberships, fitting inventories."""
        d, conn = self.data, self.conn
        d.has_trees = (
            conn.execute(
                sa.select(rp_t.c.id).where(rp_t.c.parent_provider_id.is_not(None)).limit(1)
            ).first()
            is not None
        )
        trait_ids = sorted(set(d.trait_ids.values()))
        rows = conn.execute(
            sa.select(rpt_t.c.resource_provider_id, rpt_t.c.trait_id, rp_t.c.root_provider_id)
            .select_from(rpt_t.join(rp_t, rp_t.c.id == rpt_t.c.resource_provider_id))
            .where(rpt_t.c.trait_id.in_(trait_ids))
        )
        sharing_id = d.trait_ids.get(SHARING_TRAIT)
        for rp_id, trait_id, root_id in rows:
            d.traits_of.setdefault(rp_id, set()).add(trait_id)
            d.trait_holders.setdefault(trait_id, set()).add(rp_id)
            d.root_of[rp_id] = root_id
            if trait_id == sharing_id:
                d.sharing.add(rp_id)
        if d.agg_ids:
            rows = conn.execute(
                sa.select(
                    rpa_t.c.resource_provider_id, rpa_t.c.aggregate_id, rp_t.c.root_provider_id
                )
                .select_from(rpa_t.join(rp_t, rp_t.c.id == rpa_t.c.resource_provider_id))
                .where(rpa_t.c.aggregate_id.in_(sorted(set(d.agg_ids.values()))))
            )
            for rp_id, agg_id, root_id in rows:
                d.agg_members.setdefault(agg_id, set()).add(rp_id)
                d.root_of[rp_id] = root_id
        self._load_inventories()

    def _load_inventories(self) -> None:
        """Inventories of the requested classes fitting some requested amount."""
        d = self.data
        wanted: dict[int, set[int]] = {}
        for g in self.groups:
            for name, amount in g.resources.items():
                if name in d.rc_ids:
                    wanted.setdefault(d.rc_ids[name], set()).add(amount)
        if not wanted:
            return
        usage = (
            sa.select(
                alloc_t.c.resource_provider_id,
                alloc_t.c.resource_class_id,
                sa.func.sum(alloc_t.c.used).label("used"),
            )
            .where(alloc_t.c.resource_class_id.in_(sorted(wanted)))
            .group_by(alloc_t.c.resource_provider_id, alloc_t.c.resource_class_id)
            .subquery("usage")
        )
        used = sa.func.coalesce(usage.c.used, 0)
        capacity = (inv_t.c.total - inv_t.c.reserved) * inv_t.c.allocation_ratio
        fits = []
        for rc_id, amounts in sorted(wanted.items()):
            for amount in sorted(amounts):
                # step_size is checked in Python (portable modulo).
                fits.append(
                    sa.and_(
                        inv_t.c.resource_class_id == rc_id,
                        inv_t.c.min_unit <= amount,
                        inv_t.c.max_unit >= amount,
                        used + amount <= capacity,
                    )
                )
        query = (
            sa.select(
                inv_t.c.resource_provider_id,
                inv_t.c.resource_class_id,
                inv_t.c.total,
                inv_t.c.reserved,
                inv_t.c.min_unit,
                inv_t.c.max_unit,
                inv_t.c.step_size,
                inv_t.c.allocation_ratio,
                used.label("used"),
                rp_t.c.root_provider_id,
            )
            .select_from(
                inv_t.join(rp_t, rp_t.c.id == inv_t.c.resource_provider_id).outerjoin(
                    usage,
                    sa.and_(
                        usage.c.resource_provider_id == inv_t.c.resource_provider_id,
                        usage.c.resource_class_id == inv_t.c.resource_class_id,
                    ),
                )
            )
            .where(sa.or_(*fits))
            .order_by(inv_t.c.resource_provider_id)
        )
        for row in self.conn.execute(query):
            rp_id, rc_id, total, reserved, min_unit, max_unit, step, ratio, used_v, root = row
            d.inventory.setdefault(rc_id, {})[rp_id] = merge.Inv(
                total, reserved, min_unit, max_unit, step, ratio, int(used_v or 0)
            )
            d.root_of[rp_id] = root

    def _load_anchors(self, sharing_ids: set[int]) -> None:
        """Roots of every tree sharing an aggregate with these sharing providers."""
        d = self.data
        todo = sorted(sharing_ids - set(d.anchors_of))
        if not todo:
            return
        mine = rpa_t.alias("mine")
        other = rpa_t.alias("other")
        rows = self.conn.execute(
            sa.select(mine.c.resource_provider_id, rp_t.c.root_provider_id)
            .distinct()
            .select_from(
                mine.join(other, other.c.aggregate_id == mine.c.aggregate_id).join(
                    rp_t, rp_t.c.id == other.c.resource_provider_id
                )
            )
            .where(mine.c.resource_provider_id.in_(todo))
        )
        for rp_id in todo:
            d.anchors_of[rp_id] = set()
        for rp_id, root in rows:
            d.anchors_of[rp_id].add(root)

    def _load_trees(self, roots: set[int]) -> None:
        """id -> (uuid, parent, root) for every provider of these trees."""
        d = self.data
        todo = roots - d.loaded_roots
        if not todo:
            return
        query = sa.select(
            rp_t.c.id, rp_t.c.uuid, rp_t.c.parent_provider_id, rp_t.c.root_provider_id
        )
        cond = _in_or_all(rp_t.c.root_provider_id, todo)
        if cond is not None:
            query = query.where(cond)
        for rp_id, uuid, parent, root in self.conn.execute(query):
            if cond is None and root not in todo:
                continue
            d.uuid_of[rp_id] = uuid
            d.parent_of[rp_id] = parent
            d.root_of[rp_id] = root
            d.tree_members.setdefault(root, []).append(rp_id)
        d.loaded_roots |= todo

    def _load_uuids(self, ids: set[int]) -> None:
        todo = sorted(ids - set(self.data.uuid_of))
        if todo:
            rows = self.conn.execute(sa.select(rp_t.c.id, rp_t.c.uuid).where(rp_t.c.id.in_(todo)))
            self.data.uuid_of.update(dict(rows.all()))

    # --- request-wide steps -----------------------------------------------

    def _anchor_filter(self) -> None:
        """root_required: the set of acceptable anchor roots (or None)."""
        d, params = self.data, self.params
        if not (params.root_required or params.root_forbidden):
            return
        required = {merge.trait_id(d, n) for n in sorted(params.root_required)}
        forbidden = {merge.trait_id(d, n) for n in sorted(params.root_forbidden)}
        roots = sa.select(rp_t.c.id).where(rp_t.c.parent_provider_id.is_(None))
        if required:
            have = (
                sa.select(rpt_t.c.resource_provider_id)
                .where(rpt_t.c.trait_id.in_(sorted(required)))
                .group_by(rpt_t.c.resource_provider_id)
                .having(sa.func.count(sa.distinct(rpt_t.c.trait_id)) == len(required))
            )
            roots = roots.where(rp_t.c.id.in_(have))
        if forbidden:
            bad = sa.select(rpt_t.c.resource_provider_id).where(
                rpt_t.c.trait_id.in_(sorted(forbidden))
            )
            roots = roots.where(rp_t.c.id.not_in(bad))
        if self.conn.execute(roots.limit(1)).first() is None:
            raise merge.Empty()
        d.anchor_required = required
        d.anchor_forbidden = forbidden

    def run(self) -> Result:
        d = self.data
        self._load_names()
        # root_required names are checked before anything else.
        for name in sorted(self.params.root_required | self.params.root_forbidden):
            merge.trait_id(d, name)
        self._load_facts()
        self._anchor_filter()
        per_group: dict[str, list[merge.Areq]] = {}
        for group in self.groups:
            areqs = merge.solve_group(d, group, self._load_anchors)
            if not areqs:
                raise merge.Empty()
            per_group[group.suffix] = areqs
        if self.params.same_subtrees:
            self._load_trees({d.root_of[rp] for areqs in per_group.values()
                              for a in areqs for rp in a.providers})
        cands = merge.merge_groups(d, per_group, self.params)
        summary_filter: set[int] | None = None
        if not self.nested_aware and d.has_trees:
            cands, summary_filter = merge.exclude_nested(d, cands)
        cands = self._limit(cands)
        return self._render(cands, summary_filter)

    def _limit(self, cands: list[merge.Merged]) -> list[merge.Merged]:
        limit = self.params.limit
        if limit and limit < len(cands):
            if self.randomize:
                return random.sample(cands, limit)
            return cands[:limit]
        if self.randomize:
            random.shuffle(cands)
        return cands

    # --- output -----------------------------------------------------------

    def _render(self, cands: list[merge.Merged], only: set[int] | None) -> Result:
        d = self.data
        if not cands:
            return Result()
        roots = {d.root_of[rp] for c in cands for (rp, _rc) in c.amounts}
        self._load_trees(roots)
        mapped = {rp for c in cands for providers in c.mappings.values() for rp in providers}
        self._load_uuids(mapped)
        rc_names = resource_classes.names_by_id(self.conn)
        uuid_of = d.uuid_of
        result = Result()
        for c in cands:
            allocations: dict[str, dict[str, int]] = {}
            for (rp, rc), amount in c.amounts.items():
                allocations.setdefault(uuid_of[rp], {})[rc_names[rc]] = amount
            mappings = {s: [uuid_of[rp] for rp in sorted(ps)] for s, ps in c.mappings.items()}
            result.candidates.append(Candidate(allocations, mappings))
        members = [rp for root in sorted(roots) for rp in d.tree_members.get(root, ())]
        if only is not None:
            members = [rp for rp in members if rp in only]
        result.summaries = self._summaries(members, roots, rc_names)
        return result

    def _summaries(
        self, members: list[int], roots: set[int], rc_names: dict[int, str]
    ) -> list[Summary]:
        d, conn = self.data, self.conn
        summaries: dict[int, Summary] = {}
        for rp in members:
            parent = d.parent_of.get(rp)
            summaries[rp] = Summary(
                uuid=d.uuid_of[rp],
                parent_uuid=d.uuid_of.get(parent) if parent is not None else None,
                root_uuid=d.uuid_of[d.root_of[rp]],
            )
        if not summaries:
            return []
        cond = _in_or_all(rp_t.c.root_provider_id, roots)
        inv_q = (
            sa.select(
                inv_t.c.resource_provider_id,
                inv_t.c.resource_class_id,
                inv_t.c.total,
                inv_t.c.reserved,
                inv_t.c.allocation_ratio,
            )
            .select_from(inv_t.join(rp_t, rp_t.c.id == inv_t.c.resource_provider_id))
            .order_by(inv_t.c.resource_provider_id, inv_t.c.id)
        )
        use_q = (
            sa.select(
                alloc_t.c.resource_provider_id,
                alloc_t.c.resource_class_id,
                sa.func.sum(alloc_t.c.used),
            )
            .select_from(alloc_t.join(rp_t, rp_t.c.id == alloc_t.c.resource_provider_id))
            .group_by(alloc_t.c.resource_provider_id, alloc_t.c.resource_class_id)
        )
        trait_q = (
            sa.select(rpt_t.c.resource_provider_id, trait_t.c.name)
            .select_from(
                rpt_t.join(trait_t, trait_t.c.id == rpt_t.c.trait_id).join(
                    rp_t, rp_t.c.id == rpt_t.c.resource_provider_id
                )
            )
            .order_by(rpt_t.c.resource_provider_id, rpt_t.c.trait_id)
        )
        if cond is not None:
            inv_q, use_q, trait_q = inv_q.where(cond), use_q.where(cond), trait_q.where(cond)
        used: dict[tuple[int, int], int] = {
            (rp, rc): int(total or 0) for rp, rc, total in conn.execute(use_q)
        }
        for rp, rc, total, reserved, ratio in conn.execute(inv_q):
            summary = summaries.get(rp)
            if summary is not None:
                summary.resources[rc_names[rc]] = (
                    int((total - reserved) * ratio),
                    used.get((rp, rc), 0),
                )
        for rp, name in conn.execute(trait_q):
            summary = summaries.get(rp)
            if summary is not None:
                summary.traits.append(name)
        return list(summaries.values())
