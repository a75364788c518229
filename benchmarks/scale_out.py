"""refcloud at scale: the perfload writes against real Placement, and scale-out on PostgreSQL.

Part 1, writes: the two CI perfload datasets (spec digest §6: placeload's 10 + 1,000 flat
providers, 4 writes each; ``nested-perfload.yaml``'s trees of 7 providers, 19 writes each)
are loaded over loopback HTTP by 8 loader threads into a real Placement
(``shared/tools/real-placement``, SQLite, gunicorn) and into refcloud (SQLite), one load at a
time so neither competes with the other for the 2 cores. Prints seconds, writes/s and the
ratio real/refcloud per dataset.

Part 2, scale-out: ``refcloud serve --workers N`` on one PostgreSQL database
(tests/support/postgres.py starts a throwaway server), for each N: a fresh database, the
flat load (writes/s) and then the flat perfload query for a fixed time (candidates
answers/s), both from the same number of client threads for every N (8 per process of the
largest N, so that N processes of 8 server threads each can all be busy). Rounds
alternate the N values so a slow spell of this shared machine hits every N alike; medians
over the rounds and the ratio to N=1 are printed.

Part 2's load uses a lean client (``LeanClient``: http.client, bodies encoded once) instead
of httpx: the client shares the 2 cores with what it measures, and httpx cost ~4x the CPU
per write. After each load the database is checked for lost updates (every provider at
generation 3 with all its rows) and the race tests' inventory and allocation races
(tests/support/races.py) run through the N processes; the CPU per write of refcloud,
PostgreSQL and the client is printed, with the PostgreSQL settings used.

    .venv/bin/python benchmarks/scale_out.py [--trees 1000] [--rounds 3] [--workers-list 1,2]
        [--skip-real] [--skip-postgres] [--server-threads 8] [--json FILE]

Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

import _perfload as perf
import httpx
import sqlalchemy as sa
from _perfload import BenchError, RealPlacement, Refcloud, pick_ports

FLAT_WRITES_PER_PROVIDER = 4  # POST the provider, PUT inventories, aggregates, traits
NESTED_WRITES_PER_TREE = 1 + 7 + 7 + 4  # PUT the trait, 7 POSTs, 7 inventories, 4 trait sets


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def server_pids(server: Any) -> list[int]:
    """The service's processes: refcloud's (and its workers), or real Placement's gunicorn."""
    if isinstance(server, Refcloud):
        root = [server.pid] if server.pid else []
    else:  # the gunicorn master bound to the port (start.sh checks the same way)
        root = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if "gunicorn" in cmd and f"127.0.0.1:{server.port}" in cmd:
                    root.append(int(proc.name))
    pids = list(root)
    for pid in root:
        try:
            pids += [int(p) for p in
                     Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    return sorted(set(pids))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def load(server: Any, dataset: str, trees: int, workers: int) -> tuple[float, int]:
    """Seconds to load ``dataset`` into the running ``server``, and the writes it took.

    Also sets ``server.cpu``: the CPU seconds the service's processes spent meanwhile (the
    machine is shared: wall time also counts other people's work, CPU time does not).
    """
    label = f"{server.name} {dataset}"
    pids = server_pids(server)
    cpu0 = cpu_seconds(pids)
    started = time.monotonic()
    if dataset == "flat":
        count = perf.load_flat(server.base_url, perf.FLAT_RUNS, workers, label=label)
        writes = count * FLAT_WRITES_PER_PROVIDER
    else:
        perf.load_nested(server.base_url, trees, workers, label=label)
        writes = 1 + trees * NESTED_WRITES_PER_TREE
    elapsed = time.monotonic() - started
    server.cpu = cpu_seconds(pids) - cpu0
    return elapsed, writes


# ---- part 1: writes, real Placement vs refcloud ----------------------------------------------

def writes_side_by_side(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    rows = []
    for dataset in ("flat", "nested"):
        row: dict[str, Any] = {"dataset": dataset}
        services: list[Any] = []
        if not args.skip_real:
            services.append(RealPlacement(pick_ports(args.real_ports, 1)[0]))
        services.append(Refcloud(tmp / f"writes-{dataset}.db"))
        for server in services:
            log(f"writes: starting {server.name} for {dataset}")
            try:
                server.start()
                seconds, writes = load(server, dataset, args.trees, args.workers)
            finally:
                server.stop()
            row[server.name] = seconds
            row[f"{server.name}_cpu"] = server.cpu
            row["writes"] = writes
            log(f"writes: {server.name} {dataset}: {writes} writes in {seconds:.1f}s "
                f"({server.cpu:.1f} CPU s)")
        rows.append(row)
    return rows


def print_writes(rows: list[dict[str, Any]], workers: int) -> None:
    print(f"\nperfload loads over loopback HTTP, {workers} loader threads, one load at a time, "
          f"both on SQLite;\nwall seconds, and CPU seconds of the service's own processes "
          f"(what other load on the machine does not inflate)")
    head = (f"{'dataset':<8} {'writes':>7} {'real s':>8} {'refcloud s':>11} {'ratio':>6} "
            f"{'real CPU s':>11} {'refcloud CPU s':>15} {'ratio':>6} {'refcloud w/s':>13}")
    print(head)
    print("-" * len(head))
    for r in rows:
        real, ref = r.get("real"), r["refcloud"]
        real_cpu, ref_cpu = r.get("real_cpu"), r["refcloud_cpu"]

        def f(x: float | None, spec: str = ".1f") -> str:
            return "-" if x is None else format(x, spec)

        print(f"{r['dataset']:<8} {r['writes']:>7} {f(real):>8} {ref:>11.1f} "
              f"{f(real and real / ref, '.2f'):>6} {f(real_cpu):>11} {ref_cpu:>15.1f} "
              f"{f(real_cpu and real_cpu / max(ref_cpu, 0.01), '.2f'):>6} "
              f"{r['writes'] / ref:>13.0f}")


# ---- part 2: scale-out on PostgreSQL ---------------------------------------------------------

_LEAN_HEADERS = {**perf.HEADERS, "content-type": "application/json"}
_INVENTORY_BODY = json.dumps(
    {"resource_provider_generation": 0, "inventories": perf.FLAT_INVENTORY}).encode()
_AGGREGATE_BODIES = [json.dumps({"resource_provider_generation": 1, "aggregates": aggs}).encode()
                     for aggs in perf.FLAT_AGGREGATES]
_TRAIT_BODIES = [json.dumps({"resource_provider_generation": 2, "traits": names}).encode()
                 for names in perf.FLAT_TRAITS]


class LeanClient:
    """One keep-alive ``http.client`` connection sending pre-encoded perfload bodies.

    Part 2 measures the server, and on 2 cores the benchmark's own client shares the CPU
    with refcloud and PostgreSQL: httpx (request/response objects, header models, JSON
    encoding per call) cost ~1.1-1.4 ms CPU per write in this process, a quarter of all the
    CPU a write took. http.client with bodies encoded once costs a fraction of that, so
    more of the 2 cores is left to what is measured. Part 1 keeps the httpx loaders of
    _perfload.py (real Placement's gunicorn closes connections; both services get the same
    client there).
    """

    def __init__(self, base_url: str) -> None:
        host, port = base_url.split("//", 1)[1].rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=600)

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        self.conn.request(method, path, body=body, headers=_LEAN_HEADERS)
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def close(self) -> None:
        self.conn.close()


def lean_load_flat(base_url: str, threads: int, label: str) -> int:
    """The flat perfload's writes (placeload's four per provider, 10 then 1,000 providers)
    from ``threads`` lean clients, each checked for 200; returns the number of writes."""
    progress = perf.Progress(label, sum(perf.FLAT_RUNS))
    for count in perf.FLAT_RUNS:
        items = iter([(str(uuidlib.uuid4()), i) for i in range(count)])

        def worker(items: Any = items, lock: threading.Lock = threading.Lock()) -> None:
            client = LeanClient(base_url)
            try:
                while True:
                    with lock:
                        item = next(items, None)
                    if item is None:
                        return
                    rp_uuid, index = item
                    base = f"/resource_providers/{rp_uuid}"
                    post = b'{"uuid": "%s", "name": "%s"}' % (rp_uuid.encode(), rp_uuid.encode())
                    for method, path, body in (
                            ("POST", "/resource_providers", post),
                            ("PUT", f"{base}/inventories", _INVENTORY_BODY),
                            ("PUT", f"{base}/aggregates", _AGGREGATE_BODIES[index % 3]),
                            ("PUT", f"{base}/traits", _TRAIT_BODIES[index % 3])):
                        status, text = client.call(method, path, body)
                        if status != 200:
                            raise perf.LoadError(f"{method} {path} -> {status}: {text[:300]!r}")
                    progress.step()
            finally:
                client.close()

        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for fut in [pool.submit(worker) for _ in range(threads)]:
                fut.result()
    return sum(perf.FLAT_RUNS) * FLAT_WRITES_PER_PROVIDER


def lost_flat_writes(db_url: str, providers: int) -> int:
    """Providers whose stored state is not what the 4 acknowledged writes made it.

    Every write of the load got 200 with generation n+1 for the generation n it sent, so a
    provider must be at generation 3 with its 3 inventories, 1-3 aggregates and 1-3 traits.
    A missing provider, another generation or a missing row is a lost update (counted once
    per provider); read straight from the database.
    """
    from refcloud.storage import tables

    rp = tables.resource_providers
    counts = {}
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            for table in (tables.inventories, tables.resource_provider_aggregates,
                          tables.resource_provider_traits):
                counts[table.name] = dict(conn.execute(
                    sa.select(table.c.resource_provider_id, sa.func.count())
                    .group_by(table.c.resource_provider_id)).all())
            rows = conn.execute(sa.select(rp.c.id, rp.c.generation).order_by(rp.c.id)).all()
    finally:
        engine.dispose()
    lost = max(0, providers - len(rows))
    for rp_id, generation in rows:
        lost += not (generation == 3
                     and counts["inventories"].get(rp_id) == len(perf.FLAT_INVENTORY)
                     and counts["resource_provider_aggregates"].get(rp_id, 0) >= 1
                     and counts["resource_provider_traits"].get(rp_id, 0) >= 1)
    return lost


class _Served:
    """What tests/support/races.py needs of a server: its URL and its log."""

    def __init__(self, server: Refcloud) -> None:
        self.url = server.base_url
        self.logfile = server.logfile

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def race_checks(server: Refcloud, db_url: str, writers: int) -> tuple[int, list[str]]:
    """The race tests' two races (tests/support/races.py) through this server's processes.

    Returns (failed races, summaries): an inventory race (``writers`` threads, 8 rounds each,
    replacing one provider's inventory with the generation they last saw: no two 200s may
    share a generation, none may be lost) and an allocation race (``writers`` claims on a
    10-VCPU provider: never more than 10 granted).
    """
    from tests.support import races

    served = [_Served(server)]
    failed, lines = 0, []
    for name, run in (("inventory", lambda: races.inventory_race_between(served, writers)),
                      ("allocation", lambda: races.allocation_race_between(
                          served, db_url, writers, 10))):
        try:
            lines.append(run())
        except AssertionError as exc:
            failed += 1
            lines.append(f"{name} race FAILED: {str(exc).splitlines()[0][:300]}")
    return failed, lines


def postmaster_pids(pg: Any) -> list[int]:
    """The throwaway PostgreSQL's postmaster and its children (the backends)."""
    try:
        pm = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
        kids = Path(f"/proc/{pm}/task/{pm}/children").read_text().split()
    except (OSError, ValueError, IndexError):
        return []
    return [pm, *map(int, kids)]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used (``/proc/stat``: all but idle and
    iowait), to tell how much of the 2 cores other work took during a load."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def candidates_rate(base_url: str, threads: int, seconds: float) -> tuple[float, int]:
    """Answers/s of the flat perfload query from ``threads`` clients for ``seconds``."""
    path = f"/allocation_candidates?{perf.FLAT_QUERY}"
    stop_at = time.monotonic() + seconds
    done = [0] * threads
    candidates: set[int] = set()
    lock = threading.Lock()

    def worker(i: int) -> None:
        with perf.make_client(base_url) as client:
            while time.monotonic() < stop_at:
                resp = client.get(path)
                if resp.status_code != 200:
                    raise BenchError(f"candidates: {resp.status_code} {resp.text[:200]}")
                with lock:
                    candidates.add(len(resp.json()["allocation_requests"]))
                done[i] += 1

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for fut in [pool.submit(worker, i) for i in range(threads)]:
            fut.result()
    elapsed = time.monotonic() - started
    if len(candidates) != 1:
        raise BenchError(f"candidates: answers differ in size: {sorted(candidates)}")
    return sum(done) / elapsed, candidates.pop()


def scale_out(args: argparse.Namespace, tmp: Path) -> dict[int, dict[str, list[float]]]:
    sys.path.insert(0, str(perf.REPO_ROOT))
    from tests.support.postgres import PostgresServer, PostgresUnavailable

    keys = ("writes_per_s", "candidates_per_s", "refcloud_ms", "postgres_ms", "client_ms",
            "others_cores", "lost_updates", "failed_races")
    out: dict[int, dict[str, list[float]]] = {n: {k: [] for k in keys} for n in args.workers_list}
    try:
        pg = PostgresServer().start()
    except PostgresUnavailable as exc:
        raise BenchError(f"PostgreSQL: {exc}") from None
    args.pg_settings = getattr(pg, "SETTINGS", None)
    try:
        for rnd in range(args.rounds):
            order = args.workers_list if rnd % 2 == 0 else list(reversed(args.workers_list))
            for n in order:
                url = pg.create_database(f"scale_{uuidlib.uuid4().hex[:10]}")
                server = Refcloud(tmp / f"pg-{n}-{rnd}.db", fresh=False, db_url=url, workers=n,
                                  extra_args=("--threads", str(args.server_threads)))
                server.name = f"refcloud x{n}"
                log(f"scale-out round {rnd + 1}/{args.rounds}: {n} process(es)")
                try:
                    server.start()
                    ref_pids = server_pids(server)
                    ref0, pg0, me0 = (cpu_seconds(ref_pids), cpu_by_pid(postmaster_pids(pg)),
                                      self_cpu())
                    busy0 = machine_busy_seconds()
                    started = time.monotonic()
                    writes = lean_load_flat(server.base_url, args.scale_clients, server.name)
                    seconds = time.monotonic() - started
                    busy = machine_busy_seconds() - busy0
                    pg1 = cpu_by_pid(postmaster_pids(pg))
                    ms = {"refcloud_ms": cpu_seconds(ref_pids) - ref0,
                          "postgres_ms": sum(c - pg0.get(pid, 0.0) for pid, c in pg1.items()),
                          "client_ms": self_cpu() - me0}
                    lost = lost_flat_writes(url, sum(perf.FLAT_RUNS))
                    rate, cands = candidates_rate(server.base_url, args.scale_clients,
                                                  args.candidates_seconds)
                    failed, race_lines = race_checks(server, url, args.scale_clients)
                finally:
                    server.stop()
                point = out[n]
                point["writes_per_s"].append(writes / seconds)
                point["candidates_per_s"].append(rate)
                for key, cpu in ms.items():
                    point[key].append(cpu * 1000 / writes)
                point["others_cores"].append(max(0.0, busy - sum(ms.values())) / seconds)
                point["lost_updates"].append(lost)
                point["failed_races"].append(failed)
                log(f"  {n} process(es): {writes / seconds:.0f} writes/s (CPU ms/write: "
                    + ", ".join(f"{k[:-3]} {point[k][-1]:.2f}" for k in ms)
                    + f"; other work on the machine {point['others_cores'][-1]:.2f} cores)"
                    f", lost updates {lost}, {rate:.1f} candidates answers/s "
                    f"({cands} candidates each)")
                for line in race_lines:
                    log(f"    {line}")
    finally:
        pg.stop()
    return out


def print_scale(points: dict[int, dict[str, list[float]]], args: argparse.Namespace) -> None:
    print(f"\nrefcloud serve --workers N on one PostgreSQL database, flat perfload "
          f"(4,040 writes from {args.scale_clients} lean client threads;\nthen the flat query "
          f"from {args.scale_clients} httpx threads for {args.candidates_seconds:g} s; then "
          f"the race tests' inventory and allocation races),\nthe same client threads for "
          f"every N, {args.server_threads} server threads per process, median of "
          f"{args.rounds} interleaved rounds")
    if args.pg_settings:
        print(f"PostgreSQL (throwaway, tests/support/postgres.py): {args.pg_settings}")
    head = (f"{'processes':>9} {'writes/s':>9} {'x vs 1':>7} {'candidates/s':>13} {'x vs 1':>7}"
            f" {'lost updates':>12} {'failed races':>12}   rounds (writes/s)")
    print(head)
    print("-" * len(head))
    first = min(points)
    w0 = statistics.median(points[first]["writes_per_s"])
    c0 = statistics.median(points[first]["candidates_per_s"])
    for n, p in sorted(points.items()):
        w = statistics.median(p["writes_per_s"])
        c = statistics.median(p["candidates_per_s"])
        rounds = ", ".join(f"{x:.0f}" for x in p["writes_per_s"])
        print(f"{n:>9} {w:>9.0f} {w / w0:>7.2f} {c:>13.1f} {c / c0:>7.2f}"
              f" {int(sum(p['lost_updates'])):>12} {int(sum(p['failed_races'])):>12}   {rounds}")
    print("\nCPU milliseconds per write during the load (median over rounds): where the 2 "
          "cores went;\n'others' is the rest of the machine's work meanwhile (other "
          "processes, in cores: /proc/stat less the three)")
    head = (f"{'processes':>9} {'refcloud':>9} {'postgres':>9} {'client':>7} {'total':>7}"
            f" {'others (cores)':>15}   rounds (others)")
    print(head)
    print("-" * len(head))
    for n, p in sorted(points.items()):
        parts = [statistics.median(p[k]) for k in ("refcloud_ms", "postgres_ms", "client_ms")]
        others = ", ".join(f"{x:.2f}" for x in p["others_cores"])
        print(f"{n:>9} {parts[0]:>9.2f} {parts[1]:>9.2f} {parts[2]:>7.2f} {sum(parts):>7.2f}"
              f" {statistics.median(p['others_cores']):>15.2f}   {others}")


# ---- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", type=int, default=1000, help="nested trees (1000)")
    parser.add_argument("--workers", type=int, default=8, help="loader threads (8)")
    parser.add_argument("--real-ports", default="8810",
                        help="port for the real Placement; a busy one is replaced by the next "
                        "free port from 8810")
    parser.add_argument("--skip-real", action="store_true", help="part 1 without real Placement")
    parser.add_argument("--skip-writes", action="store_true", help="no part 1")
    parser.add_argument("--skip-postgres", action="store_true", help="no part 2")
    parser.add_argument("--workers-list", default="1,2",
                        help="refcloud process counts for part 2 (1,2)")
    parser.add_argument("--rounds", type=int, default=3, help="part 2 rounds (3)")
    parser.add_argument("--scale-clients", type=int,
                        help="client threads in part 2, the same for every N (default 8 per "
                        "process of the largest N: each process serves 8 requests at a time)")
    parser.add_argument("--server-threads", type=int, default=8,
                        help="refcloud serve --threads per process in part 2 (8, its default)")
    parser.add_argument("--candidates-seconds", type=float, default=8.0,
                        help="seconds of candidates queries per round (8)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    try:
        args.real_ports = [int(p) for p in args.real_ports.split(",") if p.strip()]
        args.workers_list = [int(n) for n in args.workers_list.split(",") if n.strip()]
    except ValueError:
        parser.error("--real-ports and --workers-list take comma-separated integers")
    if args.rounds < 1 or args.trees < 1 or not args.workers_list or args.server_threads < 1:
        parser.error("--rounds, --trees and --server-threads must be >= 1, --workers-list "
                     "not empty")
    if args.scale_clients is None:
        args.scale_clients = 8 * max(args.workers_list)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result: dict[str, Any] = {}
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmpdir:
            tmp = Path(tmpdir)
            if not args.skip_writes:
                rows = writes_side_by_side(args, tmp)
                result["writes"] = rows
                print_writes(rows, args.workers)
            if not args.skip_postgres:
                points = scale_out(args, tmp)
                result["scale_out"] = points
                print_scale(points, args)
    except (BenchError, perf.LoadError) as exc:
        print(f"scale_out: error: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"scale_out: error: HTTP failure: {exc!r}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("scale_out: interrupted; servers stopped", file=sys.stderr)
        return 130
    print(f"\ntotal run time {time.monotonic() - started:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
