"""Running profiles against clouds: clouds, version discovery, scenario runs."""

from __future__ import annotations

from interopcheck.runner.call import Issue, Outcome
from interopcheck.runner.clouds import Cloud, resolve_token, safe_url
from interopcheck.runner.discovery import VersionInfo, common_range, discover
from interopcheck.runner.run import (
    CallRecord,
    Clouds,
    Job,
    Progress,
    RunPair,
    ScenarioRun,
    run_jobs,
    run_scenario,
)

__all__ = [
    "CallRecord",
    "Cloud",
    "Clouds",
    "Issue",
    "Job",
    "Outcome",
    "Progress",
    "RunPair",
    "ScenarioRun",
    "VersionInfo",
    "common_range",
    "discover",
    "resolve_token",
    "run_jobs",
    "run_scenario",
    "safe_url",
]
