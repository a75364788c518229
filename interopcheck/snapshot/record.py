"""``interopcheck record``: run a profile on one cloud and keep what a diff compares.

Every scenario runs at every selected version twice (attempts 0 and 1), exactly as
the live diff runs it on one side (:func:`interopcheck.runner.run.run_scenario`), so a
later diff against the file sees the same first run and the same noise run it would
see live. Each compared exchange is reduced to its comparable parts
(:mod:`interopcheck.snapshot.normalise`) and stored once in a table that the runs
point into.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase
from typing import Any

from interopcheck import __version__
from interopcheck.compare.structural import normalise_uuids
from interopcheck.diff import DEFAULT_IGNORED_HEADERS
from interopcheck.microversion import Version, VersionError, select
from interopcheck.profile.model import Profile
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.discovery import discover
from interopcheck.runner.run import Job, Progress, ScenarioRun, run_scenario
from interopcheck.snapshot.format import (
    FORMAT,
    SCHEMA_VERSION,
    Snapshot,
    SnapshotError,
    profile_hash,
    profile_version,
)
from interopcheck.snapshot.normalise import stored_exchange

__all__ = ["RUNS", "record"]

#: Runs per scenario and version: the second tells noise from behaviour.
RUNS = 2


class _Table:
    """Stored exchanges, each distinct one once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}

    def add(self, item: dict[str, Any]) -> int:
        key = json.dumps(item, sort_keys=True, separators=(",", ":"))
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.items)
            self.items.append(item)
        return found


def _stored_run(run: ScenarioRun, table: _Table, dropped: frozenset[str]) -> dict[str, Any]:
    calls = [[rec.step.index, rec.step.name,
              table.add(stored_exchange(rec.exchange, dropped)) if rec.exchange else None,
              rec.skipped]
             for rec in run.calls]
    issues = [[normalise_uuids(i.category), normalise_uuids(i.where), normalise_uuids(i.what),
               normalise_uuids(i.what_to_do)] for i in run.issues]
    return {"calls": calls, "issues": issues}


def _run_all(profile: Profile, cloud: Cloud, jobs: Sequence[Job], latest: Version,
             concurrency: int, progress: Progress | None) -> list[list[ScenarioRun]]:
    results: list[list[ScenarioRun]] = [[] for _ in jobs]

    def work(i: int) -> None:
        job = jobs[i]
        results[i] = [run_scenario(profile, job.scenario, job.version, latest, cloud, n)
                      for n in range(RUNS)]
        if progress is not None:
            progress.advance(f"{job.scenario.name} @ {job.version}")

    parallel = [i for i, j in enumerate(jobs) if j.scenario.concurrent]
    serial = [i for i, j in enumerate(jobs) if not j.scenario.concurrent]
    if concurrency > 1 and len(parallel) > 1:
        with ThreadPoolExecutor(max_workers=concurrency,
                                thread_name_prefix="interopcheck-record") as pool:
            for future in [pool.submit(work, i) for i in parallel]:
                future.result()
    else:
        for i in parallel:
            work(i)
    for i in serial:
        work(i)
    return results


def record(profile: Profile, cloud: Cloud, *, microversions: str = "all",
           scenarios: Sequence[str] = (), concurrency: int = 4,
           progress: Progress | None = None,
           extras: Callable[[Profile, Cloud, Version], dict[str, Any]] | None = None
           ) -> Snapshot:
    """Record ``cloud`` under ``profile``; SnapshotError (one line) when it cannot be done.

    ``extras(profile, cloud, latest)`` may add a ``capabilities`` section (called before
    the scenarios run, while the cloud holds only its own data).
    """
    info, issue = discover(profile, cloud)
    if info is None:
        assert issue is not None
        raise SnapshotError(f"{cloud.display_url}: {issue.where}: {issue.what} "
                            f"({issue.what_to_do})")
    try:
        versions, outside = select(microversions, info.min_version, info.max_version)
    except VersionError as exc:
        raise SnapshotError(f"--microversions: {exc}") from None
    if outside:
        raise SnapshotError(f"--microversions: {', '.join(outside)} not served by "
                            f"{cloud.display_url} ({info.min_version}-{info.max_version})")
    chosen = [s for s in profile.scenarios
              if not scenarios or any(fnmatchcase(s.name, p) for p in scenarios)]
    if not chosen:
        raise SnapshotError(f"--scenario: no scenario of profile {profile.name!r} matches "
                            f"{', '.join(scenarios)}")
    latest = info.max_version
    capabilities = extras(profile, cloud, latest) if extras is not None else None
    jobs = [Job(s, v) for s in chosen for v in versions if s.applies(v)]
    if progress is not None:
        progress.start(f"{profile.name}: {len(jobs)} scenario runs, twice, on "
                       f"{cloud.display_url}", len(jobs))
    runs = _run_all(profile, cloud, jobs, latest, concurrency, progress)
    table = _Table()
    dropped = frozenset(DEFAULT_IGNORED_HEADERS | profile.ignore_headers)
    stored: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for job, pair in zip(jobs, runs, strict=True):
        stored.setdefault(job.scenario.name, {})[str(job.version)] = [
            _stored_run(r, table, dropped) for r in pair]
    data: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "provenance": {
            "tool": f"interopcheck {__version__}",
            "profile": profile.name,
            "profile_version": profile_version(profile),
            "profile_hash": profile_hash(profile),
            "service_type": profile.service_type,
            "cloud": {"url": cloud.display_url, "min_version": str(info.min_version),
                      "max_version": str(info.max_version)},
            "latest": str(latest),
            "microversions": [str(v) for v in versions],
            "scenarios": [s.name for s in chosen],
            "recorded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "runs": RUNS,
        },
        "exchanges": table.items,
        "jobs": stored,
    }
    if capabilities is not None:
        data["capabilities"] = capabilities
    return Snapshot(data, source=cloud.display_url)
