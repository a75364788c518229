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

Output (allocation requests, provider summaries) is built by
``candidates_render``.
"""

from __future__ import annotations

import itertools
import operator
import random
from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa

from refcloud.storage import candidates_flat as flat
from refcloud.storage import candidates_merge as merge
from refcloud.storage import candidates_render as render
from refcloud.storage import candidates_slices as slices
from refcloud.storage import resource_classes, tables, traits
from refcloud.storage.candidates_render import MAX_IN_LIST, Result

SHARING_TRAIT = "MISC_SHARES_VIA_AGGREGATE"

rp_t = tables.resource_providers
inv_t = tables.inventories
alloc_t = tables.allocations
rpt_t = tables.resource_provider_traits
rpa_t = tables.resource_provider_aggregates
agg_t = tables.placement_aggregates


def _fitting_query() -> sa.Select:
    """Providers whose inventory of class ``:rc`` takes ``:amount`` more: unit limits,
    step, and used + amount <= (total - reserved) * allocation_ratio, real-valued as in
    Placement's SQL. Built once (SQLAlchemy caches its compiled form)."""
    rc, amount = sa.bindparam("rc"), sa.bindparam("amount", type_=sa.Integer)
    used = (
        sa.select(
            alloc_t.c.resource_provider_id.label("rp"), sa.func.sum(alloc_t.c.used).label("used")
        )
        .where(alloc_t.c.resource_class_id == rc)
        .group_by(alloc_t.c.resource_provider_id)
        .subquery("u")
    )
    return (
        sa.select(inv_t.c.resource_provider_id)
        .select_from(inv_t.outerjoin(used, used.c.rp == inv_t.c.resource_provider_id))
        .where(
            inv_t.c.resource_class_id == rc,
            inv_t.c.min_unit <= amount,
            inv_t.c.max_unit >= amount,
            amount % inv_t.c.step_size == 0,
            amount + sa.func.coalesce(used.c.used, 0)
            <= (inv_t.c.total - inv_t.c.reserved) * inv_t.c.allocation_ratio,
        )
    )


