"""Snapshot size and ``diff SNAPSHOT SNAPSHOT`` time for the whole placement profile.

    python benchmarks/snapshot_diff.py [--runs 5] [--keep DIR]

1. Records an in-process refcloud (and one each with ``--drift extra-field`` and
   ``--drift status-code``) over the whole
   placement profile at all 40 microversions (``interopcheck record``), and prints the
   gzipped size of each file and of the packaged reference snapshots (real Placement).
2. Times ``interopcheck diff SNAPSHOT SNAPSHOT`` end to end in this process (load both
   files, check, replay, compare, render the text report), ``--runs`` times per pair, and
   once as a fresh ``interopcheck`` process (interpreter start and imports included), and
   prints medians (wall and CPU time: on a shared host the CPU figure is the stable one)
   beside the live in-process diff of the same two refclouds (ratio).
3. Prints the matrix over the packaged references and the three refcloud snapshots.
Targets (issue 17): a whole-profile snapshot < 2 MB gzipped; diff SNAPSHOT SNAPSHOT < 2 s.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import refcloud

from interopcheck.cli import main as cli_main
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.loader import load_profile
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds
from interopcheck.snapshot import record, reference_names, resolve, save_snapshot


def _cloud(name: str, modes: tuple[str, ...] = ()) -> Cloud:
    app = refcloud.make_app(refcloud.Config(drift=modes))
    return Cloud(name=name, base_url=f"http://{name.lower()}.example", token="admin",
                 transport=httpx.WSGITransport(app=app))


def _cli_seconds(a: str, b: str) -> float:
    started = time.perf_counter()
    cli_main(["diff", a, b, "--quiet"], stdout=io.StringIO(), stderr=io.StringIO())
    return time.perf_counter() - started


def _cli_cpu_seconds(a: str, b: str) -> float:
    """CPU time of the same run (this process, all threads): what a busy host cannot inflate."""
    started = time.process_time()
    cli_main(["diff", a, b, "--quiet"], stdout=io.StringIO(), stderr=io.StringIO())
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="keep the recorded snapshots there")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="snapshot-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    profile = load_profile("placement")
    files: dict[str, Path] = {}
    for name, modes in (("refcloud", ()), ("refcloud-extra-field", ("extra-field",)),
                        ("refcloud-status-code", ("status-code",))):
        cloud = _cloud("A", modes)
        started = time.perf_counter()
        snapshot = record(profile, cloud)
        seconds = time.perf_counter() - started
        cloud.close()
        files[name] = folder / f"{name}.snapshot.json.gz"
        size = save_snapshot(snapshot, files[name])
        print(f"record {name}: {len(snapshot.data['provenance']['microversions'])} "
              f"microversions, {sum(len(v) for v in snapshot.data['jobs'].values())} scenario "
              f"runs x2, {len(snapshot.data['exchanges'])} distinct exchanges, "
              f"{size / 1e6:.3f} MB gzipped, recorded in {seconds:.1f} s")
    for name in reference_names():
        path = resolve(name)
        assert path is not None
        print(f"reference {name}: {path.stat().st_size / 1e6:.3f} MB gzipped")
    pairs = [(str(files["refcloud"]), str(files["refcloud"])),
             (str(files["refcloud"]), str(files["refcloud-extra-field"]))]
    if len(reference_names()) >= 2:
        pairs.append(tuple(reference_names()[-2:]))  # type: ignore[arg-type]
    for a, b in pairs:
        times = [_cli_seconds(a, b) for _ in range(args.runs)]
        cpu = [_cli_cpu_seconds(a, b) for _ in range(args.runs)]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "interopcheck.cli", "diff", a, b, "--quiet"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        process = time.perf_counter() - started
        print(f"diff {Path(a).name} {Path(b).name}: median {statistics.median(times):.2f} s "
              f"wall in process (min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs), "
              f"median {statistics.median(cpu):.2f} s CPU; {process:.2f} s wall as a new "
              f"process")
    clouds = Clouds(_cloud("A"), _cloud("B", ("extra-field",)))
    started = time.perf_counter()
    run_diff(profile, clouds, DiffOptions())
    live = time.perf_counter() - started
    offline = statistics.median(_cli_seconds(*pairs[1]) for _ in range(args.runs))
    print(f"live in-process diff refcloud vs refcloud-extra-field: {live:.1f} s; from "
          f"snapshots {offline:.2f} s (ratio {live / offline:.0f}x)")
    refs = [*reference_names(), *(str(files[n]) for n in
                                  ("refcloud", "refcloud-extra-field", "refcloud-status-code"))]
    started = time.perf_counter()
    out = io.StringIO()
    cli_main(["matrix", *refs], stdout=out, stderr=io.StringIO())
    print(f"matrix over {len(refs)} snapshots ({len(refs) * (len(refs) - 1)} pairs) in "
          f"{time.perf_counter() - started:.1f} s:")
    print(out.getvalue())
    print(f"snapshots in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
