"""How often do builds end in ERROR, and how often do claims conflict, with retries on alternates?

Two designs, same scheduler code (refcloud.scheduler) and conductor
(refcloud.compute.conductor):

* ``scheduler``: the scheduler claims (walking on past hosts whose claim
  fails), returns the claimed host plus N unclaimed alternates from its cell;
  a failed build is retried on the next alternate the conductor can claim.
* ``conductor``: the design it replaced: the scheduler returns an unclaimed
  host list (the same choice and alternates) and the conductor claims each
  entry in turn, a refused claim using up an entry just like a failed build.

Each row runs ``--builds`` single-instance builds into an empty cloud of
``--hosts`` hosts in ``--cells`` cells from ``--requesters`` concurrent
requesters; a build fails on its host with probability p.

Analytical expectation: a build attempt fails with probability p, independently;
entry i of a build's host list is lost without an attempt with probability
c_i (measured: a refused claim, a list shorter than i + 1, or no valid host
at all), so it fails with c_i + (1 - c_i) p and a build ends in ERROR with the
product of that over its N + 1 entries. Claiming in the scheduler makes
c_0 = 0 whenever the cloud has room, hence p^(N+1) when alternates are not
contended; claiming in the conductor pays c_0 > 0 under contention even at
p = 0. "ok" means the measured rate is within 3 standard errors
(sqrt(E (1 - E) / builds)) of the expectation, or 0 when the expectation is 0.

``--placement model`` (default) is an in-memory Placement (benchmarks/
scheduler_model.py) with concurrency modelled as a pipeline of builds in
flight (each sees Placement as before the other requesters' builds), fast
enough for the full grid. ``--placement refcloud`` runs the same code
against refcloud's Placement in process over HTTP (httpx.WSGITransport) with
real requester threads; it is far slower, so use it with smaller sizes, e.g.
``--hosts 100 --builds 1000 --p 0,0.1 --alternates 0,2``.

Run: python benchmarks/scheduler_retries.py [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from refcloud.compute.conductor import BuildResult, Conductor
from refcloud.compute.hosts import ComputeFleet, Fault
from refcloud.scheduler.cells import HostInfo, HostMap
from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.request_spec import Flavor, RequestSpec
from refcloud.scheduler.scheduler import Scheduler
from scheduler_model import ModelPlacement

FLAVOR = Flavor("bench", 2, 4096, 40)
PROJECT = "b0000000-0000-4000-8000-000000000001"
USER = "b0000000-0000-4000-8000-000000000002"
DESIGNS = ("scheduler", "conductor")


@dataclass(frozen=True)
class Scenario:
    design: str
    p: float
    alternates: int
    hosts: int = 1000
    cells: int = 4
    slots: int = 12
    builds: int = 10_000
    requesters: int = 16
    limit: int = 100
    randomize: bool = False
    seed: int = 1
    placement: str = "model"


@dataclass
class Outcome:
    """Counts of one row. Position i of a build's host list is "reached" when entries
    0..i-1 all failed; it is "lost" when it could not be used at all: a refused claim, a
    list shorter than i + 1, or (position 0, claim in the scheduler) no valid host."""

    scenario: Scenario
    builds: int = 0
    errors: int = 0
    builds_with_conflict: int = 0
    scheduler_conflicts: int = 0
    conductor_conflicts: int = 0
    reached: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        size = self.scenario.alternates + 1
        self.reached = self.reached or [0] * size
        self.lost = self.lost or [0] * size

    def add(self, result: BuildResult, scheduler_conflicts: int = 0) -> None:
        self.builds += 1
        self.errors += not result.ok
        conflicts = result.claim_conflicts
        self.conductor_conflicts += conflicts
        self.scheduler_conflicts += scheduler_conflicts
        self.builds_with_conflict += bool(conflicts or scheduler_conflicts)
        for position, attempt in enumerate(result.attempts):
            self.reached[position] += 1
            self.lost[position] += attempt.outcome == "claim_conflict"
        if not result.ok:  # entries the list did not have (or no host at all) are lost
            for position in range(len(result.attempts), len(self.reached)):
                self.reached[position] += 1
                self.lost[position] += 1

    @property
    def error_rate(self) -> float:
        return self.errors / self.builds

    @property
    def conflicts_per_build(self) -> float:
        return (self.scheduler_conflicts + self.conductor_conflicts) / self.builds

    @property
    def conflict_share(self) -> float:
        return self.builds_with_conflict / self.builds

    def loss_rate(self, position: int) -> float:
        """c_i: how often host-list entry i could not be used, once reached."""
        reached = self.reached[position]
        return self.lost[position] / reached if reached else 0.0

    @property
    def expected(self) -> float:
        """Product over the entries of P(entry fails) = c_i + (1 - c_i) p."""
        p = self.scenario.p
        result = 1.0
        for position in range(len(self.reached)):
            c = self.loss_rate(position)
            result *= c + (1 - c) * p
        return result

    @property
    def three_sigma(self) -> float:
        e = self.expected
        return 3 * math.sqrt(e * (1 - e) / self.builds)

    @property
    def within_noise(self) -> bool:
        if self.expected == 0:
            return self.errors == 0
        return abs(self.error_rate - self.expected) <= self.three_sigma


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _cloud(sc: Scenario, rng: random.Random) -> tuple[dict[str, str], list[HostInfo]]:
    cells = {_uuid(rng): f"cell{i + 1}" for i in range(sc.cells)}
    cell_ids = list(cells)
    hosts = [HostInfo(_uuid(rng), f"cell{i % sc.cells + 1}-host{i:04d}", cell_ids[i % sc.cells])
             for i in range(sc.hosts)]
    return cells, hosts


def _capacity(sc: Scenario) -> tuple[int, int, int]:
    return (FLAVOR.vcpus * sc.slots, FLAVOR.memory_mb * sc.slots, FLAVOR.disk_gb * sc.slots)


def run_model(sc: Scenario) -> Outcome:
    rng = random.Random(f"{sc.seed}/{sc.design}/{sc.p}/{sc.alternates}")
    cells, hosts = _cloud(sc, rng)
    placement = ModelPlacement({h.uuid: _capacity(sc) for h in hosts}, requesters=sc.requesters,
                               limit=sc.limit, rng=random.Random(rng.random()),
                               randomize=sc.randomize)
    scheduler = Scheduler(placement, HostMap.static(hosts, cells),
                          SchedulerConfig(max_placement_results=sc.limit),
                          random.Random(rng.random()))
    fleet = ComputeFleet(random.Random(rng.random()), default=Fault(probability=sc.p))
    conductor = Conductor(placement, scheduler, fleet)
    spec = RequestSpec(FLAVOR, PROJECT, USER)
    outcome = Outcome(sc)
    started = time.perf_counter()
    for k in range(sc.builds):
        placement.begin(k)
        before = scheduler.stats.claim_conflicts
        [result] = conductor.schedule_and_build(spec, [_uuid(rng)], sc.alternates,
                                                claim_in_scheduler=sc.design == "scheduler")
        outcome.add(result, scheduler.stats.claim_conflicts - before)
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_refcloud(sc: Scenario) -> Outcome:
    import refcloud
    from refcloud.scheduler.client import PlacementClient

    rng = random.Random(f"{sc.seed}/{sc.design}/{sc.p}/{sc.alternates}")
    app = refcloud.make_app(refcloud.Config(db_url="sqlite://",
                                            randomize_allocation_candidates=sc.randomize))
    client = PlacementClient.in_process(app, retry_factor=0.05)
    cells, hosts = _cloud(sc, rng)
    vcpu, ram, disk = _capacity(sc)
    inventory = {"VCPU": {"total": vcpu}, "MEMORY_MB": {"total": ram},
                 "DISK_GB": {"total": disk}}
    for host in hosts:
        client.register_host(host.name, host.uuid, inventory, [host.cell_uuid])
    host_map = HostMap(client, cells)
    fleet = ComputeFleet(random.Random(rng.random()), default=Fault(probability=sc.p))
    spec = RequestSpec(FLAVOR, PROJECT, USER)
    outcome = Outcome(sc)
    todo = iter(range(sc.builds))
    lock = threading.Lock()

    def requester(seed: float) -> None:
        # One scheduler per requester, so its conflict counter is this thread's own.
        scheduler = Scheduler(client, host_map, SchedulerConfig(max_placement_results=sc.limit),
                              random.Random(seed))
        conductor = Conductor(client, scheduler, fleet)
        while True:
            with lock:
                if next(todo, None) is None:
                    return
                instance = _uuid(rng)
            before = scheduler.stats.claim_conflicts
            [result] = conductor.schedule_and_build(spec, [instance], sc.alternates,
                                                    claim_in_scheduler=sc.design == "scheduler")
            with lock:
                outcome.add(result, scheduler.stats.claim_conflicts - before)

    started = time.perf_counter()
    threads = [threading.Thread(target=requester, args=(rng.random(),))
               for _ in range(sc.requesters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcome.seconds = time.perf_counter() - started
    client.close()
    return outcome


def run(sc: Scenario) -> Outcome:
    return run_refcloud(sc) if sc.placement == "refcloud" else run_model(sc)


def _cell(o: Outcome) -> str:
    mark = "ok" if o.within_noise else "!!"
    return (f"{100 * o.error_rate:7.3f} {100 * o.expected:8.3f} {100 * o.three_sigma:6.3f}"
            f" {mark:>3} {100 * o.conflict_share:7.2f} {o.conflicts_per_build:7.3f}")


def report(outcomes: list[Outcome], args: argparse.Namespace, seconds: float) -> str:
    sc = outcomes[0].scenario
    slots = sc.hosts * sc.slots
    width = 46
    lines = [
        f"scheduler_retries: {sc.hosts} hosts in {sc.cells} cells, {sc.slots} slots each "
        f"({slots} slots); {sc.builds} builds of {FLAVOR.vcpus} VCPU/{FLAVOR.memory_mb} MB/"
        f"{FLAVOR.disk_gb} GB per row and design ({100 * sc.builds / slots:.0f}% of capacity);",
        f"{sc.requesters} concurrent requesters; {sc.limit} candidates per request "
        f"({'random' if sc.randomize else 'first in provider order'}); "
        f"placement={sc.placement}; seed={sc.seed}",
        "",
        f"{'':13}| {'claim in the scheduler (this design)':{width}}| "
        f"{'claim in the conductor (unclaimed host list)':{width}}",
        f"{'p':>5} {'alts':>5}  | " + " | ".join(
            [f"{'ERROR%':>7} {'expect%':>8} {'3s%':>6} {'':>3} {'confl%':>7} {'confl/b':>7}"] * 2),
    ]
    by_key = {(o.scenario.design, o.scenario.p, o.scenario.alternates): o for o in outcomes}
    rows = [(p, n) for p in args.p for n in args.alternates]
    for p, n in rows:
        found = [by_key.get((d, p, n)) for d in DESIGNS]
        lines.append(f"{p:5.2f} {n:5d}  | " + " | ".join(
            _cell(o) if o else f"{'-':>{width - 2}}" for o in found))
    lines += [
        "",
        "ERROR%  builds ending in ERROR      expect%  analytical: product over the host-list "
        "entries i of (c_i + (1 - c_i) p)",
        "3s%     3 standard errors of expect%  ok: |ERROR% - expect%| <= 3s% (ERROR% = 0 when "
        "expect% = 0)",
        "confl%  builds that met a refused claim   confl/b  refused claims per build "
        "(scheduler walk + conductor)",
        "c_i     share of builds reaching entry i that could not use it (refused claim, list "
        "too short, no valid host):",
    ]
    for p, n in rows:
        found = [by_key.get((d, p, n)) for d in DESIGNS]
        text = ["/".join(f"{100 * o.loss_rate(i):.2f}" for i in range(n + 1)) if o else "-"
                for o in found]
        lines.append(f"  p={p:.2f} alts={n}: scheduler c_i% {text[0]:24} (p^(alts+1) = "
                     f"{100 * p ** (n + 1):.4f}%)  conductor c_i% {text[1]}")
    lines.append(
        f"{sum(o.builds for o in outcomes)} builds in {seconds:.1f} s "
        f"({sum(o.seconds for o in outcomes):.1f} s of simulation in {args.workers} processes)")
    return "\n".join(lines)


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v]


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--cells", type=int, default=4)
    parser.add_argument("--slots", type=int, default=12, help="flavor-sized slots per host")
    parser.add_argument("--builds", type=int, default=10_000, help="builds per row and design")
    parser.add_argument("--requesters", type=int, default=16)
    parser.add_argument("--limit", type=int, default=100,
                        help="candidates per request (max_placement_results)")
    parser.add_argument("--randomize", action="store_true",
                        help="random candidates (randomize_allocation_candidates) instead of "
                        "the first ones in provider order")
    parser.add_argument("--p", type=_floats, default=[0.0, 0.01, 0.05, 0.10],
                        help="build failure probabilities, comma-separated")
    parser.add_argument("--alternates", type=_ints, default=[0, 1, 2, 4])
    parser.add_argument("--designs", default=",".join(DESIGNS))
    parser.add_argument("--placement", choices=("model", "refcloud"), default="model")
    parser.add_argument("--workers", type=int, default=2, help="processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    common = dict(hosts=args.hosts, cells=args.cells, slots=args.slots, builds=args.builds,
                  requesters=args.requesters, limit=args.limit, randomize=args.randomize,
                  seed=args.seed,
                  placement=args.placement)
    scenarios = [Scenario(d, p, n, **common)  # type: ignore[arg-type]
                 for d in args.designs.split(",") for p in args.p for n in args.alternates]
    started = time.perf_counter()
    if args.workers > 1:
        with multiprocessing.Pool(args.workers) as pool:
            outcomes = pool.map(run, scenarios, chunksize=1)
    else:
        outcomes = [run(sc) for sc in scenarios]
    print(report(outcomes, args, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
