"""Record the GET /allocation_candidates differential answers from a real OpenStack Placement.

Usage::

    python tests/golden/record_candidates.py [--port 8791] [DATASET ...]

For every scenario of ``candidates/queries.yaml`` (or only the named datasets) this starts a
*fresh* real Placement (``RP_FRESH=1 ../shared/tools/real-placement/start.sh PORT``: an empty
database, since candidates see every provider), loads the dataset over HTTP, runs the steps
and writes ``recorded-candidates/<dataset>.json`` in the canonical form of
``candidates_runner`` (providers named, order-insensitive lines). ``--url`` records from an
already running Placement instead (its database must be empty; one dataset only).

A step whose ``status:`` or ``count:`` differs from the live answer, or a ``limit_of`` step
whose answer is not a subset of its unlimited step, means the query does not test what it
says: that dataset is reported and not written (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make ``tests.golden`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden import candidates_runner as cr
from tests.support.placement_instance import PlacementInstance, PlacementStartError


def source(client: httpx.Client) -> dict[str, str]:
    root = client.get("/", headers={"accept": "application/json"})
    try:
        version = root.json()["versions"][0]
        versions = f"{version['min_version']}-{version['max_version']}"
    except (ValueError, KeyError, IndexError):
        versions = "unknown"
    return {"service": "OpenStack Placement", "versions": versions}


def check(scenario: cr.Scenario, answers: dict[str, cr.Answer]) -> list[str]:
    """What the live answers say against the steps' own expectations."""
    wrong = []
    for step in scenario.steps:
        answer = answers[step.name]
        if step.kind == "claim":
            bad = [c for c in answer.claimed if not c.startswith("204 ")]
            if bad:
                wrong.append(f"{step.name}: claims failed: {bad[:3]}")
            continue
        if answer.status != step.status:
            wrong.append(f"{step.name}: expected status {step.status}, got {answer.status} "
                         f"{answer.error_code} {answer.error_detail[:200]}")
        if step.count is not None and len(answer.candidates) != step.count:
            wrong.append(f"{step.name}: expected {step.count} candidates, got "
                         f"{len(answer.candidates)}")
        if step.limit_of:
            diffs = cr.compare_step(scenario, step, answer, answer, answers, ("real", "real"))
            wrong += [f"{step.name}: {d}" for d in diffs]
    return wrong


def record_one(client: httpx.Client, scenario: cr.Scenario) -> tuple[dict[str, Any], list[str]]:
    ds = scenario.dataset
    started = time.monotonic()

    def progress(n: int, total: int) -> None:
        if total >= 100 and n % max(1, total // 10) == 0:
            print(f"  [{ds.name}] loaded {n}/{total} providers "
                  f"({time.monotonic() - started:.0f}s)", flush=True)

    cr.load_http(client, ds, progress)
    print(f"  [{ds.name}] dataset loaded in {time.monotonic() - started:.1f}s", flush=True)

    def on_step(step: cr.Step, answer: cr.Answer) -> None:
        what = (f"{len(answer.claimed)} claims" if step.kind == "claim"
                else f"{answer.status}, {len(answer.candidates)} candidates, "
                     f"{len(answer.summaries)} summaries")
        print(f"  [{ds.name}] {step.name}: {what}", flush=True)

    answers = cr.run_scenario(client, scenario, on_step)
    return cr.recording_document(scenario, answers, source(client)), check(scenario, answers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", help="only these datasets (default: all)")
    parser.add_argument("--port", type=int, default=8791,
                        help="port for the fresh real Placement (default: %(default)s)")
    parser.add_argument("--url", help="record from this running, empty Placement instead")
    parser.add_argument("--out", type=Path, default=cr.RECORDED_DIR,
                        help="directory for the recordings (default: %(default)s)")
    args = parser.parse_args(argv)

    scenarios = cr.load_scenarios()
    if args.datasets:
        unknown = sorted(set(args.datasets) - {s.dataset.name for s in scenarios})
        if unknown:
            parser.error(f"unknown datasets: {', '.join(unknown)}")
        scenarios = [s for s in scenarios if s.dataset.name in args.datasets]
    if args.url and len(scenarios) != 1:
        parser.error("--url records one dataset (its database must be empty)")
    args.out.mkdir(parents=True, exist_ok=True)

    failed = 0
    server = None if args.url else PlacementInstance(args.port)
    try:
        for scenario in scenarios:
            if server is not None:
                server.start(fresh=True)
            url = args.url or server.url  # type: ignore[union-attr]
            with httpx.Client(base_url=url, timeout=600.0) as client:
                document, wrong = record_one(client, scenario)
            if wrong:
                failed += 1
                print(f"NOT RECORDED {scenario.dataset.name}:", *wrong, sep="\n  ",
                      file=sys.stderr)
                continue
            path = cr.recording_path(scenario, args.out)
            path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            print(f"recorded {scenario.dataset.name} ({len(scenario.steps)} steps) -> {path}")
    except (PlacementStartError, cr.LoadError, httpx.HTTPError) as exc:
        print(f"record_candidates: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    info = cr.describe(scenarios)
    print(f"{info['datasets'] - failed}/{info['datasets']} datasets recorded: "
          f"{info['queries']} queries ({info['errors']} errors), {info['claims']} claims, "
          f"microversions {', '.join(info['microversions'])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
