"""Allocation candidates, the pure part: solve each group, then merge.

Works on the facts ``candidates`` loaded (``Data``); no SQL here except
through the ``load_anchors`` / ``load_parents`` callbacks. Ids are internal
provider, class, trait and aggregate ids.

Per-provider fit: ``used + amount <= (total - reserved) * ratio``
(real-valued), ``min_unit <= amount <= max_unit``, ``amount % step_size ==
0``. An amount is never split across providers.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from refcloud import exceptions

#: An inventory of a requested class: ((total - reserved) * allocation_ratio,
#: max_unit, used).
Inv = tuple[float, int, int]
#: One merged candidate: one Areq per group, in group order.
Combo = tuple["Areq", ...]


class OwnRoots(dict):
    """``root_of`` when no provider has a parent: every provider is its own root."""

    def __missing__(self, rp: int) -> int:
        return rp


class Empty(Exception):
    """Nothing can match: the whole result is empty (200)."""


class Areq(NamedTuple):
    """One way to satisfy one group under one anchor root."""

    anchor: int
    #: ((provider, class, amount), ...)
    resources: tuple[tuple[int, int, int], ...]
    #: Providers that satisfied the group (its ``mappings`` entry).
    providers: frozenset[int]
    #: ((class, amount), ...): the same object for every Areq of one group.
    amounts: tuple[tuple[int, int], ...]


@dataclass
class Data:
    rc_ids: dict[str, int] = field(default_factory=dict)
    trait_ids: dict[str, int] = field(default_factory=dict)
    agg_ids: dict[str, int] = field(default_factory=dict)
    #: in_tree uuid -> root provider id
    tree_roots: dict[str, int] = field(default_factory=dict)
    has_trees: bool = False
    #: Providers with MISC_SHARES_VIA_AGGREGATE.
    sharing: set[int] = field(default_factory=set)
    #: trait id -> providers having it (only traits named in the request + sharing)
    trait_holders: dict[int, set[int]] = field(default_factory=dict)
    _traits_of: dict[int, set[int]] | None = field(default=None, repr=False)
    #: aggregate id -> member providers (only aggregates named)
    agg_members: dict[int, set[int]] = field(default_factory=dict)
    #: (class id, amount) -> providers whose inventory takes that amount (found in SQL)
    fitting: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    #: (provider, class id) -> Inv: loaded by ``inventory_loader`` for the providers of
    #: a merge only when two groups use one provider (summed amounts must still fit)
    inventory: dict[tuple[int, int], Inv] = field(default_factory=dict)
    inventory_loader: Callable[[set[int]], None] | None = field(default=None, repr=False)
    root_of: dict[int, int] = field(default_factory=dict)
    parent_of: dict[int, int | None] = field(default_factory=dict)
    uuid_of: dict[int, str] = field(default_factory=dict)
    #: True once every provider's uuid/parent/root is loaded.
    all_providers: bool = False
    #: Every provider's ids, uuids, parents and roots (four lists), in ``root_of``'s
    #: order, when one statement loaded them all before any other (summaries walk them;
    #: None otherwise).
    provider_columns: list[list[Any]] | None = None
    #: sharing provider -> roots of trees sharing an aggregate with it
    anchors_of: dict[int, set[int]] = field(default_factory=dict)
    #: Does a kept candidate use one provider in two groups? (merge_groups sets it)
    overlaps: bool = False
    #: root_required as trait ids (None: no anchor filter)
    anchor_required: set[int] | None = None
    anchor_forbidden: set[int] = field(default_factory=set)

    @property
    def traits_of(self) -> dict[int, set[int]]:
        """provider -> trait ids, built from ``trait_holders`` when first needed (queries
        with neither forbidden traits, any-of checks on trees nor root_required never
        need it: a set per provider is a large share of a big flat query's memory)."""
        if self._traits_of is None:
            out: dict[int, set[int]] = {}
            for trait, holders in self.trait_holders.items():
                for rp in holders:
                    have = out.get(rp)
                    if have is None:
                        out[rp] = {trait}
                    else:
                        have.add(trait)
            self._traits_of = out
        return self._traits_of

    def anchor_ok(self, root: int) -> bool:
        if self.anchor_required is None:
            return True
        have = self.traits_of.get(root, set())
        return self.anchor_required <= have and not (self.anchor_forbidden & have)


def trait_id(data: Data, name: str) -> int:
    try:
        return data.trait_ids[name]
    except KeyError:
        raise exceptions.TraitNotFound(names=name) from None


def _rc_id(data: Data, name: str) -> int:
    try:
        return data.rc_ids[name]
    except KeyError:
        raise exceptions.ResourceClassNotFound(name=name) from None


def _members(data: Data, any_of: set[str]) -> set[int] | None:
    """Providers in any of these aggregates; None if none of them exists."""
    ids = [data.agg_ids[u] for u in any_of if u in data.agg_ids]
    if not ids:
        return None
    out: set[int] = set()
    for agg in ids:
        out |= data.agg_members.get(agg, set())
    return out


@dataclass
class _Group:
    """A group with names resolved and the cheap filters applied."""

    suffix: str
    resources: dict[int, int]
    required: list[set[int]]
    forbidden: set[int]
    in_aggs: set[int] | None
    forbidden_aggs: set[str]
    tree_root: int | None
    fitting: dict[int, set[int]]


def _resolve(data: Data, group: Any) -> _Group:
    """Names to ids in Placement's order, short-circuiting to Empty."""
    resources = {_rc_id(data, name): amount for name, amount in group.resources.items()}
    in_aggs: set[int] | None = None
    for any_of in group.member_of:
        members = _members(data, any_of)
        if members is None:
            raise Empty()
        in_aggs = members if in_aggs is None else in_aggs & members
    if in_aggs is not None and not in_aggs:
        raise Empty()
    required = [{trait_id(data, n) for n in sorted(any_of)} for any_of in group.required_traits]
    forbidden = {trait_id(data, n) for n in sorted(group.forbidden_traits)}
    tree_root = None
    if group.in_tree:
        tree_root = data.tree_roots.get(group.in_tree)
        if tree_root is None:
            raise Empty()
    fitting: dict[int, set[int]] = {}
    for rc, amount in resources.items():
        found = data.fitting.get((rc, amount), set())
        if tree_root is not None:
            root_of = data.root_of
            found = {rp for rp in found if root_of[rp] == tree_root}
        if not found:
            raise Empty()
        fitting[rc] = found
    return _Group(group.suffix, resources, required, forbidden, in_aggs,
                  set(group.forbidden_aggs), tree_root, fitting)


def _bad_agg_members(data: Data, g: _Group) -> set[int]:
    return (_members(data, g.forbidden_aggs) or set()) if g.forbidden_aggs else set()


def _with_traits(data: Data, required: list[set[int]]) -> set[int]:
    """Providers that individually have every any-of set."""
    out: set[int] | None = None
    for any_of in required:
        have = _with_any_trait(data, any_of)
        out = have if out is None else out & have
    return out or set()


def _with_any_trait(data: Data, ids: set[int]) -> set[int]:
    out: set[int] = set()
    for t in ids:
        out |= data.trait_holders.get(t, set())
    return out


def solve_group(
    data: Data, group: Any, load_anchors: Callable[[set[int]], None], stop: int | None = None
) -> list[Areq]:
    """All ways to satisfy one group, each tagged with its anchor root.

    ``stop``: the caller needs only the first ``stop`` of them (in order).
    """
    g = _resolve(data, group)
    if not g.suffix and (data.sharing or data.has_trees):
        return _multiple_providers(data, g, load_anchors)
    return _single_provider(data, g, load_anchors, None if data.sharing else stop)


def own_providers(
    data: Data, group: Any, stop: int | None = None
) -> tuple[list[int], tuple[tuple[int, int], ...]]:
    """``solve_group`` on a cloud without trees, sharing providers or a root filter,
    for a group with resources: the providers that satisfy it alone, in id order (the
    first ``stop``), and the group's ((class, amount), ...). Each provider is one Areq
    of solve_group's answer, in the same order, with those amounts; no Areq is built
    (``candidates_slices``)."""
    g = _resolve(data, group)
    ordered = sorted(_fitting_alone(data, g))
    if stop is not None:
        del ordered[stop:]
    return ordered, tuple(g.resources.items())


def _fitting_alone(data: Data, g: _Group) -> set[int]:
    """Providers that satisfy the whole group alone (traits, aggregates, classes)."""
    filtered: set[int] = set()
    if g.required:
        filtered = _with_traits(data, g.required)
        if not filtered:
            return filtered
    if g.in_aggs is not None:
        filtered = filtered & g.in_aggs if filtered else set(g.in_aggs)
        if not filtered:
            return filtered
    banned: set[int] = set()
    for bad in (_bad_agg_members(data, g), _with_any_trait(data, g.forbidden)):
        if not bad:
            continue
        banned |= bad
        if filtered:
            filtered -= bad
            if not filtered:
                return filtered
    first = True
    for rc in g.resources:
        found = g.fitting[rc]
        if first:
            first = False
            filtered = filtered & found if filtered else found - banned
        else:
            filtered &= found
        if not filtered:
            return filtered
    # (A resourceless group with neither traits nor aggregates matches nothing.)
    return filtered


def _single_provider(
    data: Data, g: _Group, load_anchors: Callable[[set[int]], None], stop: int | None = None
) -> list[Areq]:
    """Everything of the group on one provider (suffixed groups, flat trees)."""
    filtered = _fitting_alone(data, g)
    if not filtered:
        return []
    items = tuple(g.resources.items())
    shared = filtered & data.sharing
    if shared:
        load_anchors(shared)
    root_of = data.root_of
    no_filter = data.anchor_required is None
    areqs: list[Areq] = []
    append = areqs.append
    ordered = sorted(filtered)
    if not shared and no_filter:
        # Exactly one Areq per provider: the first ``stop`` suffice.
        if stop is not None:
            del ordered[stop:]
        return _one_per_provider(ordered, root_of, items)
    for rp in ordered:
        resources = tuple([(rp, rc, amount) for rc, amount in items])
        providers = frozenset((rp,))
        root = root_of[rp]
        if no_filter or data.anchor_ok(root):
            append(Areq(root, resources, providers, items))
        if rp in shared:
            for anchor in sorted(data.anchors_of.get(rp, ())):
                if anchor != root and data.anchor_ok(anchor):
                    append(Areq(anchor, resources, providers, items))
    return areqs


def _one_per_provider(
    ordered: list[int], root_of: dict[int, int], items: tuple[tuple[int, int], ...]
) -> list[Areq]:
    """One Areq per provider (its own tree's), built without a Python frame per
    provider (tuple.__new__ rather than the NamedTuple's __new__) and, for up to three
    classes, the resources tuple spelled out: a large share of a big flat query."""
    new = tuple.__new__
    if len(items) == 3:
        (r0, a0), (r1, a1), (r2, a2) = items
        return [new(Areq, (root_of[rp], ((rp, r0, a0), (rp, r1, a1), (rp, r2, a2)),
                           frozenset((rp,)), items)) for rp in ordered]
    if len(items) == 2:
        (r0, a0), (r1, a1) = items
        return [new(Areq, (root_of[rp], ((rp, r0, a0), (rp, r1, a1)),
                           frozenset((rp,)), items)) for rp in ordered]
    if len(items) == 1:
        ((r0, a0),) = items
        return [new(Areq, (root_of[rp], ((rp, r0, a0),), frozenset((rp,)), items))
                for rp in ordered]
    return [new(Areq, (root_of[rp], tuple([(rp, rc, amount) for rc, amount in items]),
                       frozenset((rp,)), items)) for rp in ordered]


def _multiple_providers(
    data: Data, g: _Group, load_anchors: Callable[[set[int]], None]
) -> list[Areq]:
    """The unsuffixed group: providers of one tree and/or sharing providers."""
    if g.required and not _with_any_trait(data, set().union(*g.required)):
        return []
    bad_aggs = _bad_agg_members(data, g)
    root_of = data.root_of
    # tree (anchor root) -> class -> providers
    trees: dict[int, dict[int, list[int]]] | None = None
    for rc in g.resources:
        found = g.fitting[rc]
        pairs = {(rp, root_of[rp]) for rp in found}
        shared = data.sharing & found
        if g.in_aggs is not None:
            shared &= g.in_aggs
        if shared and g.tree_root is None:
            load_anchors(shared)
            pairs |= {(rp, a) for rp in shared for a in data.anchors_of.get(rp, ())}
        if data.anchor_required is not None:
            pairs = {p for p in pairs if data.anchor_ok(p[1])}
        if g.in_aggs is not None:
            aggs = g.in_aggs
            pairs = {p for p in pairs if p[0] in aggs or p[1] in aggs}
        if bad_aggs:
            pairs = {p for p in pairs if p[0] not in bad_aggs and p[1] not in bad_aggs}
        by_tree: dict[int, list[int]] = {}
        for rp, root in pairs:
            by_tree.setdefault(root, []).append(rp)
        if trees is None:
            trees = {root: {rc: rps} for root, rps in by_tree.items()}
        else:
            trees = {
                root: {**per_rc, rc: by_tree[root]}
                for root, per_rc in trees.items()
                if root in by_tree
            }
        if not trees:
            return []
    assert trees is not None
    rcs = sorted(g.resources)
    amounts = [g.resources[rc] for rc in rcs]
    items = tuple(zip(rcs, amounts, strict=True))
    if len(rcs) == 1:
        return _one_class_per_tree(data, g, trees, items)
    traits_of = data.traits_of
    empty: set[int] = set()
    areqs: list[Areq] = []
    for root in sorted(trees):
        per_rc = trees[root]
        for combo in itertools.product(*(sorted(per_rc[rc]) for rc in rcs)):
            providers = frozenset(combo)
            if g.forbidden and any(traits_of.get(rp, empty) & g.forbidden for rp in providers):
                continue
            if g.required:
                have: set[int] = set()
                for rp in providers:
                    have |= traits_of.get(rp, empty)
                if not all(any_of & have for any_of in g.required):
                    continue
            resources = tuple(zip(combo, rcs, amounts, strict=True))
            areqs.append(Areq(root, resources, providers, items))
    return areqs


def _one_class_per_tree(
    data: Data, g: _Group, trees: dict[int, dict[int, list[int]]],
    items: tuple[tuple[int, int], ...],
) -> list[Areq]:
    """``_multiple_providers`` for one class: each Areq is one provider, so the trait
    rules are membership tests in the holders of the named traits (no trait set per
    provider, no product)."""
    ((rc, amount),) = items
    required = [_with_any_trait(data, any_of) for any_of in g.required]
    banned = _with_any_trait(data, g.forbidden) if g.forbidden else set()
    new = tuple.__new__
    areqs: list[Areq] = []
    append = areqs.append
    for root in sorted(trees):
        for rp in sorted(trees[root][rc]):
            if rp in banned or not all(rp in have for have in required):
                continue
            append(new(Areq, (root, ((rp, rc, amount),), frozenset((rp,)), items)))
    return areqs


def _ancestors(data: Data, rp: int, cache: dict[int, frozenset[int]]) -> frozenset[int]:
    found = cache.get(rp)
    if found is None:
        chain = [rp]
        parent = data.parent_of.get(rp)
        while parent is not None:
            chain.append(parent)
            parent = data.parent_of.get(parent)
        found = cache[rp] = frozenset(chain)
    return found


def merge_groups(
    data: Data, per_group: dict[str, list[Areq]], params: Any, stop: int | None = None
) -> list[Combo]:
    """Combine one Areq per group under each common anchor, then filter.

    Filters: group_policy=isolate, same_subtree, capacity after summing
    amounts of the same (provider, class); duplicates are dropped. ``stop``:
    only the first ``stop`` candidates are needed.
    """
    suffixes = list(per_group)
    # Duplicates can only come from sharing providers used under several anchors.
    dedupe = bool(data.sharing)
    if dedupe:
        stop = None
    if len(suffixes) == 1:
        combos: list[Combo] = [(a,) for a in per_group[suffixes[0]][:stop]]
        return _dedupe(combos) if dedupe else combos
    # anchor -> one list of Areqs per group, in group order; anchors some group
    # cannot serve are dropped as soon as that group is seen.
    by_anchor: dict[int, list[list[Areq]]] = {}
    for index, areqs in enumerate(per_group.values()):
        if index == 0:
            for areq in areqs:
                lists = by_anchor.get(areq.anchor)
                if lists is None:
                    by_anchor[areq.anchor] = [[areq]]
                else:
                    lists[0].append(areq)
            continue
        for areq in areqs:
            lists = by_anchor.get(areq.anchor)
            if lists is None:
                continue
            have = len(lists)
            if have == index + 1:
                lists[index].append(areq)
            elif have == index:
                lists.append([areq])
            # (have < index: an earlier group had nothing under this anchor)
    granular = [i for i, s in enumerate(suffixes) if s]
    isolate = params.group_policy == "isolate"
    subtrees = [
        [i for i, s in enumerate(suffixes) if s in sset] for sset in params.same_subtrees
    ]
    ancestors: dict[int, frozenset[int]] = {}
    # Can two groups use one provider at all? (Without, no anchor needs the check.)
    providers_of = operator.itemgetter(2)
    seen_once: set[int] = set()
    shared_any = False
    for areqs in per_group.values():
        used_by_group = set().union(*map(providers_of, areqs))
        if not seen_once.isdisjoint(used_by_group):
            shared_any = True
            break
        seen_once |= used_by_group
    # The common same_subtree (one set of two groups, one provider each) is checked
    # inline by walking parents: no call and no ancestor set per provider.
    pair = subtrees[0] if len(subtrees) == 1 and len(subtrees[0]) == 2 else None
    parent_of = data.parent_of
    out: list[Combo] = []
    append = out.append
    loaded = False
    groups = len(suffixes)
    for lists in by_anchor.values():
        if len(lists) != groups:
            continue
        # Can two groups use one provider under this anchor at all?
        may_overlap = False
        if shared_any:
            used: set[int] = set()
            count = 0
            for areqs in lists:
                for areq in areqs:
                    used |= areq.providers
                    count += len(areq.providers)
            may_overlap = len(used) < count
        for combo in itertools.product(*lists):
            if isolate and len({next(iter(combo[i].providers)) for i in granular}) != len(granular):
                continue
            if pair is not None:
                p, q = combo[pair[0]].providers, combo[pair[1]].providers
                if len(p) == 1 and len(q) == 1:
                    (a,), (b,) = p, q
                    if a != b:
                        x = parent_of.get(b)  # is a an ancestor of b?
                        while x is not None and x != a:
                            x = parent_of.get(x)
                        if x is None:
                            x = parent_of.get(a)  # is b one of a?
                            while x is not None and x != b:
                                x = parent_of.get(x)
                            if x is None:
                                continue
                elif not _same_subtree(data, combo, subtrees, ancestors):
                    continue
            elif subtrees and not _same_subtree(data, combo, subtrees, ancestors):
                continue
            if may_overlap and overlapping(combo):
                if not loaded:
                    _load_inventories(data, per_group)
                    loaded = True
                if _exceeds_capacity(data, combo):
                    continue
                data.overlaps = True
            append(combo)
            if stop is not None and len(out) >= stop:
                return out
    return _dedupe(out) if dedupe else out


def overlapping(combo: Combo) -> bool:
    """Do two groups of this combo use the same provider?"""
    seen: set[int] = set()
    count = 0
    for areq in combo:
        seen |= areq.providers
        count += len(areq.providers)
    return len(seen) < count


def _exceeds_capacity(data: Data, combo: Combo) -> bool:
    """Summed amounts of one (provider, class) must still fit (not min/step).

    Only called when providers overlap: otherwise every (provider, class)
    appears once and already fits.
    """
    summed: dict[tuple[int, int], int] = {}
    for areq in combo:
        for rp, rc, amount in areq.resources:
            summed[rp, rc] = summed.get((rp, rc), 0) + amount
    for key, amount in summed.items():
        capacity, max_unit, used = data.inventory[key]
        if used + amount > int(capacity) or amount > max_unit:
            return True
    return False


def _load_inventories(data: Data, per_group: dict[str, list[Areq]]) -> None:
    """Inventories of every provider these groups use (once per merge)."""
    if data.inventory_loader is not None:
        data.inventory_loader({rp for areqs in per_group.values() for a in areqs
                               for rp, _rc, _amount in a.resources})


def combo_amounts(combo: Combo) -> dict[int, dict[int, int]]:
    """provider -> class -> summed amount."""
    out: dict[int, dict[int, int]] = {}
    for areq in combo:
        for rp, rc, amount in areq.resources:
            per = out.get(rp)
            if per is None:
                per = out[rp] = {}
            per[rc] = per.get(rc, 0) + amount
    return out


def _dedupe(combos: list[Combo]) -> list[Combo]:
    """Keep the first of combos with equal amounts and mappings."""
    seen: set[tuple[frozenset, tuple]] = set()
    out: list[Combo] = []
    for combo in combos:
        amounts = frozenset(
            (rp, rc, amount)
            for rp, per in combo_amounts(combo).items()
            for rc, amount in per.items()
        )
        key = (amounts, tuple(areq.providers for areq in combo))
        if key not in seen:
            seen.add(key)
            out.append(combo)
    return out


def _same_subtree(
    data: Data,
    combo: Combo,
    subtrees: list[list[int]],
    cache: dict[int, frozenset[int]],
) -> bool:
    """Each same_subtree set: one provider is an ancestor of all the others."""
    for indexes in subtrees:
        if len(indexes) == 2:  # the common case: two groups, one provider each
            p, q = combo[indexes[0]].providers, combo[indexes[1]].providers
            if len(p) == 1 and len(q) == 1:
                (a,), (b,) = p, q
                if a == b or a in (cache.get(b) or _ancestors(data, b, cache)):
                    continue
                if b in (cache.get(a) or _ancestors(data, a, cache)):
                    continue
                return False
        rps: set[int] = set()
        for i in indexes:
            rps |= combo[i].providers
        if len(rps) <= 1:
            continue
        if len(rps) == 2:
            a, b = rps
            if a in _ancestors(data, b, cache) or b in _ancestors(data, a, cache):
                continue
            return False
        common = set(rps)
        for rp in rps:
            common &= _ancestors(data, rp, cache)
            if not common:
                return False
    return True


def exclude_nested(data: Data, combos: list[Combo]) -> tuple[list[Combo], set[int]]:
    """Below 1.29: drop candidates using two providers of one tree.

    Returns the kept candidates and the providers summaries may show.
    """
    kept: list[Combo] = []
    seen: set[int] = set()
    root_of = data.root_of
    for combo in combos:
        rps = {rp for areq in combo for (rp, _rc, _amount) in areq.resources}
        if len(rps) == len({root_of[rp] for rp in rps}):
            kept.append(combo)
            seen |= rps
    return kept, seen
