"""Concurrent-writer races against live refcloud processes sharing one database.

Used by tests/functional/test_postgres_concurrency.py and test_sqlite_concurrency.py.
Every writer thread has its own httpx client; writer ``i`` talks to ``urls[i % len(urls)]``
so the writes are split between processes. All writers start together (a barrier).

* ``inventory_race``: each writer repeatedly ``PUT /resource_providers/{u}/inventories``
  with the generation it last saw (from its own 200, or a fresh GET after a 409).
* ``allocation_race``: each writer claims 1 VCPU for brand-new consumers
  (``PUT /allocations/{new uuid}``, ``consumer_generation: null``) on one small provider,
  while a probe thread reads the provider's usage straight from the database.

The ``check_*`` functions assert the invariants and return a one-line summary.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import sqlalchemy as sa

MICROVERSION = "1.39"
HEADERS = {"x-auth-token": "admin", "openstack-api-version": f"placement {MICROVERSION}"}
CONCURRENT_UPDATE = "placement.concurrent_update"
UNDEFINED_CODE = "placement.undefined_code"
PROJECT = "c0ffee00-0000-4000-8000-00000000beef"
USER = "c0ffee00-0000-4000-8000-00000000face"


@dataclass
class Outcome:
    """One write: who sent it where, and what came back."""

    writer: int
    url: str
    status: int
    code: str | None = None
    detail: str = ""
    sent_generation: int | None = None  # inventories: the generation the write named
    generation: int | None = None  # inventories: the new generation of a 200
    total: int | None = None  # inventories: the VCPU total written
    consumer: str | None = None  # allocations: the consumer claimed for
    elapsed: float = 0.0

    def describe(self) -> str:
        return (f"writer {self.writer} via {self.url}: {self.status} {self.code or ''} "
                f"{self.detail.strip()[:200]!r}")


@dataclass
class RaceResult:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions inside writer threads
    seconds: float = 0.0
    max_usage_seen: int | None = None
    usage_samples: int = 0

    def statuses(self) -> Counter:
        return Counter((o.status, o.code) for o in self.outcomes)


def client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers=HEADERS, timeout=120)


def _error_fields(resp: httpx.Response) -> tuple[str | None, str]:
    try:
        (error,) = resp.json()["errors"]
        return error.get("code"), str(error.get("detail", ""))
    except Exception:
        return None, resp.text[:500]


def create_provider(c: httpx.Client, name: str | None = None) -> str:
    """A new resource provider; returns its uuid."""
    rp_uuid = str(uuid.uuid4())
    resp = c.post("/resource_providers", json={"name": name or f"race-{rp_uuid}", "uuid": rp_uuid})
    assert resp.status_code == 200, f"POST /resource_providers: {resp.status_code} {resp.text}"
    return rp_uuid


def set_vcpu_inventory(c: httpx.Client, rp_uuid: str, total: int) -> int:
    """Put ``VCPU: total`` on the provider; returns the new generation."""
    gen = get_inventories(c, rp_uuid)["resource_provider_generation"]
    resp = c.put(f"/resource_providers/{rp_uuid}/inventories",
                 json={"resource_provider_generation": gen,
                       "inventories": {"VCPU": {"total": total}}})
    assert resp.status_code == 200, f"PUT inventories: {resp.status_code} {resp.text}"
    return int(resp.json()["resource_provider_generation"])


def get_inventories(c: httpx.Client, rp_uuid: str) -> dict[str, Any]:
    resp = c.get(f"/resource_providers/{rp_uuid}/inventories")
    assert resp.status_code == 200, f"GET inventories: {resp.status_code} {resp.text}"
    return resp.json()


def _run_writers(urls: Sequence[str], writers: int,
                 work: Callable[[int, httpx.Client, threading.Barrier, list[Outcome]], None],
                 probe: Callable[[], int] | None = None) -> RaceResult:
    result = RaceResult()
    barrier = threading.Barrier(writers + 1)
    lock = threading.Lock()
    clients = [client(urls[i % len(urls)]) for i in range(writers)]
    done = threading.Event()

    def run(i: int) -> None:
        mine: list[Outcome] = []
        try:
            work(i, clients[i], barrier, mine)
        except Exception as exc:
            with lock:
                result.errors.append(f"writer {i}: {type(exc).__name__}: {exc}")
        with lock:
            result.outcomes.extend(mine)

    def watch() -> None:
        assert probe is not None
        while not done.is_set():
            value = probe()
            with lock:
                result.usage_samples += 1
                if result.max_usage_seen is None or value > result.max_usage_seen:
                    result.max_usage_seen = value
            time.sleep(0.002)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(writers)]
    watcher = threading.Thread(target=watch, daemon=True) if probe else None
    try:
        for t in threads:
            t.start()
        barrier.wait(timeout=120)
        start = time.monotonic()
        if watcher:
            watcher.start()
        for t in threads:
            t.join(timeout=600)
        result.seconds = time.monotonic() - start
        assert not any(t.is_alive() for t in threads), "writer threads hung"
    finally:
        done.set()
        if watcher:
            watcher.join(timeout=30)
        for c in clients:
            c.close()
    return result


# -- inventories ----------------------------------------------------------------------------

def inventory_race(urls: Sequence[str], rp_uuid: str, writers: int = 16,
                   rounds: int = 8) -> RaceResult:
    """``writers`` threads each try ``rounds`` inventory replacements (last generation seen)."""

    def work(i: int, c: httpx.Client, barrier: threading.Barrier, out: list[Outcome]) -> None:
        gen = get_inventories(c, rp_uuid)["resource_provider_generation"]
        barrier.wait(timeout=120)
        for r in range(rounds):
            total = 1000 * (i + 1) + r  # unique per write: the final total names the winner
            body = {"resource_provider_generation": gen,
                    "inventories": {"VCPU": {"total": total, "max_unit": total}}}
            t0 = time.monotonic()
            resp = c.put(f"/resource_providers/{rp_uuid}/inventories", json=body)
            o = Outcome(writer=i, url=str(c.base_url), status=resp.status_code, total=total,
                        sent_generation=gen, elapsed=time.monotonic() - t0)
            if resp.status_code == 200:
                o.generation = gen = int(resp.json()["resource_provider_generation"])
            else:
                o.code, o.detail = _error_fields(resp)
                gen = get_inventories(c, rp_uuid)["resource_provider_generation"]
            out.append(o)

    return _run_writers(urls, writers, work)


def check_inventory_race(result: RaceResult, c: httpx.Client, rp_uuid: str,
                         initial_generation: int) -> str:
    """Every write 200 or 409 concurrent_update; no two 200s share a generation; no lost update."""
    assert not result.errors, "\n".join(result.errors)
    bad = [o for o in result.outcomes
           if not (o.status == 200 or (o.status == 409 and o.code == CONCURRENT_UPDATE))]
    assert not bad, "unexpected responses:\n" + "\n".join(o.describe() for o in bad[:20])
    wins = sorted((o for o in result.outcomes if o.status == 200), key=lambda o: o.generation or 0)
    assert wins, "no inventory write succeeded"
    stale = [o for o in wins if o.generation != (o.sent_generation or 0) + 1]
    assert not stale, "lost update: writes accepted with a stale generation:\n" + "\n".join(
        f"writer {o.writer} sent generation {o.sent_generation}, got {o.generation}"
        for o in stale[:20])
    gens = [o.generation for o in wins]
    expected = list(range(initial_generation + 1, initial_generation + len(wins) + 1))
    assert gens == expected, (
        f"lost update: successful writes got generations {gens}, expected {expected}")
    final = get_inventories(c, rp_uuid)
    assert final["resource_provider_generation"] == initial_generation + len(wins), (
        f"final generation {final['resource_provider_generation']} != "
        f"{initial_generation} + {len(wins)} successful writes")
    last = wins[-1]
    assert final["inventories"]["VCPU"]["total"] == last.total, (
        f"lost update: final VCPU total {final['inventories']['VCPU']['total']} is not the "
        f"last successful write's ({last.total} by writer {last.writer})")
    conflicts = len(result.outcomes) - len(wins)
    return (f"inventory race: {len(result.outcomes)} writes, {len(wins)} x 200, "
            f"{conflicts} x 409 concurrent_update, final generation "
            f"{final['resource_provider_generation']}, {result.seconds:.2f}s")


# -- allocations ----------------------------------------------------------------------------

def usage_probe(db_url: str, rp_uuid: str) -> tuple[Callable[[], int], Callable[[], None]]:
    """(probe, close): probe() is the provider's committed VCPU usage, read with SQL."""
    from refcloud.storage import tables

    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    rp, alloc = tables.resource_providers, tables.allocations
    query = (sa.select(sa.func.coalesce(sa.func.sum(alloc.c.used), 0))
             .select_from(alloc.join(rp, rp.c.id == alloc.c.resource_provider_id))
             .where(rp.c.uuid == rp_uuid))
    conn = engine.connect()

    def probe() -> int:
        value = int(conn.execute(query).scalar_one())
        conn.rollback()  # a fresh snapshot for the next sample
        return value

    def close() -> None:
        conn.close()
        engine.dispose()

    return probe, close


