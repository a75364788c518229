"""Helpers of the snapshot tests: in-process refclouds, recording, report comparison."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
import refcloud

from interopcheck.causes import group_causes
from interopcheck.compare.structural import normalise_uuids
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.profile.loader import load_profile
from interopcheck.profile.model import Profile
from interopcheck.report import Report
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds
from interopcheck.snapshot import open_snapshot_cloud, record, save_snapshot

PROFILE: Profile = load_profile("placement")


def refcloud_cloud(name: str, modes: Sequence[str] = (), token: str = "admin") -> Cloud:
    app = refcloud.make_app(refcloud.Config(drift=tuple(modes)))
    return Cloud(name=name, base_url=f"http://{name.lower()}.example", token=token,
                 transport=httpx.WSGITransport(app=app))


def record_to(path: Path, cloud: Cloud, scenarios: Sequence[str], versions: str) -> Path:
    try:
        snapshot = record(PROFILE, cloud, microversions=versions, scenarios=tuple(scenarios))
    finally:
        cloud.close()
    save_snapshot(snapshot, path)
    return path


def diff(a: Cloud, b: Cloud, scenarios: Sequence[str], versions: str) -> Report:
    try:
        return run_diff(PROFILE, Clouds(a, b),
                        DiffOptions(microversions=versions, scenarios=tuple(scenarios)))
    finally:
        a.close()
        b.close()


def snap(name: str, path: Path) -> Cloud:
    return open_snapshot_cloud(name, str(path))


def finding_rows(report: Report) -> list[tuple[object, ...]]:
    """Every finding, field by field (all but the display-only ``extra``).

    A UUID the server made up in the request path is a value (it differs on every run):
    it is compared as ``{uuid}``.
    """
    return sorted((f.scenario, f.call, f.method, normalise_uuids(f.url), f.microversion,
                   f.kind, f.path, f.a, f.b, f.rule, f.breaks_clients, f.needs_version_bump,
                   f.severity.value, f.summary) for f in report.findings)


def cause_rows(report: Report) -> list[tuple[object, ...]]:
    return sorted((c.key, c.kind, c.path, c.a, c.b, c.breaks_clients, c.needs_version_bump,
                   len(c.findings), c.microversions) for c in group_causes(report.findings))
