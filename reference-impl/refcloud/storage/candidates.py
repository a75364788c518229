"""Allocation candidates: the search behind GET /allocation_candidates.

Shape of the work, chosen for speed:

1. A handful of set-based queries load only what the request can touch:
   name -> id maps, the (provider, trait) pairs for the traits named in the
   request (plus MISC_SHARES_VIA_AGGREGATE), the (provider, aggregate) pairs
   for the aggregates named, and the inventories (with usage) of the
   requested classes.
2. Every group is then solved in Python with sets and dicts, in request
   order, exactly like Placement (an empty group short-circuits to an empty
   result before later groups are even validated). See ``candidates_merge``.
3. Groups are merged per anchor (cartesian product, group_policy,
   same_subtree, post-sum capacity check, de-duplication) and limited; only
   then are provider summaries loaded, for the kept trees only.

The result is returned already in the newest wire shape (dict-form
allocation requests with mappings; summaries with every class, traits and
tree uuids); the handler trims it for older microversions.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from refcloud.storage import candidates_merge as merge
from refcloud.storage import resource_classes, tables, traits

SHARING_TRAIT = "MISC_SHARES_VIA_AGGREGATE"
#: Above this many ids, query without an IN list and filter in Python.
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
class Result:
    """``allocation_requests`` and ``provider_summaries`` in the newest shape.

    A request: ``{"allocations": {uuid: {"resources": {rc: n}}},
    "mappings": {suffix: [uuid]}}``. A summary: ``{"resources": {rc:
    {"capacity", "used"}}, "traits": [...], "parent_provider_uuid",
    "root_provider_uuid"}``.
    """

    allocation_requests: list[dict[str, Any]] = field(default_factory=list)
    provider_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


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


def _root_filter(ids: Iterable[int]) -> sa.ColumnElement | None:
    """``root IN ids`` for small sets; None (no filter) for large ones."""
    ids = sorted(ids)
    if len(ids) > MAX_IN_LIST:
        return None
    return rp_t.c.root_provider_id.in_(ids)


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
            named = set().union(*self.params.same_subtrees)
            self._load_parents(
                {rp for s in named for a in per_group.get(s, ()) for rp in a.providers}
            )
        combos = merge.merge_groups(d, per_group, self.params)
        only: set[int] | None = None
        if not self.nested_aware and d.has_trees:
            combos, only = merge.exclude_nested(d, combos)
        return self._render(self._limit(combos), only)

    # --- loading ----------------------------------------------------------

    def _load_names(self) -> None:
        d, conn = self.data, self.conn
        d.rc_ids = resource_classes.ids_of(conn, {n for g in self.groups for n in g.resources})
        names = {SHARING_TRAIT} | self.params.root_required | self.params.root_forbidden
        for g in self.groups:
            names |= g.forbidden_traits
            for any_of in g.required_traits:
                names |= any_of
        d.trait_ids = traits.ids_of(conn, names)
        aggs = {u for g in self.groups for any_of in g.member_of for u in any_of}
        aggs |= {u for g in self.groups for u in g.forbidden_aggs}
        if aggs:
            rows = conn.execute(
                sa.select(agg_t.c.uuid, agg_t.c.id).where(agg_t.c.uuid.in_(sorted(aggs)))
            ).all()
            d.agg_ids = dict(rows)
        trees = {g.in_tree for g in self.groups if g.in_tree}
        if trees:
            rows = conn.execute(
                sa.select(rp_t.c.uuid, rp_t.c.root_provider_id).where(
                    rp_t.c.uuid.in_(sorted(trees))
                )
            ).all()
            d.tree_roots = dict(rows)

    def _load_facts(self) -> None:
        """Trees flag, trait and aggregate memberships, inventories."""
        d, conn = self.data, self.conn
        d.has_trees = (
            conn.execute(
                sa.select(rp_t.c.id).where(rp_t.c.parent_provider_id.is_not(None)).limit(1)
            ).first()
            is not None
        )
        root_of, parent_of = d.root_of, d.parent_of
        sharing_id = d.trait_ids.get(SHARING_TRAIT)
        rows = conn.execute(
            sa.select(
                rpt_t.c.resource_provider_id,
                rpt_t.c.trait_id,
                rp_t.c.root_provider_id,
                rp_t.c.parent_provider_id,
            )
            .select_from(rpt_t.join(rp_t, rp_t.c.id == rpt_t.c.resource_provider_id))
            .where(rpt_t.c.trait_id.in_(sorted(set(d.trait_ids.values()))))
        ).all()
        traits_of, holders = d.traits_of, d.trait_holders
        for rp, trait, root, parent in rows:
            have = traits_of.get(rp)
            if have is None:
                have = traits_of[rp] = set()
            have.add(trait)
            holders.setdefault(trait, set()).add(rp)
            root_of[rp] = root
            parent_of[rp] = parent
        d.sharing = set(holders.get(sharing_id, ())) if sharing_id is not None else set()
        if d.agg_ids:
            rows = conn.execute(
                sa.select(
                    rpa_t.c.resource_provider_id,
                    rpa_t.c.aggregate_id,
                    rp_t.c.root_provider_id,
                    rp_t.c.parent_provider_id,
                )
                .select_from(rpa_t.join(rp_t, rp_t.c.id == rpa_t.c.resource_provider_id))
                .where(rpa_t.c.aggregate_id.in_(sorted(set(d.agg_ids.values()))))
            ).all()
            members = d.agg_members
            for rp, agg, root, parent in rows:
                members.setdefault(agg, set()).add(rp)
                root_of[rp] = root
                parent_of[rp] = parent
        self._load_inventories()

    def _load_inventories(self) -> None:
        """Every inventory of the requested classes, with its usage."""
        d, conn = self.data, self.conn
        wanted = sorted({d.rc_ids[n] for g in self.groups for n in g.resources if n in d.rc_ids})
        if not wanted:
            return
        used = _usage(conn, alloc_t.c.resource_class_id.in_(wanted))
        rows = conn.execute(
            sa.select(
                inv_t.c.resource_provider_id,
                inv_t.c.resource_class_id,
                inv_t.c.total,
                inv_t.c.reserved,
                inv_t.c.min_unit,
                inv_t.c.max_unit,
                inv_t.c.step_size,
                inv_t.c.allocation_ratio,
                rp_t.c.uuid,
                rp_t.c.root_provider_id,
                rp_t.c.parent_provider_id,
            )
            .select_from(inv_t.join(rp_t, rp_t.c.id == inv_t.c.resource_provider_id))
            .where(inv_t.c.resource_class_id.in_(wanted))
        ).all()
        inventory, root_of, parent_of, uuid_of = d.inventory, d.root_of, d.parent_of, d.uuid_of
        for rc in wanted:
            inventory[rc] = {}
        get_used = used.get
        for rp, rc, total, reserved, mn, mx, step, ratio, uuid, root, parent in rows:
            inventory[rc][rp] = (total, reserved, mn, mx, step, ratio, get_used((rp, rc), 0))
            uuid_of[rp] = uuid
            root_of[rp] = root
            parent_of[rp] = parent

    def _load_anchors(self, sharing_ids: set[int]) -> None:
        """Roots of every tree sharing an aggregate with these sharing providers."""
        d = self.data
        todo = sorted(sharing_ids - d.anchors_of.keys())
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
        ).all()
        for rp in todo:
            d.anchors_of[rp] = set()
        for rp, root in rows:
            d.anchors_of[rp].add(root)

    def _load_parents(self, ids: set[int]) -> None:
        """Make every ancestor of these providers known (for same_subtree)."""
        parent_of = self.data.parent_of
        todo = {rp for rp in ids if rp not in parent_of}
        while True:
            for rp in list(ids):
                parent = parent_of.get(rp)
                while parent is not None and parent in parent_of:
                    parent = parent_of[parent]
                if parent is not None:
                    todo.add(parent)
            if not todo:
                return
            rows = self.conn.execute(
                sa.select(rp_t.c.id, rp_t.c.parent_provider_id, rp_t.c.root_provider_id).where(
                    rp_t.c.id.in_(sorted(todo))
                )
            ).all()
            for rp, parent, root in rows:
                parent_of[rp] = parent
                self.data.root_of[rp] = root
            todo = set()

    # --- request-wide steps -----------------------------------------------

    def _anchor_filter(self) -> None:
        """root_required: remember the trait rules; empty result if no root passes."""
        d, params = self.data, self.params
        if not (params.root_required or params.root_forbidden):
            return
        required = {d.trait_ids[n] for n in params.root_required}
        forbidden = {d.trait_ids[n] for n in params.root_forbidden}
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

    def _limit(self, combos: list[merge.Combo]) -> list[merge.Combo]:
        """First N (or a random sample); a shuffle when randomizing."""
        limit = self.params.limit
        if limit and limit < len(combos):
            return random.sample(combos, limit) if self.randomize else combos[:limit]
        if self.randomize:
            random.shuffle(combos)
        return combos

    # --- output -----------------------------------------------------------

    def _render(self, combos: list[merge.Combo], only: set[int] | None) -> Result:
        if not combos:
            return Result()
        d = self.data
        rc_names = resource_classes.names_by_id(self.conn)
        mapped = {rp for combo in combos for areq in combo for rp in areq.providers}
        missing = sorted(mapped - d.uuid_of.keys())
        if missing:
            rows = self.conn.execute(
                sa.select(rp_t.c.id, rp_t.c.uuid).where(rp_t.c.id.in_(missing))
            ).all()
            d.uuid_of.update(rows)
        uuid_of, root_of = d.uuid_of, d.root_of
        suffixes = [g.suffix for g in self.groups]
        roots: set[int] = set()
        requests = []
        for combo in combos:
            allocations: dict[str, dict[str, dict[str, int]]] = {}
            for areq in combo:
                for rp, rc, amount in areq.resources:
                    uuid = uuid_of[rp]
                    entry = allocations.get(uuid)
                    if entry is None:
                        entry = allocations[uuid] = {"resources": {}}
                        roots.add(root_of[rp])
                    resources = entry["resources"]
                    name = rc_names[rc]
                    resources[name] = resources.get(name, 0) + amount
            mappings = {
                suffix: [uuid_of[rp] for rp in sorted(areq.providers)]
                for suffix, areq in zip(suffixes, combo, strict=True)
            }
            requests.append({"allocations": allocations, "mappings": mappings})
        return Result(requests, self._summaries(roots, only, rc_names))

    def _summaries(
        self, roots: set[int], only: set[int] | None, rc_names: dict[int, str]
    ) -> dict[str, dict[str, Any]]:
        """Every provider of the kept trees (or only ``only``), keyed by uuid."""
        d, conn = self.data, self.conn
        cond = _root_filter(roots)
        uuid_of = d.uuid_of
        members: list[tuple[int, int | None, int]] = []
        if d.has_trees:
            query = sa.select(
                rp_t.c.id, rp_t.c.uuid, rp_t.c.parent_provider_id, rp_t.c.root_provider_id
            ).order_by(rp_t.c.id)
            if cond is not None:
                query = query.where(cond)
            for rp, uuid, parent, root in conn.execute(query).all():
                if root in roots:
                    uuid_of[rp] = uuid
                    if only is None or rp in only:
                        members.append((rp, parent, root))
        else:
            # Without nesting every tree is its root alone (already known).
            members = [(root, None, root) for root in sorted(roots)]
        requested = [(rc_names[rc], invs) for rc, invs in d.inventory.items()]
        by_id: dict[int, dict[str, Any]] = {}
        out: dict[str, dict[str, Any]] = {}
        for rp, parent, root in members:
            resources: dict[str, dict[str, int]] = {}
            for name, invs in requested:
                inv = invs.get(rp)
                if inv is not None:
                    total, reserved, _mn, _mx, _step, ratio, used = inv
                    resources[name] = {"capacity": int((total - reserved) * ratio), "used": used}
            summary = {
                "resources": resources,
                "traits": [],
                "parent_provider_uuid": uuid_of[parent] if parent is not None else None,
                "root_provider_uuid": uuid_of[root],
            }
            out[uuid_of[rp]] = by_id[rp] = summary
        self._other_inventories(by_id, cond, rc_names)
        self._summary_traits(by_id, cond)
        return out

    def _other_inventories(
        self,
        by_id: dict[int, dict[str, Any]],
        cond: sa.ColumnElement | None,
        rc_names: dict[int, str],
    ) -> None:
        """Inventories of the classes not requested (the others are loaded)."""
        requested = sorted(self.data.inventory)
        query = sa.select(
            inv_t.c.resource_provider_id,
            inv_t.c.resource_class_id,
            inv_t.c.total,
            inv_t.c.reserved,
            inv_t.c.allocation_ratio,
        )
        if requested:
            query = query.where(inv_t.c.resource_class_id.not_in(requested))
        if cond is not None:
            query = query.select_from(
                inv_t.join(rp_t, rp_t.c.id == inv_t.c.resource_provider_id)
            ).where(cond)
        rows = [row for row in self.conn.execute(query).all() if row[0] in by_id]
        if not rows:
            return
        ids = sorted({r[0] for r in rows})
        used = _usage(
            self.conn, alloc_t.c.resource_provider_id.in_(ids) if len(ids) <= MAX_IN_LIST else None
        )
        for rp, rc, total, reserved, ratio in rows:
            by_id[rp]["resources"][rc_names[rc]] = {
                "capacity": int((total - reserved) * ratio),
                "used": used.get((rp, rc), 0),
            }

    def _summary_traits(
        self, by_id: dict[int, dict[str, Any]], cond: sa.ColumnElement | None
    ) -> None:
        """Trait names, in trait id order (as Placement lists them)."""
        joined = rpt_t.join(trait_t, trait_t.c.id == rpt_t.c.trait_id)
        if cond is not None:
            joined = joined.join(rp_t, rp_t.c.id == rpt_t.c.resource_provider_id)
        query = (
            sa.select(rpt_t.c.resource_provider_id, trait_t.c.name)
            .select_from(joined)
            .order_by(rpt_t.c.resource_provider_id, rpt_t.c.trait_id)
        )
        if cond is not None:
            query = query.where(cond)
        for rp, name in self.conn.execute(query).all():
            summary = by_id.get(rp)
            if summary is not None:
                summary["traits"].append(name)


def _usage(conn: sa.Connection, where: sa.ColumnElement | None) -> dict[tuple[int, int], int]:
    """(provider, class) -> summed allocations (those matching ``where``)."""
    query = sa.select(
        alloc_t.c.resource_provider_id,
        alloc_t.c.resource_class_id,
        sa.func.sum(alloc_t.c.used),
    ).group_by(alloc_t.c.resource_provider_id, alloc_t.c.resource_class_id)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query).all()
    return {(rp, rc): int(total or 0) for rp, rc, total in rows}