def allocation_race(urls: Sequence[str], rp_uuid: str, writers: int = 16, attempts: int = 3,
                    probe: Callable[[], int] | None = None) -> RaceResult:
    """``writers`` threads each make ``attempts`` 1-VCPU claims for new consumers."""

    def work(i: int, c: httpx.Client, barrier: threading.Barrier, out: list[Outcome]) -> None:
        barrier.wait(timeout=120)
        for _a in range(attempts):
            consumer = str(uuid.uuid4())
            body = {"allocations": {rp_uuid: {"resources": {"VCPU": 1}}},
                    "project_id": PROJECT, "user_id": USER,
                    "consumer_generation": None, "consumer_type": "INSTANCE"}
            t0 = time.monotonic()
            resp = c.put(f"/allocations/{consumer}", json=body)
            o = Outcome(writer=i, url=str(c.base_url), status=resp.status_code, consumer=consumer,
                        elapsed=time.monotonic() - t0)
            if resp.status_code != 204:
                o.code, o.detail = _error_fields(resp)
            out.append(o)

    return _run_writers(urls, writers, work, probe)


def check_allocation_race(result: RaceResult, c: httpx.Client, rp_uuid: str, capacity: int,
                          generation_before: int, probe: Callable[[], int] | None = None) -> str:
    """204 or 409 only; usage == successful claims <= capacity; full when a claim hit capacity."""
    assert not result.errors, "\n".join(result.errors)
    bad = [o for o in result.outcomes
           if not (o.status == 204 or (o.status == 409 and o.code in (CONCURRENT_UPDATE,
                                                                       UNDEFINED_CODE)))]
    assert not bad, "unexpected responses:\n" + "\n".join(o.describe() for o in bad[:20])
    wins = [o for o in result.outcomes if o.status == 204]
    capacity_409 = [o for o in result.outcomes if o.status == 409 and o.code == UNDEFINED_CODE]
    gen_409 = [o for o in result.outcomes if o.status == 409 and o.code == CONCURRENT_UPDATE]
    not_capacity = [o for o in capacity_409 if "exceed the capacity" not in o.detail]
    assert not not_capacity, ("409s with the undefined code that are not capacity errors:\n"
                              + "\n".join(o.describe() for o in not_capacity[:10]))
    assert len(wins) <= capacity, (
        f"over-allocation: {len(wins)} claims of 1 succeeded, capacity {capacity}")
    if result.max_usage_seen is not None:
        assert result.max_usage_seen <= capacity, (
            f"over-allocation: usage {result.max_usage_seen} seen in the database, "
            f"capacity {capacity}")
    usages = c.get(f"/resource_providers/{rp_uuid}/usages")
    assert usages.status_code == 200, usages.text
    used = usages.json()["usages"].get("VCPU", 0)
    assert used == len(wins), f"usage {used} != {len(wins)} successful claims"
    if probe is not None:
        assert probe() == len(wins), "usage in the database != successful claims"
    generation = usages.json()["resource_provider_generation"]
    assert generation == generation_before + len(wins), (
        f"provider generation {generation} != {generation_before} + {len(wins)} successful claims")
    if capacity_409:
        assert len(wins) == capacity, (
            f"a claim was refused for capacity but only {len(wins)} of {capacity} succeeded")
    if len(result.outcomes) >= capacity + len(gen_409):
        assert len(wins) == capacity, (
            f"{len(result.outcomes)} attempts ({len(gen_409)} generation conflicts) but only "
            f"{len(wins)} of {capacity} claims succeeded")
    # Each consumer holds exactly what its answer said: the claim or nothing (no partial write).
    for o in result.outcomes:
        resp = c.get(f"/allocations/{o.consumer}")
        assert resp.status_code == 200, resp.text
        allocs = resp.json()["allocations"]
        if o.status == 204:
            assert list(allocs) == [rp_uuid] and allocs[rp_uuid]["resources"] == {"VCPU": 1}, (
                f"consumer {o.consumer} claimed (204) but holds {allocs}")
        else:
            assert allocs == {}, (
                f"consumer {o.consumer} was refused ({o.status}) but holds {allocs}")
    return (f"allocation race: {len(result.outcomes)} claims, {len(wins)} x 204, "
            f"{len(capacity_409)} x 409 capacity, {len(gen_409)} x 409 concurrent_update, "
            f"max usage seen {result.max_usage_seen} in {result.usage_samples} samples, "
            f"{result.seconds:.2f}s")


