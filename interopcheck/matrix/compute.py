"""The N x N compatibility matrix of recorded clouds.

Each ordered pair (A, B), A != B, is the live diff pipeline run on two
:class:`~interopcheck.snapshot.SnapshotCloud` (nothing is sent anywhere), its
findings grouped into root causes (:func:`interopcheck.causes.group_causes`). A cell
counts the causes that break clients written against A and those that need a
version bump, over the microversions both clouds serve; each cause keeps the
microversions it shows at. Direction matters: a field B lacks breaks A's clients,
a field B adds does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from interopcheck.causes import Cause, group_causes
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.model import Profile
from interopcheck.runner.run import Clouds
from interopcheck.snapshot.cloud import SnapshotCloud
from interopcheck.snapshot.format import Snapshot, check_profile

__all__ = ["Matrix", "Pair", "build_matrix"]


@dataclass(frozen=True)
class Pair:
    """A against B: the common range, the causes, and anything that stopped the run."""

    a: int
    b: int
    common: str | None
    causes: tuple[Cause, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def breaking(self) -> tuple[Cause, ...]:
        return tuple(c for c in self.causes if c.breaks_clients)

    @property
    def bumps(self) -> tuple[Cause, ...]:
        return tuple(c for c in self.causes if c.needs_version_bump)

    @property
    def failing(self) -> tuple[Cause, ...]:
        return tuple(c for c in self.causes if c.failing)


@dataclass(frozen=True)
class Matrix:
    """The recorded clouds (by label) and every ordered pair."""

    profile: str
    labels: tuple[str, ...]
    snapshots: tuple[Snapshot, ...]
    pairs: dict[tuple[int, int], Pair] = field(default_factory=dict)

    def pair(self, a: int, b: int) -> Pair:
        return self.pairs[(a, b)]


def _cloud(name: str, snapshot: Snapshot, label: str) -> SnapshotCloud:
    return SnapshotCloud(name=name, base_url=label, url_option=label, snapshot=snapshot)


def build_matrix(profile: Profile, snapshots: Sequence[Snapshot], labels: Sequence[str],
                 options: DiffOptions | None = None) -> Matrix:
    """Compare every ordered pair of ``snapshots`` (each checked against ``profile``)."""
    for snapshot in snapshots:
        check_profile(snapshot, profile)
    options = options or DiffOptions(concurrency=1)
    matrix = Matrix(profile.name, tuple(labels), tuple(snapshots))
    for i, sa in enumerate(snapshots):
        for j, sb in enumerate(snapshots):
            if i == j:
                continue
            report = run_diff(profile, Clouds(_cloud("A", sa, labels[i]),
                                              _cloud("B", sb, labels[j])), options)
            common = None
            if report.microversions:
                common = f"{report.microversions[0]}-{report.microversions[-1]}"
            matrix.pairs[(i, j)] = Pair(i, j, common, tuple(group_causes(report.findings)),
                                        tuple(p.line() for p in report.problems))
    return matrix
