"""GET /allocation_candidates: refcloud vs the real Placement on the perfload workloads.

Builds the two CI perfload datasets (spec digest §6: 1,010 flat providers and 1,000 nested
trees of 7 providers) in refcloud and in a real Placement (``shared/tools/real-placement``),
both on SQLite and both on loopback HTTP, times the perfload query (full, ``limit=5``, and again
after the claims of §6.1/§6.2), prints medians side by side with the ratio real/refcloud, then
times refcloud alone at larger flat sizes (bulk-inserted into SQLite) to show how time grows.

    /work/venv/bin/python benchmarks/allocation_candidates.py [--repeat 15] [--quick] ...

Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import statistics
import sys
import tempfile
import time
import uuid as uuidlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _instructions
import _perfload as perf
import httpx
from _perfload import BenchError, RealPlacement, Refcloud, pick_ports

#: Issue 19's targets: real/refcloud on the perfload queries (full and limit=5), and the
#: growth of the full flat query from the first to the last scaling size (10k -> 50k).
TARGET_RATIO = 10.0
TARGET_GROWTH = 5.0


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---- measurement -----------------------------------------------------------------------------

def timed_get(client: httpx.Client, path: str, who: str) -> tuple[float, dict]:
    """Milliseconds for one GET (request sent .. body fully read) and the parsed body."""
    started = time.perf_counter()
    resp = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        raise BenchError(f"{who}: GET {path[:60]}... -> {resp.status_code}: "
                         f"{resp.text[:200].strip()}")
    return elapsed, resp.json()


def counts(body: dict) -> tuple[int, int]:
    return len(body["allocation_requests"]), len(body["provider_summaries"])


@dataclass
class Series:
    """Timings of one query on one service."""

    samples: list[float] = field(default_factory=list)
    candidates: int | None = None
    summaries: int | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


@dataclass
class Row:
    dataset: str
    query: str
    series: dict[str, Series]
    is_query: bool = True  # False for the PUT /allocations row (not part of the target)


def alternate(services: dict[str, httpx.Client], path: str, repeat: int) -> dict[str, Series]:
    """``repeat`` timed calls per service, alternating services call by call (fair to noise)."""
    out = {name: Series() for name in services}
    for name, client in services.items():  # one untimed warm-up call each
        timed_get(client, path, name)
    for _ in range(repeat):
        for name, client in services.items():
            ms, body = timed_get(client, path, name)
            out[name].samples.append(ms)
            out[name].candidates, out[name].summaries = counts(body)
    return out


def claim(client: httpx.Client, path: str, who: str) -> tuple[float, float, dict]:
    """§6.1 step 2: take allocation_requests[0] of the limit=5 query and PUT it (must be 204)."""
    get_ms, body = timed_get(client, path + "&limit=5", who)
    if not body["allocation_requests"]:
        raise BenchError(f"{who}: limit=5 query returned no candidate to claim")
    payload = dict(body["allocation_requests"][0], consumer_generation=None,
                   project_id=str(uuidlib.uuid4()), user_id=str(uuidlib.uuid4()),
                   consumer_type="TEST")
    started = time.perf_counter()
    resp = client.put(f"/allocations/{uuidlib.uuid4()}", json=payload)
    put_ms = (time.perf_counter() - started) * 1000
    if resp.status_code != 204:
        raise BenchError(f"{who}: claim PUT /allocations -> {resp.status_code}: "
                         f"{resp.text[:200].strip()}")
    return get_ms, put_ms, body


def run_dataset(dataset: str, query: str, claims: int, services: dict[str, httpx.Client],
                repeat: int) -> list[Row]:
    """The §6 measurement sequence on every service: full, limit=5, claims, full again."""
    path = f"/allocation_candidates?{query}"
    log(f"{dataset}: timing full query ({repeat} calls per service)")
    rows = [Row(dataset, "full", alternate(services, path, repeat))]
    log(f"{dataset}: timing limit=5 query")
    rows.append(Row(dataset, "limit=5", alternate(services, path + "&limit=5", repeat)))
    during = {name: Series() for name in services}
    puts = {name: Series() for name in services}
    for name, client in services.items():
        log(f"{dataset}: {claims} claims on {name}")
        for _ in range(claims):
            get_ms, put_ms, body = claim(client, path, name)
            during[name].samples.append(get_ms)
            during[name].candidates, during[name].summaries = counts(body)
            puts[name].samples.append(put_ms)
    rows.append(Row(dataset, "limit=5 while claiming", during))
    rows.append(Row(dataset, "PUT /allocations (claim)", puts, is_query=False))
    log(f"{dataset}: timing full query after {claims} claims")
    rows.append(Row(dataset, f"full after {claims} claims",
                    alternate(services, path, repeat)))
    return rows


def provider_count(client: httpx.Client) -> int:
    resp = client.get("/resource_providers")
    resp.raise_for_status()
    return len(resp.json()["resource_providers"])


def profile_refcloud(db_path: Path, query: str, calls: int, out: Path) -> list[str]:
    """cProfile ``calls`` full queries on refcloud in-process (WSGI) on this SQLite file.

    Writes ``out`` (pstats) and returns the functions with the most own time, one line each.
    """
    import cProfile
    import pstats

    from refcloud.app import make_app
    from refcloud.config import Config

    app = make_app(Config(db_url=f"sqlite:///{db_path}"))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                          headers=perf.HEADERS)
    path = f"/allocation_candidates?{query}"
    try:
        timed_get(client, path, "refcloud in-process")  # warm-up (and a status check)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            client.get(path)  # the body is not decoded: only the server side is profiled
        profiler.disable()
    finally:
        client.close()
        app.db.dispose()
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.values()) or 1.0
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
    lines = []
    for (filename, line, func), (_cc, ncalls, tt, ct, _callers) in top:
        where = filename.split("site-packages/")[-1].split("reference-impl/")[-1]
        lines.append(f"{100 * tt / total:5.1f}%  own {1000 * tt / calls:7.1f}  "
                     f"cum {1000 * ct / calls:7.1f}  {ncalls // calls:>7}x  "
                     f"{func} ({where}:{line})")
    return lines


# ---- the comparison --------------------------------------------------------------------------

@dataclass
class Plan:
    flat_runs: tuple[int, ...]
    nested_trees: int
    flat_claims: int
    nested_claims: int
    sizes: list[int]
    repeat: int
    workers: int
    profile_dir: str | None = None
    instructions: bool = False


def compare(plan: Plan, use_real: bool, use_refcloud: bool, tmp: Path,
            real_ports: list[int], result: dict[str, Any]) -> list[Row]:
    """Start the servers, load both datasets everywhere (concurrently), time the queries."""
    servers: dict[tuple[str, str], Any] = {}
    if use_real:
        flat_port, nested_port = pick_ports(real_ports, 2)
        servers["real", "flat"] = RealPlacement(flat_port)
        servers["real", "nested"] = RealPlacement(nested_port)
    if use_refcloud:
        servers["refcloud", "flat"] = Refcloud(tmp / "flat.db")
        servers["refcloud", "nested"] = Refcloud(tmp / "nested.db")
    clients: list[httpx.Client] = []
    try:
        for (svc, dataset), server in servers.items():
            log(f"starting {svc} for the {dataset} dataset")
            server.start()
            log(f"{svc} {dataset}: {server.base_url}")
        flat_total = sum(plan.flat_runs)

        def load(key: tuple[str, str]) -> float:
            svc, dataset = key
            started = time.monotonic()
            url = servers[key].base_url
            if dataset == "flat":
                perf.load_flat(url, plan.flat_runs, plan.workers, label=f"{svc} flat")
            else:
                perf.load_nested(url, plan.nested_trees, plan.workers, label=f"{svc} nested")
            return time.monotonic() - started

        log(f"loading {flat_total} flat providers and {plan.nested_trees} nested trees "
            f"into {', '.join(sorted({s for s, _ in servers}))} over HTTP "
            f"({plan.workers} threads per load, all loads concurrently)")
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(servers)) as pool:
            futures = {key: pool.submit(load, key) for key in servers}
            load_seconds = {f"{s} {d}": fut.result() for (s, d), fut in futures.items()}
        result["load_seconds"] = load_seconds
        rows: list[Row] = []
        for dataset, query, claims, expected in (
            ("flat", perf.FLAT_QUERY, plan.flat_claims, flat_total),
            ("nested", perf.NESTED_QUERY, plan.nested_claims,
             plan.nested_trees * perf.NESTED_TREE_SIZE),
        ):
            services = {}
            for svc in ("real", "refcloud"):
                if (svc, dataset) in servers:
                    client = perf.make_client(servers[svc, dataset].base_url)
                    clients.append(client)
                    have = provider_count(client)
                    if have != expected:
                        raise BenchError(f"{svc} {dataset}: {have} providers after loading, "
                                         f"expected {expected}")
                    services[svc] = client
            rows += run_dataset(dataset, query, claims, services, plan.repeat)
            if plan.profile_dir and ("refcloud", dataset) in servers:
                out = Path(plan.profile_dir) / f"refcloud-{dataset}.pstats"
                log(f"{dataset}: profiling refcloud in-process ({plan.repeat} calls) -> {out}")
                result.setdefault("profiles", {})[dataset] = profile_refcloud(
                    servers["refcloud", dataset].db_path, query, plan.repeat, out)
            for svc in services:  # a server is not needed any more once its dataset is timed
                servers[svc, dataset].stop()
        return rows
    finally:
        for client in clients:
            client.close()
        for server in servers.values():
            server.stop()


def scaling(plan: Plan, tmp: Path) -> list[dict[str, Any]]:
    """refcloud alone on flat datasets bulk-inserted into SQLite before the servers start.

    One server per size, all running at once; calls alternate between the sizes round by
    round, so a slow spell of this (shared, noisy) machine hits every size alike instead of
    skewing the growth ratio. Each round also gives a ratio of its own; their median is
    printed beside the ratio of medians.
    """
    servers: dict[int, Refcloud] = {}
    inserts: dict[int, float] = {}
    dbs = {size: tmp / f"scale-{size}.db" for size in plan.sizes}
    try:
        for size, db in dbs.items():
            log(f"scaling: bulk-inserting {size} flat providers into {db.name}")
            started = time.monotonic()
            perf.bulk_flat_sqlite(str(db), size)
            inserts[size] = time.monotonic() - started
            servers[size] = Refcloud(db, fresh=False)
            servers[size].start()
        clients = {str(size): perf.make_client(servers[size].base_url) for size in plan.sizes}
        try:
            path = f"/allocation_candidates?{perf.FLAT_QUERY}"
            log(f"scaling: sizes {', '.join(clients)}: full query, {plan.repeat} interleaved "
                f"rounds")
            full = alternate(clients, path, plan.repeat)
            log("scaling: limit=5, interleaved the same way")
            limited = alternate(clients, path + "&limit=5", plan.repeat)
        finally:
            for client in clients.values():
                client.close()
        for server in servers.values():
            server.stop()
        instructions: dict[int, int] = {}
        if plan.instructions:
            for size, db in dbs.items():
                log(f"scaling: counting instructions of the full query at {size} providers "
                    f"under valgrind (minutes)")
                instructions[size] = _instructions.per_query(db, perf.FLAT_QUERY)
    finally:
        for server in servers.values():
            server.stop()
        for db in dbs.values():
            for suffix in ("", "-wal", "-shm", ".log"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    return [{"providers": size, "insert_seconds": inserts[size],
             "full": asdict(full[str(size)]), "full_median_ms": full[str(size)].median,
             "limit5": asdict(limited[str(size)]),
             "limit5_median_ms": limited[str(size)].median,
             "full_instructions": instructions.get(size)}
            for size in plan.sizes]


def round_ratios(first: list[float], last: list[float]) -> float:
    """Median over rounds of (time at the last size / time at the first size)."""
    return statistics.median(b / a for a, b in zip(first, last, strict=True))


def machine_baseline(sizes: tuple[int, ...], repeat: int) -> dict[int, list[float]]:
    """Ms to build, encode and free an answer of the flat query's shape in plain Python.

    No database, no search: it shows how this machine's memory hierarchy makes the same
    linear amount of Python object work cost more per item as the working set grows, the
    yardstick for refcloud's own growth. Sizes alternate round by round, like the queries.
    """
    import gc
    import uuid

    import orjson

    ids = {size: [str(uuid.uuid4()) for _ in range(size)] for size in sizes}
    out: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(max(3, repeat)):
        for size in sizes:
            gc.disable()
            started = time.perf_counter()
            summaries = {u: {"resources": {"VCPU": {"capacity": 32, "used": 0},
                                           "MEMORY_MB": {"capacity": 98304, "used": 0},
                                           "DISK_GB": {"capacity": 2000, "used": 0}},
                             "traits": ["HW_CPU_X86_AVX2"], "parent_provider_uuid": None,
                             "root_provider_uuid": u} for u in ids[size]}
            requests = [{"allocations": {u: {"resources": {"VCPU": 1, "MEMORY_MB": 256,
                                                           "DISK_GB": 10}}},
                         "mappings": {"": [u]}} for u in ids[size]]
            body = orjson.dumps({"allocation_requests": requests,
                                 "provider_summaries": summaries})
            del summaries, requests, body
            out[size].append((time.perf_counter() - started) * 1000)
            gc.enable()
    return out


# ---- printing --------------------------------------------------------------------------------

def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def print_comparison(rows: list[Row], plan: Plan, result: dict[str, Any]) -> list[str]:
    """The side-by-side table; returns warnings (answers that differ)."""
    warnings: list[str] = []
    ordered = False
    print(f"\nGET /allocation_candidates, real Placement vs refcloud: SQLite, loopback HTTP, "
          f"microversion latest, median of {plan.repeat} calls (claims: median over the claims)")
    head = (f"{'dataset':<8} {'query':<26} {'real ms':>9} {'refcloud ms':>12} "
            f"{'real/refcloud':>14}  {'candidates(summaries) real | refcloud':>38}")
    print(head)
    print("-" * len(head))
    table = []
    for row in rows:
        real, ref = row.series.get("real"), row.series.get("refcloud")
        real_ms = real.median if real else None
        ref_ms = ref.median if ref else None
        ratio = real_ms / ref_ms if real_ms and ref_ms else None
        cand = ""
        if row.is_query:
            cand = " | ".join(f"{s.candidates}({s.summaries})" if s else "-" for s in (real, ref))
            if real and ref and real.candidates != ref.candidates:
                warnings.append(f"{row.dataset} {row.query}: real gives {real.candidates} "
                                f"candidates, refcloud {ref.candidates}")
            elif real and ref and real.summaries != ref.summaries:
                # Neither service promises an order: with limit=5, or after claims that took
                # the first candidate, the two may pick candidates from other trees.
                note = " (order)" if row.query != "full" else ""
                ordered = ordered or bool(note)
                if not note:
                    warnings.append(f"{row.dataset} {row.query}: real gives {real.summaries} "
                                    f"provider summaries, refcloud {ref.summaries}")
                cand += note
        print(f"{row.dataset:<8} {row.query:<26} {fmt(real_ms):>9} {fmt(ref_ms):>12} "
              f"{fmt(ratio, '.2f'):>14}  {cand:>38}")
        table.append({"dataset": row.dataset, "query": row.query, "real_ms": real_ms,
                      "refcloud_ms": ref_ms, "ratio": ratio,
                      "series": {k: asdict(v) for k, v in row.series.items()}})
    if ordered:
        print("(order): same candidate count, other summaries: neither service promises an "
              "order, so limit=5\nand the claims (which take the first candidate) may pick "
              "candidates in other trees")
    result["comparison"] = table
    loads = result.get("load_seconds", {})
    if loads:
        print("loading over HTTP (loads ran concurrently): "
              + ", ".join(f"{k} {v:.0f}s" for k, v in sorted(loads.items())))
    verdicts = []
    for dataset in ("flat", "nested"):
        for query in ("full", "limit=5"):
            found = [r for r in table if r["dataset"] == dataset and r["query"] == query]
            if found and found[0]["ratio"] is not None:
                ratio = found[0]["ratio"]
                verdicts.append(f"{dataset} {query} x{ratio:.2f} "
                                f"({'meets' if ratio >= TARGET_RATIO else 'MISSES'})")
    if verdicts:
        print(f"target (issue 19) real/refcloud >= {TARGET_RATIO:g} on the perfload queries, "
              f"full and limit=5, same candidate sets: " + "; ".join(verdicts)
              + ("" if not warnings else "; candidate counts DIFFER (see WARNING)"))
        others = [r["ratio"] for r in table if r["ratio"] is not None
                  and r["query"] not in ("full", "limit=5") and not r["query"].startswith("PUT")]
        if others:
            print(f"  (other queries, claims and after them: lowest ratio x{min(others):.2f})")
    return warnings


def print_scaling(points: list[dict[str, Any]], repeat: int) -> None:
    print(f"\nrefcloud alone, flat perfload query, providers bulk-inserted into SQLite with "
          f"SQLAlchemy Core\n(same rows the API writes) before the server starts; "
          f"median of {repeat} calls")
    head = (f"{'providers':>9} {'full ms':>10} {'limit=5 ms':>11} {'candidates':>11} "
            f"{'us/provider':>12}")
    print(head)
    print("-" * len(head))
    for p in points:
        per = p["full_median_ms"] * 1000 / p["providers"]
        print(f"{p['providers']:>9} {fmt(p['full_median_ms']):>10} "
              f"{fmt(p['limit5_median_ms']):>11} {p['full']['candidates']:>11} {per:>12.1f}")
    if len(points) >= 2:
        first, last = points[0], points[-1]
        growth = last["full_median_ms"] / first["full_median_ms"]
        lgrowth = last["limit5_median_ms"] / first["limit5_median_ms"]
        rgrowth = round_ratios(first["full"]["samples"], last["full"]["samples"])
        lrgrowth = round_ratios(first["limit5"]["samples"], last["limit5"]["samples"])
        size_x = last["providers"] / first["providers"]
        verdict = "meets" if rgrowth <= TARGET_GROWTH else "MISSES"
        print(f"growth {last['providers']}/{first['providers']} (x{size_x:g} providers), ratio "
              f"of medians (median of per-round ratios):\n  full query x{growth:.2f} "
              f"(x{rgrowth:.2f}), limit=5 x{lgrowth:.2f} (x{lrgrowth:.2f})\n"
              f"target (issue 19) full query grows <= x{TARGET_GROWTH:g} (median of per-round "
              f"ratios): x{rgrowth:.2f} {verdict}")
        base = machine_baseline((first["providers"], last["providers"]), repeat)
        b0 = statistics.median(base[first["providers"]])
        b1 = statistics.median(base[last["providers"]])
        bgrowth = b1 / b0
        print(f"machine baseline (plain Python: build, encode and free an answer of the same "
              f"shape, no search):\n  {fmt(b0)} ms -> {fmt(b1)} ms, x{bgrowth:.2f}; full query "
              f"growth / baseline growth = {growth / bgrowth:.2f} (<= 1: refcloud adds no "
              f"growth of its own)")
        if first.get("full_instructions") and last.get("full_instructions"):
            i0, i1 = first["full_instructions"], last["full_instructions"]
            print(f"instructions per full query (valgrind, in-process, start-up excluded):\n"
                  f"  {i0 / 1e6:,.0f} M -> {i1 / 1e6:,.0f} M, x{i1 / i0:.2f} "
                  f"({i0 / first['providers']:,.0f} -> {i1 / last['providers']:,.0f} per "
                  f"provider): the work itself grows x{i1 / i0:.2f} for x{size_x:g} providers")


# ---- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, help="timed calls per query (15; --quick: 5)")
    parser.add_argument("--skip-real", action="store_true", help="no real Placement")
    parser.add_argument("--skip-refcloud", action="store_true",
                        help="no refcloud in the comparison (scaling still runs unless "
                             "--skip-scaling)")
    parser.add_argument("--skip-scaling", action="store_true", help="no 10k/50k scaling part")
    parser.add_argument("--sizes", help="flat sizes for the refcloud scaling part "
                        "(10000,50000; --quick: 1000,5000)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 10+100 flat providers, 50 trees, 9/3 claims, "
                        "repeat 5, sizes 1000,5000")
    parser.add_argument("--workers", type=int, default=8, help="loader threads per load (8)")
    parser.add_argument("--real-ports", default="8810,8811",
                        help="ports for the two real Placements (flat, nested); a busy one is "
                        "replaced by the next free port from 8810")
    parser.add_argument("--profile", metavar="DIR",
                        help="also cProfile the full query on refcloud in-process (same SQLite "
                        "file, after the claims): DIR/refcloud-<dataset>.pstats, and print the "
                        "functions with the most own time")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the machine instructions of one full query per "
                        "scaling size with valgrind (noise-free work growth; adds minutes)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 5 if args.quick else 15
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.instructions and not _instructions.available():
        parser.error("--instructions needs valgrind on PATH (Debian: apt-get install valgrind)")
    if args.sizes is None:
        args.sizes = "1000,5000" if args.quick else "10000,50000"
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        args.real_ports = [int(p) for p in args.real_ports.split(",") if p.strip()]
    except ValueError:
        parser.error("--sizes and --real-ports take comma-separated integers")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        plan = Plan((10, 100), 50, 9, 3, args.sizes, args.repeat, args.workers, args.profile,
                    args.instructions)
    else:
        plan = Plan(perf.FLAT_RUNS, 1000, 99, 10, args.sizes, args.repeat, args.workers,
                    args.profile, args.instructions)
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"plan": asdict(plan)}
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ac-") as tmpdir:
            tmp = Path(tmpdir)
            warnings: list[str] = []
            if not (args.skip_real and args.skip_refcloud):
                rows = compare(plan, not args.skip_real, not args.skip_refcloud, tmp,
                               args.real_ports, result)
                warnings = print_comparison(rows, plan, result)
                for dataset, lines in result.get("profiles", {}).items():
                    print(f"\nrefcloud {dataset}: cProfile of {plan.repeat} in-process full "
                          f"queries, functions with the most own time\n(share of all own time; "
                          f"own and cumulative ms per request; calls per request)")
                    print("\n".join(lines))
            if not args.skip_scaling and plan.sizes:
                points = scaling(plan, tmp)
                result["scaling"] = points
                print_scaling(points, plan.repeat)
    except (BenchError, perf.LoadError, _instructions.InstructionsError) as exc:
        print(f"allocation_candidates: error: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"allocation_candidates: error: HTTP failure: {exc!r}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("allocation_candidates: interrupted; servers stopped", file=sys.stderr)
        return 130
    for warning in warnings:
        print(f"WARNING: candidate counts differ: {warning}")
    print(f"\ntotal run time {time.monotonic() - started:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