# -- claims of allocation candidates -------------------------------------------------------

def candidate_claim_race(urls: Sequence[str], query: str, claimers: int = 16,
                         probe: Callable[[], int] | None = None) -> RaceResult:
    """``claimers`` threads claim one candidate each, as a scheduler does.

    Each claimer first runs ``GET /allocation_candidates?{query}`` (all of them before the
    start barrier, so every one sees the empty provider), takes the first candidate and, once
    all are ready, PUTs it unchanged (allocations and mappings) with ``consumer_generation:
    null`` to ``/allocations/{new consumer}``.
    """

    def work(i: int, c: httpx.Client, barrier: threading.Barrier, out: list[Outcome]) -> None:
        try:
            resp = c.get(f"/allocation_candidates?{query}")
            assert resp.status_code == 200, f"GET candidates: {resp.status_code} {resp.text}"
            candidate = resp.json()["allocation_requests"][0]
        finally:
            barrier.wait(timeout=120)  # never leave the others waiting
        consumer = str(uuid.uuid4())
        body = {**candidate, "project_id": PROJECT, "user_id": USER,
                "consumer_generation": None, "consumer_type": "INSTANCE"}
        t0 = time.monotonic()
        put = c.put(f"/allocations/{consumer}", json=body)
        o = Outcome(writer=i, url=str(c.base_url), status=put.status_code, consumer=consumer,
                    detail=str(candidate["allocations"]), elapsed=time.monotonic() - t0)
        if put.status_code != 204:
            o.code, o.detail = _error_fields(put)
        out.append(o)

    return _run_writers(urls, claimers, work, probe)


