"""Snapshots: a cloud's observable behaviour under one profile, recorded once, compared offline.

``record`` writes one (:mod:`.record`), :class:`SnapshotCloud` stands wherever a live
cloud does (:mod:`.cloud`), :mod:`.format` reads and writes the versioned file.
"""

from __future__ import annotations

from interopcheck.snapshot.cloud import SnapshotCloud, open_snapshot_cloud
from interopcheck.snapshot.format import (
    Snapshot,
    SnapshotError,
    load_snapshot,
    reference_names,
    resolve,
    save_snapshot,
)
from interopcheck.snapshot.record import record

__all__ = [
    "Snapshot",
    "SnapshotCloud",
    "SnapshotError",
    "load_snapshot",
    "open_snapshot_cloud",
    "record",
    "reference_names",
    "resolve",
    "save_snapshot",
]
