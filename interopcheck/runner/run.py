"""Run scenarios on two clouds at pinned versions; judge nothing.

A *job* is one scenario at one version. It runs the scenario on cloud A and then
on cloud B, each with fresh ``$uuid``/``$name`` values: setup, the calls, then
teardown, which always runs; the result is a :class:`RunPair` of the two
:class:`ScenarioRun` records (attempt 0). When the caller asks, the job runs a
second time at once (attempt 1, on A2/B2 when given): the second run is what
tells noise (what varies within one cloud) from real differences.

Jobs run on a thread pool (``concurrency`` workers) unless the scenario says
``concurrent: false``; those run alone, one after another, once the pool is done.
Progress goes to a :class:`Progress` (stderr), never to stdout.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TextIO

from interopcheck.exchange import Exchange
from interopcheck.microversion import Version
from interopcheck.profile.model import Profile, Scenario, Section, Step
from interopcheck.profile.templates import Variables, extract
from interopcheck.runner.call import Issue, Outcome, send
from interopcheck.runner.clouds import Cloud

__all__ = [
    "CallRecord",
    "Clouds",
    "Job",
    "Progress",
    "RunPair",
    "ScenarioRun",
    "run_jobs",
    "run_scenario",
]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One compared call on one cloud: its exchange, or why there is none."""

    step: Step
    exchange: Exchange | None
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """One scenario at one version on one cloud."""

    scenario: str
    version: Version
    cloud: str
    attempt: int
    calls: tuple[CallRecord, ...]
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class RunPair:
    """The same job on A and on B."""

    scenario: Scenario
    version: Version
    attempt: int
    a: ScenarioRun
    b: ScenarioRun


@dataclass(frozen=True, slots=True)
class Job:
    """One scenario at one version."""

    scenario: Scenario
    version: Version


@dataclass(frozen=True)
class Clouds:
    """A and B, and the optional second instances used for attempt 1."""

    a: Cloud
    b: Cloud
    a2: Cloud | None = None
    b2: Cloud | None = None

    def for_attempt(self, attempt: int) -> tuple[Cloud, Cloud]:
        if attempt == 0:
            return self.a, self.b
        return self.a2 or self.a, self.b2 or self.b

    def all(self) -> list[Cloud]:
        return [c for c in (self.a, self.b, self.a2, self.b2) if c is not None]


def _expected(step: Step, status: int) -> bool:
    if step.status:
        return status in step.status
    if step.section is Section.TEARDOWN:
        return 200 <= status < 300 or status == 404
    return 200 <= status < 300


def _expected_text(step: Step) -> str:
    if step.status:
        return " or ".join(str(s) for s in step.status)
    return "2xx or 404" if step.section is Section.TEARDOWN else "2xx"


class _Runner:
    def __init__(self, profile: Profile, scenario: Scenario, version: Version, latest: Version,
                 cloud: Cloud, attempt: int) -> None:
        self.profile, self.scenario, self.version = profile, scenario, version
        self.latest, self.cloud, self.attempt = latest, cloud, attempt
        self.variables = Variables()
        self.issues: list[Issue] = []

    def where(self, step: Step) -> str:
        what = "call" if step.section is Section.CALLS else step.section.value
        return f"scenario {self.scenario.name!r} {what} {step.name!r} at {self.version}"

    def send(self, step: Step) -> Outcome:
        outcome = send(self.cloud, self.profile, step, self.variables, self.version, self.latest,
                       self.where(step))
        if outcome.issue is not None:
            self.issues.append(outcome.issue)
        elif outcome.status is not None:
            for name, expr in step.capture.items():
                self.variables.capture(name, extract(expr, outcome.status, outcome.headers,
                                                     outcome.body))
        return outcome

    def check(self, step: Step, outcome: Outcome) -> bool:
        if outcome.issue is not None:
            return False  # already reported by send()
        if outcome.status is None or _expected(step, outcome.status):
            return True
        if step.section is Section.TEARDOWN:
            todo = f"resources may be left behind on {self.cloud.name}"
        else:
            todo = ("the scenario's calls were not compared at this version; check that the "
                    "cloud supports this setup, or fix the step's status in the profile")
        self.issues.append(Issue(self.cloud.name, step.section.value, self.where(step),
                                 f"answered {outcome.status}, expected {_expected_text(step)}",
                                 todo))
        return False

    def run(self) -> ScenarioRun:
        v = self.version
        stopped: str | None = None
        for step in (s for s in self.scenario.setup if s.applies(v)):
            if self.cloud.down:
                stopped = f"{self.cloud.name} is down ({self.cloud.down})"
                break
            if not self.check(step, self.send(step)):
                stopped = f"setup step {step.name!r} failed on {self.cloud.name}"
                break
        records: list[CallRecord] = []
        for step in (s for s in self.scenario.calls if s.applies(v)):
            if stopped is None and self.cloud.down:
                stopped = f"{self.cloud.name} is down ({self.cloud.down})"
            if stopped is not None:
                if step.compare:
                    records.append(CallRecord(step, None, stopped))
                continue
            outcome = self.send(step)
            if outcome.issue is not None:
                stopped = f"{step.name!r} could not be compared on {self.cloud.name}"
                if step.compare:
                    records.append(CallRecord(step, None, outcome.issue.what))
                continue
            if step.compare:
                records.append(CallRecord(step, outcome.exchange))
            elif not self.check(step, outcome):
                stopped = f"helper step {step.name!r} failed on {self.cloud.name}"
        for step in (s for s in self.scenario.teardown if s.applies(v)):
            if self.cloud.down:
                break
            self.check(step, self.send(step))
        return ScenarioRun(self.scenario.name, v, self.cloud.name, self.attempt, tuple(records),
                           tuple(self.issues))