def check_candidate_claims(result: RaceResult, c: httpx.Client, rp_uuid: str,
                           resources: dict[str, int], fits: int, capacity: dict[str, int],
                           generation_before: int,
                           probe: Callable[[], int] | None = None) -> str:
    """Exactly ``fits`` claims of ``resources`` succeed, the others get 409; usage is
    exactly ``fits * resources`` (== capacity for the limiting class), never more."""
    assert not result.errors, "\n".join(result.errors)
    assert len(result.outcomes) > fits, f"only {len(result.outcomes)} claims ran"
    bad = [o for o in result.outcomes
           if not (o.status == 204 or (o.status == 409 and o.code in (CONCURRENT_UPDATE,
                                                                       UNDEFINED_CODE)))]
    assert not bad, "unexpected responses:\n" + "\n".join(o.describe() for o in bad[:20])
    wins = [o for o in result.outcomes if o.status == 204]
    refused = [o for o in result.outcomes if o.status == 409]
    assert len(wins) <= fits, (
        f"over-allocation: {len(wins)} claims succeeded, the provider fits {fits}")
    assert len(wins) == fits, (
        f"{len(wins)} claims succeeded, the provider fits {fits}; refusals:\n"
        + "\n".join(o.describe() for o in refused[:10]))
    not_capacity = [o for o in refused
                    if o.code == UNDEFINED_CODE and "exceed the capacity" not in o.detail]
    assert not not_capacity, ("409s that are not capacity errors:\n"
                              + "\n".join(o.describe() for o in not_capacity[:10]))
    limiting = min(capacity, key=lambda rc: capacity[rc] // resources[rc])
    if result.max_usage_seen is not None:
        assert result.max_usage_seen <= capacity[limiting], (
            f"over-allocation: usage {result.max_usage_seen} seen in the database, "
            f"capacity {capacity[limiting]}")
    usages = c.get(f"/resource_providers/{rp_uuid}/usages")
    assert usages.status_code == 200, usages.text
    used = usages.json()["usages"]
    want = {rc: amount * fits for rc, amount in resources.items()}
    assert {rc: used.get(rc, 0) for rc in resources} == want, (
        f"usage {used} != {fits} x {resources}")
    assert used[limiting] == capacity[limiting], (
        f"{limiting} usage {used[limiting]} != capacity {capacity[limiting]}")
    if probe is not None:
        assert probe() == sum(want.values()), "usage in the database != successful claims"
    generation = usages.json()["resource_provider_generation"]
    assert generation == generation_before + fits, (
        f"provider generation {generation} != {generation_before} + {fits} claims")
    for o in result.outcomes:
        held = c.get(f"/allocations/{o.consumer}").json()["allocations"]
        if o.status == 204:
            assert list(held) == [rp_uuid] and held[rp_uuid]["resources"] == resources, (
                f"consumer {o.consumer} claimed (204) but holds {held}")
        else:
            assert held == {}, f"consumer {o.consumer} was refused ({o.status}) but holds {held}"
    codes = Counter(o.code for o in refused)
    return (f"candidate claims: {len(result.outcomes)} claimers, {len(wins)} x 204 (fits "
            f"{fits}), {len(refused)} x 409 ({dict(codes)}), usage {used}, max usage seen "
            f"{result.max_usage_seen} in {result.usage_samples} samples, {result.seconds:.2f}s")


# ---- whole races between running refcloud processes (SQLite and PostgreSQL tests) -------------


class ServerProcess(Protocol):
    url: str

    def log_tail(self, chars: int = 3000) -> str: ...


def logs(procs: Sequence[ServerProcess]) -> str:
    """The processes' log tails, appended to a failure so the reason is in the report."""
    return "".join(f"\n--- {p.url} log ---\n{p.log_tail(4000)}" for p in procs)


def inventory_race_between(procs: Sequence[ServerProcess], writers: int) -> str:
    """``writers`` PUT the same provider's inventory through all ``procs``; checked."""
    urls = [p.url for p in procs]
    with client(urls[0]) as c:
        rp_uuid = create_provider(c)
        initial = get_inventories(c, rp_uuid)["resource_provider_generation"]
        result = inventory_race(urls, rp_uuid, writers=writers, rounds=8)
        try:
            return check_inventory_race(result, c, rp_uuid, initial)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{logs(procs)}") from None


def allocation_race_between(procs: Sequence[ServerProcess], db_url: str, writers: int,
                            capacity: int) -> str:
    """``writers`` allocate against one small provider; usage sampled in ``db_url``."""
    urls = [p.url for p in procs]
    with client(urls[-1]) as c:
        rp_uuid = create_provider(c)
        generation = set_vcpu_inventory(c, rp_uuid, capacity)
        probe, close = usage_probe(db_url, rp_uuid)
        try:
            result = allocation_race(urls, rp_uuid, writers=writers, attempts=3, probe=probe)
            return check_allocation_race(result, c, rp_uuid, capacity, generation, probe)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{logs(procs)}") from None
        finally:
            close()
