"""The full ``interopcheck diff`` sweep vs replaying the same requests raw with httpx.

Starts two refcloud processes (``refcloud serve``, waitress, fresh SQLite files) on free
loopback ports, runs one untimed warm-up sweep, then, ``--repeat`` times:

1. runs the diff engine over the whole placement profile at every common microversion
   (``--concurrency`` scenario runs in parallel, as ``interopcheck diff`` does by default)
   and times it from start to report; an httpx transport records every request it sends
   (method, URL, headers, body) and the worker thread that sent it;
2. replays exactly those requests (those of the latest diff run; the two take turns at
   going first) with a plain ``httpx.Client`` per cloud, with the same parallelism: one
   replay thread per recorded worker thread, each sending its thread's requests in their
   recorded order (so each scenario run still sees its own setup before its calls and its
   teardown after), reading every body; no comparison.

Prints the medians side by side (wall time, and the CPU time of this process: the client
side only, the servers are other processes) and the ratio diff/raw (goal <= 1.2): what the diff
engine (templates, captures, comparison, noise check, findings, report) costs on top
of the HTTP it has to do anyway.

    /work/venv/bin/python benchmarks/diff_sweep.py [--repeat 3] [--concurrency 4]
                                                  [--microversions all]

Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from interopcheck.demo import servers
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.loader import load_profile
from interopcheck.report import Report
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds

_DROP = frozenset({"host", "content-length"})  # httpx sets these itself


@dataclass(frozen=True, slots=True)
class Sent:
    thread: int
    cloud: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    content: bytes


@dataclass
class Recorder(httpx.BaseTransport):
    """An HTTP transport that notes every request before sending it."""

    cloud: str
    log: list[Sent]
    inner: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        self.log.append(Sent(threading.get_ident(), self.cloud, request.method, str(request.url),
                             tuple((k, v) for k, v in request.headers.multi_items()
                                   if k.lower() not in _DROP), content))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def sweep(url_a: str, url_b: str, microversions: str,
          concurrency: int) -> tuple[float, float, Report, list[Sent]]:
    """One timed diff run: its wall time, this process's CPU time, report, requests sent."""
    log: list[Sent] = []
    profile = load_profile("placement")
    clouds = Clouds(Cloud("A", url_a, token="admin", transport=Recorder("A", log)),
                    Cloud("B", url_b, token="admin", transport=Recorder("B", log)))
    options = DiffOptions(microversions=microversions, concurrency=concurrency)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        report = run_diff(profile, clouds, options)
    finally:
        for cloud in clouds.all():
            cloud.close()
    return time.perf_counter() - started, time.process_time() - cpu, report, log


def replay(log: Sequence[Sent]) -> tuple[float, float]:
    """Send ``log`` again with plain clients, one thread per recorded thread.

    Returns the wall time and this process's CPU time.
    """
    by_thread: dict[int, list[Sent]] = {}
    for sent in log:
        by_thread.setdefault(sent.thread, []).append(sent)
    clients = {name: httpx.Client(timeout=30.0) for name in {s.cloud for s in log}}
    errors: list[str] = []

    def worker(requests: list[Sent]) -> None:
        for sent in requests:
            try:
                clients[sent.cloud].request(sent.method, sent.url, headers=list(sent.headers),
                                            content=sent.content or None)
            except httpx.HTTPError as exc:
                errors.append(f"{sent.method} {sent.url}: {exc}")

    threads = [threading.Thread(target=worker, args=(reqs,)) for reqs in by_thread.values()]
    started, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for client in clients.values():
        client.close()
    if errors:
        print(f"replay: {len(errors)} requests failed, e.g. {errors[0]}", file=sys.stderr)
    return elapsed, cpu


def _row(label: str, times: Sequence[float], cpu: Sequence[float], requests: int) -> str:
    med = statistics.median(times)
    return (f"{label:<24} {med:>9.2f} {min(times):>9.2f} {max(times):>9.2f} "
            f"{requests / med:>12.0f} {statistics.median(cpu):>13.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="scenario runs in parallel (default 4, as interopcheck diff)")
    parser.add_argument("--microversions", default="all", help="default: all common ones")
    args = parser.parse_args(argv)

    diff_times: list[float] = []
    raw_times: list[float] = []
    diff_cpu: list[float] = []
    raw_cpu: list[float] = []
    counts: list[int] = []
    report: Report | None = None
    with tempfile.TemporaryDirectory(prefix="diff-sweep-") as tmp, \
            servers(Path(tmp)) as (a, b):
        print(f"refcloud A {a.url}, refcloud B {b.url}; one untimed warm-up sweep",
              file=sys.stderr)
        _, _, _, log = sweep(a.url, b.url, args.microversions, args.concurrency)
        for i in range(args.repeat):
            # Take turns at going first, so that a warmer server favours neither side.
            if i % 2:
                raw = replay(log)
            elapsed, cpu, report, log = sweep(a.url, b.url, args.microversions,
                                              args.concurrency)
            if not i % 2:
                raw = replay(log)
            diff_times.append(elapsed)
            diff_cpu.append(cpu)
            raw_times.append(raw[0])
            raw_cpu.append(raw[1])
            counts.append(len(log))
            print(f"run {i + 1}/{args.repeat}: diff {elapsed:.2f}s (CPU {cpu:.2f}s), "
                  f"raw {raw[0]:.2f}s (CPU {raw[1]:.2f}s), {len(log)} requests",
                  file=sys.stderr)
    assert report is not None
    requests = int(statistics.median(counts))
    versions = report.microversions
    span = (", ".join(versions) if len(versions) <= 4
            else f"{versions[0]}-{versions[-1]}" if versions else "none")
    print(f"diff sweep: profile {report.profile}, {len(versions)} microversions ({span}), "
          f"{len(report.calls)} compared calls, {requests} HTTP requests, "
          f"{len(report.findings)} findings, {len(report.problems)} problems")
    print(f"two local refcloud processes (waitress, SQLite); concurrency {args.concurrency}; "
          f"medians of {args.repeat} runs")
    print()
    print(f"{'':<24} {'median s':>9} {'min s':>9} {'max s':>9} {'requests/s':>12} "
          f"{'client CPU s':>13}")
    print(_row("interopcheck diff", diff_times, diff_cpu, requests))
    print(_row("raw httpx replay", raw_times, raw_cpu, requests))
    ratio = statistics.median(diff_times) / statistics.median(raw_times)
    verdict = "met" if ratio <= 1.2 else "missed"
    print(f"{'ratio diff / raw':<24} {ratio:>9.2f}   (goal <= 1.2: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
