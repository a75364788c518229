"""A stored exchange compares with any other exchange exactly as the original does."""

from __future__ import annotations

from typing import Any

import pytest

from interopcheck.compare.exchange import Exchange
from interopcheck.compare.shape import shape_of
from interopcheck.compare.structural import DEFAULT_OPTIONS, compare, normalise_location
from interopcheck.snapshot.normalise import exchange_from_stored, skeleton, stored_exchange

U1, U2, U3 = ("1f0e6a3c-8d2b-4c39-9a55-0d6f2a9b7c11", "2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
              "3b2c4d5e-6f70-4b8c-9dae-1f2a3b4c5d6e")
BODIES: list[Any] = [
    {"resource_providers": [{"uuid": U1, "name": "a", "generation": 1, "links": []},
                            {"uuid": U2, "name": "b", "generation": 2,
                             "links": [{"rel": "self", "href": "/x"}]}]},
    {"allocations": {U1: {"resources": {"VCPU": 1}, "generation": 0},
                     U2: {"resources": {"VCPU": 1, "DISK_GB": 2.5}}}},
    {"usages": {U3: None}, "flag": True, "ratio": 1.5, "items": [1, "x", None, [], {}]},
    [],
    "plain string",
]


@pytest.mark.parametrize("body", BODIES)
def test_skeleton_keeps_the_shape(body: Any) -> None:
    assert shape_of(skeleton(body)) == shape_of(body)


def _exchange(status: int, body: Any, headers: dict[str, str] | None = None,
              body_format: str | None = None) -> Exchange:
    return Exchange.create(method="GET", url=f"/resource_providers/{U1}",
                           request_headers={"x-auth-token": "secret",
                                            "openstack-api-version": "placement 1.23"},
                           status=status,
                           headers=headers or {"content-type": "application/json",
                                               "openstack-api-version": "placement 1.23"},
                           body=body, body_format=body_format)


ERRORS = {"errors": [{"status": 409, "title": "Conflict", "code": "placement.concurrent_update",
                      "detail": "There was a conflict.\n\n resource provider generation "
                                f"conflict for {U1}", "request_id": "req-" + U2}]}
CASES = [
    _exchange(200, BODIES[0], {"content-type": "application/json", "vary": "x",
                               "location": f"http://host:8780/resource_providers/{U2}",
                               "x-openstack-request-id": "req-1", "date": "today"}),
    _exchange(200, BODIES[1]),
    _exchange(409, ERRORS),
    _exchange(409, {"errors": [dict(ERRORS["errors"][0], code="placement.undefined_code")]}),
    _exchange(409, {"errors": [*ERRORS["errors"], *ERRORS["errors"]]}),
    _exchange(404, f"The resource {U3} could not be found.\n\n  Nope.",
              {"content-type": "text/plain"}, "text"),
    _exchange(404, "Another text", {"content-type": "text/plain"}, "text"),
    _exchange(204, None, {"cache-control": "no-cache"}),
]
DROPPED = ("date", "x-openstack-request-id")


OPTIONS = DEFAULT_OPTIONS.ignoring(*DROPPED)  # as the diff ignores them


def _seen(a: Exchange, b: Exchange, side: str) -> set[tuple[str, str, str]]:
    """Differences with the value of ``side`` (A's or B's); a Location missing on one side
    is shown by its path (scheme, host and UUIDs are never compared)."""
    out = set()
    for d in compare(a, b, OPTIONS):
        value = d.a if side == "a" else d.b
        if d.path == "location" and d.kind in ("header-missing", "header-extra"):
            value = normalise_location(value) if value != "(absent)" else value
        out.add((d.kind, d.path, value))
    return out


@pytest.mark.parametrize("a", range(len(CASES)))
@pytest.mark.parametrize("b", range(len(CASES)))
def test_stored_exchanges_compare_like_the_originals(a: int, b: int) -> None:
    sa = exchange_from_stored(stored_exchange(CASES[a], DROPPED))
    sb = exchange_from_stored(stored_exchange(CASES[b], DROPPED))
    assert _seen(CASES[a], sb, "a") == _seen(CASES[a], CASES[b], "a")
    assert _seen(sa, CASES[b], "b") == _seen(CASES[a], CASES[b], "b")
    assert {k[:2] for k in _seen(sa, sb, "a")} == {k[:2] for k in _seen(CASES[a], CASES[b], "a")}


def test_nothing_secret_or_generated_is_kept() -> None:
    stored = str(stored_exchange(CASES[0], DROPPED)) + str(stored_exchange(CASES[2], DROPPED))
    for value in ("secret", U1, U2, "host:8780", "req-", "today", '"a"', "generation\": 1"):
        assert value not in stored
