"""Allocation candidates, the flat one-group answer written as JSON text, by slices.

When every candidate is one provider with the group's amounts (one group with
resources; no trees, sharing provider, root filter or shuffle) and the answer
goes out in the newest shape, no Areq, combo, request dict or summary dict is
built: the providers that fit (``candidates_merge.own_providers``, in id order)
are written ``SLICE`` at a time straight into the JSON text of the two
collections. Per provider that is one formatted string per collection; the
resources and traits of the summaries are shared objects (``Renderer.summaries_of``)
whose JSON text is encoded once per object, not once per provider.

Why slices and text: building every candidate's dicts first and encoding them
after made the work per provider grow with the cloud (50,000 providers' objects
no longer fit in the CPU caches: the Python side grew x6.7 for x5 providers
while SQLite's scans grew x4.4). One slice's strings do fit, and are freed
before the next slice. The texts are byte for byte what ``Renderer.render`` and
the handler's encoder give (``tests/unit/refcloud/test_candidates_slices.py``).
Written here rather than by a JSON library because the library's input would
be the very dicts this avoids; every value written is either encoded by orjson
or a uuid checked to need no escaping.
"""

from __future__ import annotations

import re
from itertools import chain, repeat
from typing import Any

import orjson
import sqlalchemy as sa

from refcloud.storage import candidates_merge as merge
from refcloud.storage import candidates_render as render
from refcloud.storage import resource_classes, tables

#: Providers per slice.
SLICE = 2048

rp_t = tables.resource_providers

# The uuids of one slice's id range (the primary key's range; no dict of every uuid).
_UUIDS = sa.select(rp_t.c.id, rp_t.c.uuid).where(
    rp_t.c.id.between(sa.bindparam("lo"), sa.bindparam("hi"))
)
_UUIDS_PACKED = render.packed(_UUIDS)
#: A uuid written as it is: no character JSON would escape, none that reads as markup.
_PLAIN = re.compile(r"[0-9A-Za-z_.-]*")


def applies(data: merge.Data, groups: list[Any], randomize: bool) -> bool:
    """Is every candidate one provider with the group's amounts, in id order?"""
    return (
        len(groups) == 1
        and bool(groups[0].resources)
        and not data.has_trees
        and not data.sharing
        and data.anchor_required is None
        and not randomize
    )


def search(conn: sa.Connection, data: merge.Data, group: Any, stop: int | None
           ) -> render.Result:
    """The group's candidates (the first ``stop``; all when None) as the JSON texts of
    ``allocation_requests`` and ``provider_summaries`` (``Result.encoded``); an empty
    Result when there is none. Raises ``Empty`` as ``solve_group`` does."""
    ordered, items = merge.own_providers(data, group, stop)
    if not ordered:
        return render.Result()
    rc_names = resource_classes.names_by_id(conn)
    renderer = render.Renderer(conn, data, [group.suffix])
    resources_of, traits_of = renderer.summaries_of(set(ordered), rc_names)
    writer = _Writer({"resources": {rc_names[rc]: amount for rc, amount in items}},
                     group.suffix, resources_of, traits_of)
    # The pieces of the two texts, joined once by the caller (no copy of either text).
    requests: list[bytes] = [b"["]
    summaries: list[bytes] = [b"{"]
    for start in range(0, len(ordered), SLICE):
        ids = ordered[start:start + SLICE]
        uuid_of = dict(zip(*render.columns(
            conn, _UUIDS, _UUIDS_PACKED, {"lo": ids[0], "hi": ids[-1]}
        ), strict=True))
        if not all(map(uuid_of.__contains__, ids)):  # deleted meanwhile (READ COMMITTED)
            ids = [rp for rp in ids if rp in uuid_of]
            if not ids:
                continue
        uuids = list(map(uuid_of.__getitem__, ids))
        if len(requests) > 1:
            requests.append(b",")
            summaries.append(b",")
        request_text, summary_text = writer.write(ids, uuids)
        requests.append(request_text)
        summaries.append(summary_text)
    if len(requests) == 1:
        return render.Result()
    requests.append(b"]")
    summaries.append(b"}")
    return render.Result(encoded=(requests, summaries))


class _Writer:
    """Writes slices of one answer; the JSON text of each shared resources dict and
    trait list is encoded once (by identity)."""

    def __init__(
        self,
        resources: dict[str, dict[str, int]],
        suffix: str,
        resources_of: dict[int, dict[str, dict[str, int]]],
        traits_of: dict[int, list[str]],
    ) -> None:
        self.resources = resources
        self.suffix = suffix
        self.resources_of = resources_of
        self.traits_of = traits_of
        request = orjson.dumps(
            {"allocations": {"@": resources}, "mappings": {suffix: ["@"]}}
        ).decode()
        # '{"allocations":{"@":R},"mappings":{"S":["@"]}}': the text around two uuids.
        before, between, after = request.split("@")
        self.request = (before, between, after + ",")
        # JSON text by id() of a shared value (every such value is held by the two
        # dicts above or is one of the two empty values below, so its id stays its own).
        self.texts: dict[int, str] = {}
        self.no_resources: dict[str, Any] = {}
        self.no_traits: list[str] = []

    def _texts_of(self, values: dict[int, Any]) -> None:
        """Encode each distinct value (by identity) once."""
        texts = self.texts
        for value in {id(v): v for v in values.values()}.values():
            if id(value) not in texts:
                texts[id(value)] = orjson.dumps(value).decode()

    def write(self, ids: list[int], uuids: list[str]) -> tuple[bytes, bytes]:
        """The items of these providers (ids and uuids), without the collections'
        brackets. Each item is the concatenation of constant pieces, uuids and shared
        values' texts: one ``str.join`` over them per slice, no call per provider."""
        if not _PLAIN.fullmatch("".join(uuids)):
            return self._encoded(ids, uuids)
        resources_of, traits_of = self.resources_of, self.traits_of
        if not self.texts:
            self._texts_of({0: self.no_resources, 1: self.no_traits})
            self._texts_of(resources_of)
            self._texts_of(traits_of)
        before, between, after = self.request
        requests = "".join(chain.from_iterable(
            zip(repeat(before), uuids, repeat(between), uuids, repeat(after))
        ))[:-1]
        text_of = self.texts.__getitem__
        resource_texts = map(text_of, map(id, map(
            resources_of.get, ids, repeat(self.no_resources)
        )))
        trait_texts = map(text_of, map(id, map(traits_of.get, ids, repeat(self.no_traits))))
        summaries = "".join(chain.from_iterable(zip(
            repeat('"'), uuids, repeat('":{"resources":'), resource_texts,
            repeat(',"traits":'), trait_texts,
            repeat(',"parent_provider_uuid":null,"root_provider_uuid":"'), uuids,
            repeat('"},'),
        )))[:-1]
        return requests.encode(), summaries.encode()

    def _encoded(self, ids: list[int], uuids: list[str]) -> tuple[bytes, bytes]:
        """``write`` through orjson, for uuids that JSON must escape."""
        resources_of, traits_of = self.resources_of, self.traits_of
        requests = orjson.dumps([
            {"allocations": {uuid: self.resources}, "mappings": {self.suffix: [uuid]}}
            for uuid in uuids
        ])
        summaries = orjson.dumps({
            uuid: {
                "resources": resources_of.get(rp, {}),
                "traits": traits_of.get(rp, []),
                "parent_provider_uuid": None,
                "root_provider_uuid": uuid,
            }
            for rp, uuid in zip(ids, uuids, strict=True)
        })
        return requests[1:-1], summaries[1:-1]
