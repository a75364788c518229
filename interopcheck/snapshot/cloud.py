"""A snapshot standing where a live cloud does.

:class:`SnapshotCloud` is a :class:`~interopcheck.runner.clouds.Cloud` that the runner
never sends a request to: version discovery reads the recorded range
(:meth:`SnapshotCloud.discover`) and a scenario run at a version replays the recorded
run of the same attempt (:meth:`SnapshotCloud.replay`): attempt 0 the first recording,
attempt 1 the second, so the noise stage sees what varied within the recorded cloud
just as it sees it live. Everything after the run (compare, ignore, noise, findings,
baseline) is the live pipeline, unchanged.

A scenario whose steps send ``microversion: latest`` was recorded at the cloud's own
top version; when the common range ends lower, its calls come back skipped with the
reason (the recorded answers are not the ones a live run would get).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interopcheck.compare.exchange import Exchange
from interopcheck.microversion import Version, parse
from interopcheck.profile.model import MicroversionMode, Profile, Scenario
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.discovery import VersionInfo
from interopcheck.runner.run import CallRecord, ScenarioRun
from interopcheck.snapshot.format import Snapshot, check_profile, load_snapshot
from interopcheck.snapshot.normalise import exchange_from_stored

__all__ = ["SnapshotCloud", "open_snapshot_cloud"]


@dataclass(eq=False)
class SnapshotCloud(Cloud):
    """A recorded cloud; ``snapshot`` holds its runs."""

    snapshot: Snapshot | None = field(default=None, repr=False)
    _parsed: dict[int, Exchange] = field(default_factory=dict, init=False, repr=False)

    @property
    def display_url(self) -> str:
        return f"snapshot:{self.base_url}"

    def discover(self, profile: Profile) -> VersionInfo:
        """The recorded version range (refuses a snapshot of another profile version)."""
        assert self.snapshot is not None
        check_profile(self.snapshot, profile)
        cloud = self.snapshot.provenance["cloud"]
        return VersionInfo(self.name, parse(cloud["min_version"]), parse(cloud["max_version"]))

    def _exchange(self, index: int) -> Exchange:
        found = self._parsed.get(index)
        if found is None:
            assert self.snapshot is not None
            found = exchange_from_stored(self.snapshot.data["exchanges"][index])
            self._parsed[index] = found
        return found

    def replay(self, scenario: Scenario, version: Version, latest: Version,
               attempt: int) -> ScenarioRun:
        """The recorded run of ``scenario`` at ``version`` (attempt 0 or 1)."""
        assert self.snapshot is not None
        steps = [s for s in scenario.calls if s.applies(version) and s.compare]
        runs = self.snapshot.data["jobs"].get(scenario.name, {}).get(str(version))
        reason = None
        if not runs:
            reason = f"not recorded in snapshot {self.base_url}"
        elif str(latest) != self.snapshot.provenance["latest"] and any(
                s.mv_mode is MicroversionMode.LATEST and s.applies(version)
                for s in (*scenario.setup, *scenario.calls, *scenario.teardown)):
            reason = (f"snapshot {self.base_url} sent 'latest' as "
                      f"{self.snapshot.provenance['latest']}, the common range ends at {latest}")
        if reason is not None or runs is None:
            calls = tuple(CallRecord(s, None, reason) for s in steps)
            return ScenarioRun(scenario.name, version, self.name, attempt, calls, ())
        run: dict[str, Any] = runs[min(attempt, len(runs) - 1)]
        recorded = {int(c[0]): c for c in run["calls"]}
        records: list[CallRecord] = []
        for step in steps:
            entry = recorded.get(step.index)
            if entry is None or entry[1] != step.name:
                records.append(CallRecord(step, None, f"call {step.name!r} is not in snapshot "
                                                      f"{self.base_url} (another profile?)"))
            elif entry[2] is None:
                records.append(CallRecord(step, None, entry[3] or "skipped"))
            else:
                records.append(CallRecord(step, self._exchange(int(entry[2]))))
        issues = tuple(Issue(self.name, *i) for i in run.get("issues", ()))
        return ScenarioRun(scenario.name, version, self.name, attempt, tuple(records), issues)

    def client(self) -> Any:  # pragma: no cover - the runner never asks a snapshot
        raise RuntimeError(f"snapshot {self.base_url} cannot send requests")


def open_snapshot_cloud(name: str, ref: str, url_option: str = "") -> SnapshotCloud:
    """A :class:`SnapshotCloud` for a snapshot path or packaged reference name."""
    snapshot = load_snapshot(ref)
    return SnapshotCloud(name=name, base_url=ref, url_option=url_option, snapshot=snapshot)