_FITTING = _fitting_query()
_FITTING_PACKED = render.packed(_FITTING)
_HAS_TREES = sa.select(rp_t.c.id).where(rp_t.c.parent_provider_id.is_not(None)).limit(1)
_AGG_IDS = sa.select(agg_t.c.uuid, agg_t.c.id).where(
    agg_t.c.uuid.in_(sa.bindparam("uuids", expanding=True))
)
# (Ordered by the id the rows are grouped by: the primary key's or an index's order.)
_TRAIT_HOLDERS = (
    sa.select(rpt_t.c.resource_provider_id, rpt_t.c.trait_id)
    .where(rpt_t.c.trait_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(rpt_t.c.trait_id)
)
_AGG_MEMBERS = (
    sa.select(rpa_t.c.resource_provider_id, rpa_t.c.aggregate_id)
    .where(rpa_t.c.aggregate_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(rpa_t.c.aggregate_id)
)


def _grouped(conn: sa.Connection, stmt: sa.Select, packed: sa.Select, ids: list[int]
             ) -> dict[int, set[int]]:
    """(provider, id) rows (ordered by id) -> id -> providers."""
    providers, keys = render.columns(conn, stmt, packed, {"ids": ids})
    out: dict[int, set[int]] = {}
    for key, group in itertools.groupby(zip(providers, keys, strict=True), key=_SECOND):
        out.setdefault(key, set()).update(map(_FIRST, group))
    return out


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_TRAIT_HOLDERS_PACKED = render.packed(_TRAIT_HOLDERS)
_AGG_MEMBERS_PACKED = render.packed(_AGG_MEMBERS)


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


def search(
    conn: sa.Connection,
    groups: Sequence[GroupLike],
    params: ParamsLike,
    *,
    nested_aware: bool = True,
    randomize: bool = False,
    encoded: bool = False,
) -> Result:
    """Find allocation candidates for ``groups`` (in request order).

    Raises ``ResourceClassNotFound`` / ``TraitNotFound`` for unknown names
    (in Placement's order); returns an empty Result when nothing matches.
    ``encoded``: the caller answers in the newest shape, and takes the answer as
    JSON text (``Result.encoded``) where the search can give it so.
    """
    _sqlite_cache(conn)
    try:
        return _Search(conn, groups, params, nested_aware, randomize, encoded).run()
    except merge.Empty:
        return Result()


#: SQLite page cache per connection for searches (KiB, as a negative cache_size): the
#: default 2 MB holds a few thousand providers' rows, so bigger clouds re-read pages
#: through the OS on every search. Pages are only held once read.
SQLITE_CACHE_KIB = 64 * 1024


def _sqlite_cache(conn: sa.Connection) -> None:
    """A bigger page cache on this SQLite connection, once per connection."""
    if conn.dialect.name != "sqlite" or conn.info.get("refcloud_search_cache"):
        return
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    conn.info["refcloud_search_cache"] = True


class _Search:
    def __init__(
        self,
        conn: sa.Connection,
        groups: Sequence[GroupLike],
        params: ParamsLike,
        nested_aware: bool,
        randomize: bool,
        encoded: bool = False,
    ) -> None:
        self.conn = conn
        self.groups = list(groups)
        self.params = params
        self.nested_aware = nested_aware
        self.randomize = randomize
        self.encoded = encoded
        self.data = merge.Data()
        #: The flat one-group case, answered by one statement (``candidates_flat``).
        self.flat = False

    def run(self) -> Result:
        d = self.data
        self._load_names()
        # root_required names are checked before anything else.
        for name in sorted(self.params.root_required | self.params.root_forbidden):
            merge.trait_id(d, name)
        self._load_facts()
        self._anchor_filter()
        # Without randomizing, the first ``limit`` candidates in merge order are the
        # answer: the search may stop there (not when duplicates must be dropped first,
        # nor below 1.29 where candidates spanning a tree are dropped after merging).
        stop = self.params.limit
        if not stop or self.randomize or (not self.nested_aware and d.has_trees):
            stop = None
        if self.encoded and not self.flat and slices.applies(d, self.groups, self.randomize):
            # Each candidate is one provider: the answer written as JSON text.
            return slices.search(self.conn, d, self.groups[0], stop)
        per_group: dict[str, list[merge.Areq]] = {}
        if self.flat:
            (group,) = self.groups
            per_group[group.suffix] = flat.search(self.conn, d, group, stop)
        for group in self.groups if not self.flat else ():
            areqs = merge.solve_group(
                d, group, self._load_anchors, stop if len(self.groups) == 1 else None
            )
            if not areqs:
                raise merge.Empty()
            per_group[group.suffix] = areqs
        if self.params.same_subtrees and not d.all_providers:
            # (Once every provider is loaded, every parent is known.)
            named = set().union(*self.params.same_subtrees)
            self._load_parents(
                {rp for s in named for a in per_group.get(s, ()) for rp in a.providers}
            )
        combos = merge.merge_groups(d, per_group, self.params, stop)
        only: set[int] | None = None
        if not self.nested_aware and d.has_trees:
            combos, only = merge.exclude_nested(d, combos)
        renderer = render.Renderer(self.conn, d, [g.suffix for g in self.groups])
        return renderer.render(self._limit(combos), only)

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
            d.agg_ids = dict(render.rows(conn, _AGG_IDS, {"uuids": sorted(aggs)}))
        trees = {g.in_tree for g in self.groups if g.in_tree}
        if trees:
            rows = conn.execute(
                sa.select(rp_t.c.uuid, rp_t.c.root_provider_id).where(
                    rp_t.c.uuid.in_(sorted(trees))
                )
            ).all()
            d.tree_roots = dict(rows)

    def _load_facts(self) -> None:
        """Trees flag, trait and aggregate memberships, inventories, providers."""
        d, conn = self.data, self.conn
        d.has_trees = bool(render.rows(conn, _HAS_TREES))
        sharing_id = d.trait_ids.get(SHARING_TRAIT)
        # With a small limit (and no randomizing) the one-statement walk stops after the
        # first matches; for whole answers reading the named rows once is cheaper (an
        # index probe per provider and condition costs more than a scan).
        if (
            sharing_id is not None
            and self.params.limit
            and self.params.limit <= MAX_IN_LIST
            and not self.randomize
            and flat.applies(d, self.groups, self.params)
        ):
            sharing = render.rows(conn, _TRAIT_HOLDERS, {"ids": [sharing_id]})
            if not sharing:  # no sharing providers either: one statement answers
                d.root_of = merge.OwnRoots()
                self.flat = True
                return
        d.trait_holders = holders = _grouped(
            conn, _TRAIT_HOLDERS, _TRAIT_HOLDERS_PACKED, sorted(set(d.trait_ids.values()))
        )
        d.sharing = set(holders.get(sharing_id, ())) if sharing_id is not None else set()
        if d.agg_ids:
            d.agg_members = _grouped(
                conn, _AGG_MEMBERS, _AGG_MEMBERS_PACKED, sorted(set(d.agg_ids.values()))
            )
        # Providers whose tree matters (only with trees: on a flat cloud each is its root).
        seen: set[int] = set()
        if d.has_trees:
            seen = seen.union(*holders.values(), *d.agg_members.values())
        self._load_inventories(seen)
        if not d.has_trees:
            # Every provider is its own root: nothing to load now; the renderer
            # loads the uuids of the providers it shows (and drops any deleted
            # meanwhile).
            d.root_of = merge.OwnRoots()
            return
        self._load_providers(seen)
        gone = seen - d.root_of.keys()
        if gone:  # deleted between two statements (PostgreSQL READ COMMITTED)
            self._forget(gone)

    def _load_inventories(self, seen: set[int]) -> None:
        """The providers each requested (class, amount) fits on, found by the database.

        Only provider ids come back (not every inventory row with its usage): the fit
        test runs in SQL, so a query that keeps few candidates (``limit``) or a big cloud
        costs a scan in the database rather than a Python object per inventory.
        """
        d, conn = self.data, self.conn
        wanted = sorted({
            (d.rc_ids[n], amount)
            for g in self.groups
            for n, amount in g.resources.items()
            if n in d.rc_ids
        })
        fitting = d.fitting
        for rc, amount in wanted:
            (ids,) = render.columns(conn, _FITTING, _FITTING_PACKED, {"rc": rc, "amount": amount})
            found = set(ids)
            fitting[rc, amount] = found
            if d.has_trees:
                seen |= found
        d.inventory_loader = self._load_inventory_rows

    def _load_inventory_rows(self, ids: set[int]) -> None:
        """(capacity, max_unit, used) of these providers' requested classes (merge's
        capacity check after summing the amounts of several groups on one provider)."""
        d = self.data
        rcs = sorted({rc for rc, _amount in d.fitting})
        query = sa.select(
            inv_t.c.resource_provider_id,
            inv_t.c.resource_class_id,
            (inv_t.c.total - inv_t.c.reserved) * inv_t.c.allocation_ratio,
            inv_t.c.max_unit,
        ).where(inv_t.c.resource_class_id.in_(rcs))
        used_where = alloc_t.c.resource_class_id.in_(rcs)
        if len(ids) <= MAX_IN_LIST:
            query = query.where(inv_t.c.resource_provider_id.in_(sorted(ids)))
            used_where = sa.and_(used_where, alloc_t.c.resource_provider_id.in_(sorted(ids)))
        used = render.usage(self.conn, used_where)
        for rp, rc, capacity, max_unit in render.rows(self.conn, query):
            d.inventory[rp, rc] = (capacity, max_unit, used.get((rp, rc), 0))

    def _load_providers(self, ids: set[int]) -> None:
        """uuid, parent and root of these providers (all of them when many)."""
        d = self.data
        missing = ids - d.uuid_of.keys()
        if d.all_providers or not missing:
            return
        query = render.PROVIDERS
        packed: sa.Select | None = render.PROVIDERS_PACKED
        if len(missing) <= MAX_IN_LIST:
            query, packed = query.where(rp_t.c.id.in_(sorted(missing))), None
        else:
            d.all_providers = True
        found = render.columns(self.conn, query, packed)
        if d.all_providers and not d.root_of:
            d.provider_columns = found
        # (dict.update over zips: no Python loop per provider.)
        ids, uuids, parents, roots = found
        d.uuid_of.update(zip(ids, uuids, strict=True))
        d.parent_of.update(zip(ids, parents, strict=True))
        d.root_of.update(zip(ids, roots, strict=True))

    def _forget(self, gone: set[int]) -> None:
        d = self.data
        for holders in (
            *d.fitting.values(), *d.trait_holders.values(), *d.agg_members.values(), d.sharing
        ):
            holders -= gone

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
            for rp in todo:
                parent_of.setdefault(rp, None)  # gone meanwhile: stop the walk there
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
