"""Allocation candidates, output side: allocation requests and provider summaries.

Built in the newest wire shape (dict-form allocation requests with mappings;
summaries with every class, traits and tree uuids); the handler trims it for
older microversions. Equal sub-objects (amount dicts, resources, trait lists,
mappings lists) are shared between entries: cheaper to build and to encode.
Summaries are loaded here, for the kept trees only.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from typing import Any

import orjson
import sqlalchemy as sa

from refcloud.storage import candidates_merge as merge
from refcloud.storage import resource_classes, tables

#: Above this many ids, query without an IN list and filter in Python.
MAX_IN_LIST = 500

rp_t = tables.resource_providers
inv_t = tables.inventories
alloc_t = tables.allocations
rpt_t = tables.resource_provider_traits
trait_t = tables.traits


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
    #: Instead of the two above (``candidates_slices``): the pieces of their JSON
    #: texts (the array's, the object's) in the newest shape, to be joined.
    encoded: tuple[list[bytes], list[bytes]] | None = None


def rows(
    conn: sa.Connection, stmt: sa.Executable, params: dict[str, Any] | None = None
) -> list[tuple]:
    """All rows as the driver's plain tuples.

    SQLAlchemy's Row objects and result processing cost about as much again as the
    driver's own fetch on the thousands of rows a search reads; the columns read here
    are integers, floats and strings, which need no processing on SQLite or PostgreSQL.
    """
    result = conn.execute(stmt, params)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def packed(stmt: sa.Select) -> sa.Select:
    """``stmt`` as one row: each of its columns as a JSON array of its values, in the
    order ``stmt`` reads them (SQLite's ``json_group_array``). See ``columns``."""
    sub = stmt.subquery()
    return sa.select(*(sa.func.json_group_array(column) for column in sub.c))


#: json_group_array is built into SQLite from 3.38 (older builds may lack it).
_SQLITE_JSON = sqlite3.sqlite_version_info >= (3, 38, 0)


def columns(
    conn: sa.Connection,
    stmt: sa.Select,
    packed_stmt: sa.Select | None = None,
    params: dict[str, Any] | None = None,
) -> list[list[Any]]:
    """The rows of ``stmt`` as one list of values per column.

    On SQLite the rows come as one row of JSON arrays (``packed_stmt``, by default
    ``packed(stmt)``), decoded by orjson: Python's sqlite3 module releases and retakes
    the GIL around every row step and every column value it reads, which on the
    thousands of rows a search reads costs about as much as SQLite's own work; one row
    and a JSON decode per column cost a fraction of it (valgrind: 44 -> 28 M
    instructions for 7,000 providers' id, uuid, parent and root). Other databases
    return the rows as they are.
    """
    if conn.dialect.name != "sqlite" or not _SQLITE_JSON:
        found = rows(conn, stmt, params)
        if not found:
            return [[] for _ in stmt.selected_columns]
        return [list(column) for column in zip(*found, strict=True)]
    (row,) = rows(conn, packed(stmt) if packed_stmt is None else packed_stmt, params)
    return list(map(orjson.loads, row))


def _root_filter(ids: set[int]) -> dict[str, list[int]] | None:
    """Parameters of the ``root IN :roots`` statements for small sets; None (the
    statements without a filter) for large ones."""
    if len(ids) > MAX_IN_LIST:
        return None
    return {"roots": sorted(ids)}


# Statements built once (SQLAlchemy then reuses their cache key and compiled form),
# each without a filter and with ``root_provider_id IN :roots`` (or ``id IN :ids``).
_IN_ROOTS = rp_t.c.root_provider_id.in_(sa.bindparam("roots", expanding=True))
_UUIDS = sa.select(rp_t.c.id, rp_t.c.uuid)
_UUIDS_IN = _UUIDS.where(rp_t.c.id.in_(sa.bindparam("ids", expanding=True)))
_UUIDS_PACKED, _UUIDS_IN_PACKED = packed(_UUIDS), packed(_UUIDS_IN)
PROVIDERS = sa.select(
    rp_t.c.id, rp_t.c.uuid, rp_t.c.parent_provider_id, rp_t.c.root_provider_id
)
PROVIDERS_PACKED = packed(PROVIDERS)
_PROVIDERS_IN = PROVIDERS.where(_IN_ROOTS)
_PROVIDERS_IN_PACKED = packed(_PROVIDERS_IN)
# The same double product as Placement's SQL; truncated later, as it does. (Packed
# for SQLite, truncated there: JSON text of a double keeps 15 digits, which could
# round 114.99999999999999 up to 115 before the truncation.)
_CAPACITY = (inv_t.c.total - inv_t.c.reserved) * inv_t.c.allocation_ratio
_INVENTORIES = sa.select(inv_t.c.resource_provider_id, inv_t.c.resource_class_id, _CAPACITY)
_INV_FROM_ROOTS = inv_t.join(rp_t, rp_t.c.id == inv_t.c.resource_provider_id)
_INVENTORIES_IN = _INVENTORIES.select_from(_INV_FROM_ROOTS).where(_IN_ROOTS)
_INVENTORIES_INT = sa.select(
    inv_t.c.resource_provider_id, inv_t.c.resource_class_id, sa.cast(_CAPACITY, sa.Integer)
)
_INVENTORIES_PACKED = packed(_INVENTORIES_INT)
_INVENTORIES_IN_PACKED = packed(_INVENTORIES_INT.select_from(_INV_FROM_ROOTS).where(_IN_ROOTS))
_USAGE = sa.select(
    alloc_t.c.resource_provider_id,
    alloc_t.c.resource_class_id,
    sa.func.sum(alloc_t.c.used),
).group_by(alloc_t.c.resource_provider_id, alloc_t.c.resource_class_id)
_USAGE_IN = _USAGE.where(
    alloc_t.c.resource_provider_id.in_(sa.select(rp_t.c.id).where(_IN_ROOTS).scalar_subquery())
)
_USAGE_PACKED, _USAGE_IN_PACKED = packed(_USAGE), packed(_USAGE_IN)
_TRAITS = sa.select(rpt_t.c.resource_provider_id, rpt_t.c.trait_id).order_by(rpt_t.c.trait_id)
_TRAITS_IN = _TRAITS.select_from(
    rpt_t.join(rp_t, rp_t.c.id == rpt_t.c.resource_provider_id)
).where(_IN_ROOTS)
_TRAITS_PACKED, _TRAITS_IN_PACKED = packed(_TRAITS), packed(_TRAITS_IN)
_TRAIT_NAMES = sa.select(trait_t.c.id, trait_t.c.name)
_TRAIT_NAMES_IN = _TRAIT_NAMES.where(trait_t.c.id.in_(sa.bindparam("ids", expanding=True)))


_RESOURCES, _PROVIDERS = operator.itemgetter(1), operator.itemgetter(2)  # of an Areq


#: One Areq's part of a candidate: (allocations, mappings list, uuid, resources). A
#: one-provider Areq with resources (nearly all) has no allocations dict of its own:
#: its uuid and its shared {"resources": ...} dict; others have uuid None.
Piece = tuple[dict[str, Any] | None, list[str], str | None, dict[str, Any] | None]


def _allocations(pieces: Sequence[Piece]) -> dict[str, Any]:
    """The allocations of a candidate of these pieces (no two share a provider)."""
    out: dict[str, Any] = {}
    for allocations, _mapping, uuid, resources in pieces:
        if uuid is not None:
            out[uuid] = resources
        else:
            out.update(allocations or {})
    return out


class Renderer:
    """Turns merged candidates into a Result (one per request)."""

    def __init__(self, conn: sa.Connection, data: merge.Data, suffixes: list[str]) -> None:
        self.conn = conn
        self.data = data
        self.suffixes = suffixes
        # {"resources": {class: amount}} dict per group amounts tuple (by identity),
        # shared between candidates; _keep holds the keys' objects alive.
        self._shared_resources: dict[int, dict[str, dict[str, int]]] = {}
        self._keep: list[Any] = []

    def render(self, combos: list[merge.Combo], only: set[int] | None) -> Result:
        if not combos:
            return Result()
        d = self.data
        rc_names = resource_classes.names_by_id(self.conn)
        # Providers of groups with resources (their trees get summaries) and of
        # resourceless groups (mappings only): every provider needs its uuid.
        holders: set[int] = set()
        mapped: set[int] = set()
        areqs = list(chain.from_iterable(combos))
        if all(map(_RESOURCES, areqs)):  # (the common case, without a Python loop)
            holders = holders.union(*map(_PROVIDERS, areqs))
        else:
            for areq in areqs:
                (holders if areq.resources else mapped).update(areq.providers)
        del areqs
        mapped |= holders
        gone = self._load_uuids(mapped)
        if gone:  # deleted meanwhile (PostgreSQL READ COMMITTED): not a candidate
            combos = [c for c in combos if not any(a.providers & gone for a in c)]
            if not combos:
                return Result()
            holders -= gone
        root_of = d.root_of
        roots = {root_of[rp] for rp in holders}
        if len(self.suffixes) == 1:
            requests = self._single_group(combos, rc_names)
        else:
            requests = self._many_groups(combos, rc_names)
        return Result(requests, self._summaries(roots, only, rc_names))

    def _load_uuids(self, ids: set[int]) -> set[int]:
        """Make these providers' uuids known; returns those gone meanwhile."""
        uuid_of = self.data.uuid_of
        missing = ids - uuid_of.keys()
        if not missing:
            return missing
        if len(missing) <= MAX_IN_LIST:
            found = columns(self.conn, _UUIDS_IN, _UUIDS_IN_PACKED, {"ids": sorted(missing)})
        else:
            found = columns(self.conn, _UUIDS, _UUIDS_PACKED)
        uuid_of.update(zip(*found, strict=True))
        return missing - uuid_of.keys()

    def _single_group(self, combos: list[merge.Combo], rc_names: dict[int, str]) -> list[dict]:
        """One group (the common case): every Areq is used once, nothing to cache."""
        uuid_of = self.data.uuid_of
        suffix = self.suffixes[0]
        requests = []
        append = requests.append
        # {"resources": {class: amount}}: one object per group amounts tuple
        # (in practice one for the whole answer), shared by every candidate.
        items: tuple | None = None
        resources: dict[str, dict[str, int]] = {}
        for (areq,) in combos:
            providers = areq.providers
            if len(providers) == 1 and areq.resources:
                if areq.amounts is not items:
                    items = areq.amounts
                    resources = self._resources(areq, rc_names)
                (rp,) = providers
                uuid = uuid_of[rp]
                append({"allocations": {uuid: resources}, "mappings": {suffix: [uuid]}})
            else:
                piece = self._piece(areq, {}, rc_names)
                append({"allocations": _allocations((piece,)), "mappings": {suffix: piece[1]}})
        return requests

    def _many_groups(self, combos: list[merge.Combo], rc_names: dict[int, str]) -> list[dict]:
        """Several groups: one Areq appears in many candidates, its piece is built once."""
        suffixes = self.suffixes
        # Per Areq (by identity): its piece (see _piece). Pieces are shared between
        # candidates; nothing mutates them later.
        pieces: dict[int, Piece] = {}
        requests: list[dict] = []
        append = requests.append
        get_piece = pieces.get
        make_piece = self._piece
        overlaps = self.data.overlaps
        if len(suffixes) == 3 and not overlaps:
            # Three groups (as the nested perfload query), spelled out: no loop, zip
            # or method call per group of each of thousands of candidates.
            s0, s1, s2 = suffixes
            uuid_of = self.data.uuid_of
            get_resources = self._shared_resources.get
            # Every piece first; the one-provider ones (nearly all) inline, without a call.
            for areq in chain.from_iterable(combos):
                if id(areq) not in pieces:
                    providers = areq.providers
                    if len(providers) == 1 and areq.resources:
                        (rp,) = providers
                        uuid = uuid_of[rp]
                        resources = get_resources(id(areq.amounts)) or self._resources(
                            areq, rc_names
                        )
                        pieces[id(areq)] = (None, [uuid], uuid, resources)
                    else:
                        make_piece(areq, pieces, rc_names)
            for a0, a1, a2 in combos:
                p0, p1, p2 = pieces[id(a0)], pieces[id(a1)], pieces[id(a2)]
                if p0[2] is not None and p1[2] is not None and p2[2] is not None:
                    allocations = {p0[2]: p0[3], p1[2]: p1[3], p2[2]: p2[3]}
                else:
                    allocations = _allocations((p0, p1, p2))
                append({
                    "allocations": allocations,
                    "mappings": {s0: p0[1], s1: p1[1], s2: p2[1]},
                })
            return requests
        for combo in combos:
            if overlaps and merge.overlapping(combo):
                allocations = self._summed_allocations(combo, rc_names)
                mappings = {
                    suffix: (get_piece(id(areq)) or make_piece(areq, pieces, rc_names))[1]
                    for suffix, areq in zip(suffixes, combo, strict=True)
                }
            else:
                allocations = {}
                mappings = {}
                for suffix, areq in zip(suffixes, combo, strict=True):
                    piece = get_piece(id(areq)) or make_piece(areq, pieces, rc_names)
                    if piece[2] is not None:
                        allocations[piece[2]] = piece[3]
                    else:
                        allocations.update(piece[0] or {})
                    mappings[suffix] = piece[1]
            append({"allocations": allocations, "mappings": mappings})
        return requests

    def _resources(self, areq: merge.Areq, rc_names: dict[int, str]) -> dict[str, dict[str, int]]:
        """{"resources": {class name: amount}} of a one-provider Areq, one shared dict
        per group (per amounts tuple, by identity)."""
        found = self._shared_resources.get(id(areq.amounts))
        if found is None:
            found = {"resources": {rc_names[rc]: amount for rc, amount in areq.amounts}}
            self._shared_resources[id(areq.amounts)] = found
            self._keep.append(areq.amounts)
        return found

    def _piece(self, areq: merge.Areq, pieces: dict[int, Piece], rc_names: dict[int, str]
               ) -> Piece:
        """The piece of one Areq (cached by identity in ``pieces``)."""
        uuid_of = self.data.uuid_of
        providers = areq.providers
        if not areq.resources:  # a resourceless group: mappings only
            found = pieces[id(areq)] = ({}, [uuid_of[rp] for rp in sorted(providers)], None, None)
            return found
        if len(providers) == 1:
            (rp,) = providers
            uuid = uuid_of[rp]
            found = pieces[id(areq)] = (None, [uuid], uuid, self._resources(areq, rc_names))
            return found
        allocations: dict[str, dict[str, dict[str, int]]] = {}
        for rp, rc, amount in areq.resources:
            uuid = uuid_of[rp]
            entry = allocations.get(uuid)
            if entry is None:
                entry = allocations[uuid] = {"resources": {}}
            entry["resources"][rc_names[rc]] = amount
        found = pieces[id(areq)] = (
            allocations, [uuid_of[rp] for rp in sorted(providers)], None, None
        )
        return found

    def _summed_allocations(
        self, combo: merge.Combo, rc_names: dict[int, str]
    ) -> dict[str, dict[str, dict[str, int]]]:
        """Allocations of a combo where groups share providers: amounts add up."""
        uuid_of = self.data.uuid_of
        allocations: dict[str, dict[str, dict[str, int]]] = {}
        for areq in combo:
            for rp, rc, amount in areq.resources:
                uuid = uuid_of[rp]
                entry = allocations.get(uuid)
                if entry is None:
                    entry = allocations[uuid] = {"resources": {}}
                resources = entry["resources"]
                name = rc_names[rc]
                resources[name] = resources.get(name, 0) + amount
        return allocations

    def _summaries(
        self, roots: set[int], only: set[int] | None, rc_names: dict[int, str]
    ) -> dict[str, dict[str, Any]]:
        """Every provider of the kept trees (or only ``only``), keyed by uuid."""
        d, conn = self.data, self.conn
        cond = _root_filter(roots)
        uuid_of = d.uuid_of
        if not d.has_trees:
            # Without nesting every tree is its root alone (already known).
            ids = sorted(roots)
            return self._build(ids, [uuid_of[rp] for rp in ids], [None] * len(ids), ids,
                               set(ids), cond, rc_names)
        if not d.all_providers:
            found = columns(conn, PROVIDERS, PROVIDERS_PACKED) if cond is None else columns(
                conn, _PROVIDERS_IN, _PROVIDERS_IN_PACKED, cond
            )
            if cond is None:
                d.all_providers = True
                if not d.root_of:
                    d.provider_columns = found
            ids, uuids, parents, root_ids = found
            uuid_of.update(zip(ids, uuids, strict=True))
            d.parent_of.update(zip(ids, parents, strict=True))
            d.root_of.update(zip(ids, root_ids, strict=True))
        if only is None and d.provider_columns is not None:
            # Every provider's row in root_of's order: no list of members to build.
            return self._tree_summaries(d.provider_columns, roots, cond, rc_names)
        parent_of = d.parent_of
        ids = [
            rp for rp, root in d.root_of.items()
            if root in roots and (only is None or rp in only)
        ]
        root_of = d.root_of
        return self._build(ids, [uuid_of[rp] for rp in ids], [parent_of[rp] for rp in ids],
                           [root_of[rp] for rp in ids], set(ids), cond, rc_names)

    def _tree_summaries(
        self,
        provider_columns: list[list[Any]],
        roots: set[int],
        cond: dict[str, list[int]] | None,
        rc_names: dict[int, str],
    ) -> dict[str, dict[str, Any]]:
        """Summaries of every provider of the kept trees, from the providers' columns."""
        ids, uuids, parents, root_ids = provider_columns
        if roots.issuperset(root_ids):  # every tree is kept (a whole answer)
            return self._build(ids, uuids, parents, root_ids, None, cond, rc_names)
        keep = list(map(roots.__contains__, root_ids))
        ids = list(compress(ids, keep))
        return self._build(ids, list(compress(uuids, keep)), list(compress(parents, keep)),
                           list(compress(root_ids, keep)), set(ids), cond, rc_names)

    def _build(
        self,
        ids: list[int],
        uuids: list[str],
        parents: list[int | None],
        root_ids: list[int],
        wanted: set[int] | None,
        cond: dict[str, list[int]] | None,
        rc_names: dict[int, str],
    ) -> dict[str, dict[str, Any]]:
        """The summaries of these providers (``wanted``: their ids, None when the
        statements read no other provider's rows). The values are looked up by ``map``
        over the columns: per provider only its dict is built in Python."""
        resources_of = self._summary_inventories(wanted, cond, rc_names)
        traits_of = self._summary_traits(wanted, cond)
        no_resources: dict[str, dict[str, int]] = {}
        no_traits: list[str] = []
        get_uuid = self.data.uuid_of.get  # (None, a root's missing parent, gives None)
        return {
            uuid: {
                "resources": resources,
                "traits": traits,
                "parent_provider_uuid": parent,
                "root_provider_uuid": root,
            }
            for uuid, resources, traits, parent, root in zip(
                uuids,
                map(resources_of.get, ids, repeat(no_resources)),
                map(traits_of.get, ids, repeat(no_traits)),
                map(get_uuid, parents),
                map(get_uuid, root_ids, uuids),
                strict=False,  # (the repeat()s are endless)
            )
        }

    def summaries_of(
        self, ids: set[int], rc_names: dict[int, str]
    ) -> tuple[dict[int, dict[str, dict[str, int]]], dict[int, list[str]]]:
        """On a flat cloud (each provider its own root): the resources and trait names
        of these providers, each a dict by provider id (providers without any are left
        out; equal values are one shared object)."""
        cond = _root_filter(ids)  # (the ``root IN`` statements: roots are the providers)
        return self._summary_inventories(ids, cond, rc_names), self._summary_traits(ids, cond)

    def _summary_inventories(
        self, wanted: set[int] | None, cond: dict[str, list[int]] | None,
        rc_names: dict[int, str],
    ) -> dict[int, dict[str, dict[str, int]]]:
        """{class: {"capacity", "used"}} of these providers (those with inventories)."""
        conn = self.conn
        if cond is None:
            usage_columns = columns(conn, _USAGE, _USAGE_PACKED)
            inventory_columns = columns(conn, _INVENTORIES, _INVENTORIES_PACKED)
        else:
            usage_columns = columns(conn, _USAGE_IN, _USAGE_IN_PACKED, cond)
            inventory_columns = columns(conn, _INVENTORIES_IN, _INVENTORIES_IN_PACKED, cond)
        return _resources_by_provider(usage_columns, inventory_columns, rc_names, wanted)

    def _summary_traits(
        self, wanted: set[int] | None, cond: dict[str, list[int]] | None
    ) -> dict[int, list[str]]:
        """Trait names, in trait id order (as Placement lists them)."""
        if cond is None:
            found = columns(self.conn, _TRAITS, _TRAITS_PACKED)
        else:
            found = columns(self.conn, _TRAITS_IN, _TRAITS_IN_PACKED, cond)
        return _traits_by_provider(found, _trait_names(self.conn, set(found[1])), wanted)


def _resources_by_provider(
    usage_columns: list[list[Any]],
    inventory_columns: list[list[Any]],
    rc_names: dict[int, str],
    wanted: set[int] | None = None,
) -> dict[int, dict[str, dict[str, int]]]:
    """provider -> {class: {"capacity", "used"}} from the usage (provider, class, sum)
    and inventory (provider, class, capacity) columns, rows of providers in ``wanted``
    only (all when None); providers without inventories are left out.

    Providers with equal inventories share one dict: a trie is walked by each
    provider's (class, capacity, used) pieces in row order, and a node's dict is
    the resources of the path to it. No list or key is built per provider; far
    fewer objects to build, keep and encode.
    """
    used = {(rp, rc): int(total or 0) for rp, rc, total in zip(*usage_columns, strict=True)}
    rps, rcs, capacities = inventory_columns
    if wanted is not None:
        keep = list(map(wanted.__contains__, rps))
        rps, rcs, capacities = (
            compress(rps, keep), compress(rcs, keep), compress(capacities, keep)
        )
    get_used = used.get
    start: tuple[dict[str, dict[str, int]], dict[tuple, Any]] = ({}, {})
    node_of: dict[int, tuple[dict[str, dict[str, int]], dict[tuple, Any]]] = {}
    get_node = node_of.get
    for rp, rc, capacity in zip(rps, rcs, capacities, strict=True):
        node = get_node(rp, start)
        key = (rc, capacity, get_used((rp, rc), 0) if used else 0)
        step = node[1].get(key)
        if step is None:
            piece = {"capacity": int(capacity), "used": key[2]}
            step = node[1][key] = ({**node[0], rc_names[rc]: piece}, {})
        node_of[rp] = step
    return {rp: node[0] for rp, node in node_of.items()}


def _trait_names(conn: sa.Connection, ids: set[int]) -> dict[int, str]:
    """trait id -> name for these ids (one statement; none for no ids)."""
    if not ids:
        return {}
    if len(ids) <= MAX_IN_LIST:
        return dict(rows(conn, _TRAIT_NAMES_IN, {"ids": sorted(ids)}))
    return dict(rows(conn, _TRAIT_NAMES))


def _traits_by_provider(
    trait_columns: list[list[Any]], names: dict[int, str], wanted: set[int] | None = None
) -> dict[int, list[str]]:
    """provider -> trait names from the (provider, trait id) columns, each provider's
    rows in trait id order; rows of providers in ``wanted`` only (all when None)."""
    rps, trait_ids = trait_columns
    if wanted is not None:
        keep = list(map(wanted.__contains__, rps))
        rps, trait_ids = compress(rps, keep), compress(trait_ids, keep)
    # A trie of trait lists: a provider's node is reached by its trait ids in
    # order, so providers with the same traits end on one node (one shared list)
    # and no list or key is built per provider.
    start: tuple[list[str], dict[int, Any]] = ([], {})
    node_of: dict[int, tuple[list[str], dict[int, Any]]] = {}
    get = node_of.get
    for rp, trait in zip(rps, trait_ids, strict=True):
        node = get(rp, start)
        step = node[1].get(trait)
        if step is None:
            step = node[1][trait] = ([*node[0], names[trait]], {})
        node_of[rp] = step
    return {rp: node[0] for rp, node in node_of.items()}


def usage(conn: sa.Connection, where: sa.ColumnElement | None) -> dict[tuple[int, int], int]:
    """(provider, class) -> summed allocations (those matching ``where``)."""
    query = _USAGE if where is None else _USAGE.where(where)
    return {(rp, rc): int(total or 0) for rp, rc, total in rows(conn, query)}