def run_scenario(profile: Profile, scenario: Scenario, version: Version, latest: Version,
                 cloud: Cloud, attempt: int = 0) -> ScenarioRun:
    """Run one scenario at ``version`` on one cloud (fresh variables).

    A recorded cloud (:class:`interopcheck.snapshot.SnapshotCloud`) replays its recorded run.
    """
    replay = getattr(cloud, "replay", None)
    if replay is not None:
        return replay(scenario, version, latest, attempt)
    return _Runner(profile, scenario, version, latest, cloud, attempt).run()


class Progress:
    """``[ 12/340] scenario @ 1.20`` on stderr: one rewritten line on a terminal, else a few."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total = 0
        self.done = 0
        self.phase = ""
        self._lock = threading.Lock()
        self._last = 0.0
        self._next_pct = 0

    def start(self, phase: str, total: int) -> None:
        with self._lock:
            self.phase, self.total, self.done = phase, total, 0
            self._next_pct = 0
            self._last = 0.0
        self.note(phase)

    def advance(self, label: str) -> None:
        with self._lock:
            self.done += 1
            if not self.enabled or not self.total:
                return
            width = len(str(self.total))
            line = f"[{self.done:>{width}}/{self.total}] {label}"
            if self.tty:
                now = time.monotonic()
                if now - self._last > 0.1 or self.done == self.total:
                    self._last = now
                    self.stream.write("\r\x1b[K" + line[:150])
                    if self.done == self.total:
                        self.stream.write("\n")
                    self.stream.flush()
                return
            pct = self.done * 100 // self.total
            if pct >= self._next_pct:
                self._next_pct = pct - pct % 10 + 10
                self.stream.write(f"interopcheck: {pct:>3}% {line}\n")
                self.stream.flush()

    def note(self, text: str) -> None:
        if self.enabled:
            with self._lock:
                self.stream.write(f"interopcheck: {text}\n")
                self.stream.flush()


def run_jobs(profile: Profile, jobs: Sequence[Job], clouds: Clouds, latest: Version, *,
             on_done: Callable[[int, RunPair, RunPair | None], None],
             second: Callable[[RunPair], bool] | None = None,
             concurrency: int = 4, progress: Progress | None = None) -> None:
    """Run every job on both clouds and hand each result to ``on_done(index, first, second)``.

    ``second(first)`` decides whether the job runs a second time (attempt 1, on A2/B2
    when given) right away, in the same worker; ``on_done`` gets both runs.
    ``on_done`` is called from worker threads.
    """

    def attempt(job: Job, n: int) -> RunPair:
        cloud_a, cloud_b = clouds.for_attempt(n)
        run_a = run_scenario(profile, job.scenario, job.version, latest, cloud_a, n)
        run_b = run_scenario(profile, job.scenario, job.version, latest, cloud_b, n)
        return RunPair(job.scenario, job.version, n, run_a, run_b)

    def work(i: int) -> None:
        job = jobs[i]
        first = attempt(job, 0)
        again = attempt(job, 1) if second is not None and second(first) else None
        on_done(i, first, again)
        if progress is not None:
            progress.advance(f"{job.scenario.name} @ {job.version}")

    parallel = [i for i, j in enumerate(jobs) if j.scenario.concurrent]
    serial = [i for i, j in enumerate(jobs) if not j.scenario.concurrent]
    if concurrency > 1 and len(parallel) > 1:
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="interopcheck")
        try:
            for future in [pool.submit(work, i) for i in parallel]:
                future.result()
        except BaseException:
            # Ctrl-C or a failure: drop the queued jobs instead of sweeping on.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    else:
        for i in parallel:
            work(i)
    for i in serial:
        work(i)
