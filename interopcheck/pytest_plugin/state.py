"""One pytest process's interopcheck state: profile, clouds, discovery, results, reports.

Created at ``pytest_configure`` when a URL option is given (the profile is read then; a
broken profile, baseline or ignore file is a usage error). The clouds are contacted first
at collection (version discovery, :meth:`InteropState.diff_plan`), then by each item
(:meth:`InteropState.run_diff_job`, :meth:`InteropState.run_check_job`), which runs the
existing pipeline: runner -> comparison -> findings (:func:`interopcheck.diff.diff_jobs`)
or the guideline check (:func:`interopcheck.check.run_check`).

Each process keeps what its items found as *job reports*: one
:class:`~interopcheck.report.Report` per diff item (and one
:class:`~interopcheck.check.CheckResult` per guideline item). An xdist worker writes
them as JSON into a directory the controller gave it; the controller (the process
without ``workerinput``) merges every worker's part with its own and renders the
reports once, through the existing renderers.
"""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from interopcheck import __version__
from interopcheck.baseline import Baseline, BaselineError
from interopcheck.check import CheckOptions, CheckResult, run_check
from interopcheck.check.run import plan
from interopcheck.diff import DiffOptions, JobsResult, diff_jobs
from interopcheck.errors import InteropcheckError, ReportError, UsageError
from interopcheck.ignores import load_ignores
from interopcheck.microversion import Version, VersionError, select
from interopcheck.outputs import write_reports
from interopcheck.profile.loader import ProfileError, load_profile
from interopcheck.profile.model import IgnoreRule, Profile, Scenario
from interopcheck.pytest_plugin.settings import Settings, normalise_spec
from interopcheck.render._common import version_key
from interopcheck.report import CloudInfo, Report
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud, resolve_token
from interopcheck.runner.discovery import VersionInfo, common_range, discover
from interopcheck.runner.run import Clouds, Job

__all__ = ["CollectError", "InteropState", "merge_check_results", "merge_reports"]

#: A scenario glob that matches nothing: the guideline probes item runs no scenario.
_NO_SCENARIO = "\x00"
#: Finding origins each kind of guideline item judges.
SCENARIO_ORIGINS = frozenset({"scenario"})
PROBE_ORIGINS = frozenset({"probe", "discovery"})


class CollectError(InteropcheckError):
    """Collection cannot go on (a cloud is down, no common version); one clear message."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _ignores(settings: Settings) -> tuple[IgnoreRule, ...]:
    try:
        return load_ignores(settings.ignores, settings.ignore_file,
                            expression_option="--interop-ignore",
                            file_option="--interop-ignore-file")
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


@dataclass(frozen=True)
class DiffJob:
    """What one diff item ran and found (the report of that one job)."""

    scenario: str
    version: str
    result: JobsResult
    report: Report


class InteropState:
    """The plugin's state in one pytest process (controller or xdist worker)."""

    def __init__(self, settings: Settings,
                 tokens: tuple[str | None, str | None, str | None] = (None, None, None)) -> None:
        self.settings = settings
        try:
            self.profile: Profile = load_profile(settings.profile)
        except ProfileError as exc:
            raise pytest.UsageError("--interop-profile: " + "; ".join(exc.problems)) from None
        try:
            baseline = Baseline.load(settings.baseline) if settings.baseline else None
        except BaselineError as exc:
            raise pytest.UsageError(f"--interop-baseline: {exc}") from None
        self.diff_options = DiffOptions(
            microversions=settings.microversions or "all", noise=settings.noise,
            ignores=_ignores(settings), baseline=baseline, concurrency=1,
            fail_on=settings.fail_on)
        # Option, else environment, else the profile's default; held here and in the clouds
        # only, never written anywhere.
        default = self.profile.auth.default_token
        self._token_a = resolve_token(tokens[0], "INTEROPCHECK_TOKEN_A", default)
        self._token_b = resolve_token(tokens[1], "INTEROPCHECK_TOKEN_B", default)
        self._token = resolve_token(tokens[2], "INTEROPCHECK_TOKEN", default)
        self.clouds: Clouds | None = None
        self.check_cloud: Cloud | None = None
        self.common: tuple[Version, Version] | None = None
        self.infos: dict[str, VersionInfo] = {}
        self.check_info: VersionInfo | None = None
        self.diff_jobs: list[DiffJob] = []
        self.check_results: list[tuple[int, str, CheckResult]] = []
        self.started_at = _now()
        self.parts_dir: Path | None = None
        self.written: list[str] = []
        self.summary: list[str] = []
        self._rank = {s.name: i for i, s in enumerate(self.profile.scenarios)}

    @property
    def secrets(self) -> list[str]:
        return [t for t in (self._token_a, self._token_b, self._token)
                if t and t != self.profile.auth.default_token]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text

    # ---- clouds and clients --------------------------------------------------------------

    def _cloud(self, name: str, url: str, token: str | None, option: str, hint: str,
               os_cloud: str | None = None, cloud_option: str = "") -> Cloud:
        if os_cloud:  # a cloud of clouds.yaml: Keystone auth, the catalog's endpoint, TLS
            from interopcheck.runner import cloud_options
            from interopcheck.runner.cloudconfig import CloudConfigError, Connection

            spec = cloud_options.CloudSpec(name, url or None, os_cloud, token, option,
                                           cloud_option, hint)
            try:
                return cloud_options.build_cloud(spec, self.profile.service_type,
                                                 Connection(), self.settings.timeout)
            except CloudConfigError as exc:
                raise CollectError(str(exc)) from None
        if not url.startswith(("http://", "https://")):  # a snapshot stands for the cloud
            from interopcheck.snapshot import SnapshotError, open_snapshot_cloud

            try:
                return open_snapshot_cloud(name, url, option)
            except SnapshotError as exc:
                raise CollectError(str(exc)) from None
        return Cloud(name=name, base_url=url, token=token, timeout=self.settings.timeout,
                     url_option=option, token_option=hint)

    def get_clouds(self) -> Clouds:
        if self.clouds is None:
            s = self.settings
            assert s.diff
            self.clouds = Clouds(
                self._cloud("A", s.url_a or "", self._token_a, "--interop-a",
                            "--interop-token-a or INTEROPCHECK_TOKEN_A", s.os_cloud_a,
                            "--interop-os-cloud-a"),
                self._cloud("B", s.url_b or "", self._token_b, "--interop-b",
                            "--interop-token-b or INTEROPCHECK_TOKEN_B", s.os_cloud_b,
                            "--interop-os-cloud-b"))
        return self.clouds

    def get_check_cloud(self) -> Cloud:
        if self.check_cloud is None:
            assert self.settings.guideline
            self.check_cloud = self._cloud("cloud", self.settings.url_cloud or "", self._token,
                                           "--interop-cloud",
                                           "--interop-token or INTEROPCHECK_TOKEN",
                                           self.settings.os_cloud, "--interop-os-cloud")
        return self.check_cloud

    def tokens(self) -> tuple[str | None, str | None]:
        """A's and B's tokens (for the ``interop_clients`` fixture)."""
        return self._token_a, self._token_b

    def close(self) -> None:
        for cloud in [*(self.clouds.all() if self.clouds else []), self.check_cloud]:
            if cloud is not None:
                cloud.close()

    # ---- collection ----------------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        globs = self.settings.scenarios
        chosen = [s for s in self.profile.scenarios
                  if not globs or any(fnmatchcase(s.name, g) for g in globs)]
        if not chosen:
            raise CollectError(f"--interop-scenario {', '.join(globs)}: no scenario of profile "
                               f"{self.profile.name!r} matches (list them with: interopcheck "
                               f"profile {self.settings.profile} --list)")
        return chosen

    def _discover(self, cloud: Cloud) -> VersionInfo:
        from interopcheck.snapshot import SnapshotError

        try:
            info, issue = discover(self.profile, cloud)
        except SnapshotError as exc:  # a snapshot of another profile version
            raise CollectError(str(exc)) from None
        if issue is not None or info is None:
            line = issue.problem().line() if issue is not None else f"{cloud.name}: no versions"
            raise CollectError(f"cannot discover the versions of cloud {cloud.name} "
                               f"({cloud.display_url}):\n  {self.scrub(line)}")
        return info

    def diff_plan(self) -> list[tuple[Scenario, Version]]:
        """Discover both clouds and choose the (scenario, version) items; CollectError."""
        clouds = self.get_clouds()
        errors: list[str] = []
        for cloud in (clouds.a, clouds.b):
            try:
                self.infos[cloud.name] = self._discover(cloud)
            except CollectError as exc:
                errors.append(str(exc))
        if errors:
            raise CollectError("\n".join(errors))
        a, b = self.infos["A"], self.infos["B"]
        common = common_range(a, b)
        if common is None:
            raise CollectError(f"no version in common: A serves {a.min_version}-{a.max_version}"
                               f", B serves {b.min_version}-{b.max_version} (compare clouds of "
                               "the same service and major version)")
        self.common = common
        spec = self.settings.microversions or "all"
        try:
            versions, outside = select(normalise_spec(spec, *common), *common)
        except VersionError as exc:
            raise CollectError(f"--interop-microversions {spec}: {exc}") from None
        if outside:
            raise CollectError(f"--interop-microversions {spec}: {', '.join(outside)} not "
                               f"served by both clouds (common: {common[0]}-{common[1]})")
        return [(s, v) for s in self.scenarios() for v in versions if s.applies(v)]

    def check_plan(self) -> list[tuple[Scenario, Version]]:
        """Discover the checked cloud and choose the (scenario, version) items; CollectError."""
        info = self._discover(self.get_check_cloud())
        self.check_info = info
        spec = normalise_spec(self.settings.microversions or "sample", info.min_version,
                              info.max_version)
        try:
            return plan(self.scenarios(), spec, info.min_version, info.max_version)
        except VersionError as exc:
            raise CollectError(f"--interop-microversions {spec}: {exc}") from None

    # ---- running -------------------------------------------------------------------------

    def run_diff_job(self, scenario: Scenario, version: Version) -> DiffJob:
        """Run one scenario at one version on A and B, compared and judged."""
        started = _now()
        assert self.common is not None, "collect first"
        result = diff_jobs(self.profile, self.get_clouds(), [Job(scenario, version)],
                           self.common, self.diff_options)
        job = DiffJob(scenario.name, str(version), result,
                      self._report(started, [str(version)], result))
        self.diff_jobs.append(job)
        return job

    def _cloud_info(self, name: str) -> CloudInfo:
        clouds = self.get_clouds()
        cloud = clouds.a if name == "A" else clouds.b
        info = self.infos.get(name)
        return CloudInfo(name=name, url=cloud.display_url,
                         min_version=str(info.min_version) if info else None,
                         max_version=str(info.max_version) if info else None)

    def _report(self, started: str, versions: Sequence[str], result: JobsResult) -> Report:
        return Report(
            tool=f"interopcheck {__version__}", profile=self.profile.name,
            service_type=self.profile.service_type, cloud_a=self._cloud_info("A"),
            cloud_b=self._cloud_info("B"), microversions=tuple(versions), started_at=started,
            finished_at=_now(), findings=result.findings, calls=result.calls,
            problems=result.problems, baselined=result.baselined, noise=result.noise)

    def run_check_job(self, scenario: Scenario | None, version: Version | None) -> CheckResult:
        """Check one scenario at one version (or, with None, the discovery and probes)."""
        name = glob.escape(scenario.name) if scenario is not None else _NO_SCENARIO
        options = CheckOptions(microversions=str(version) if version is not None else "latest",
                               scenarios=(name,), probes=scenario is None)
        result = run_check(self.profile, self.get_check_cloud(), options)
        origins = SCENARIO_ORIGINS if scenario is not None else PROBE_ORIGINS
        result = replace(result, findings=[f for f in result.findings if f.origin in origins])
        rank = self._rank.get(scenario.name, -1) if scenario is not None else -1
        self.check_results.append((rank, str(version or ""), result))
        return result

    # ---- results: parts, merging, reports --------------------------------------------------

    def partial(self) -> dict[str, Any]:
        """This process's results as JSON-ready data (what an xdist worker hands on)."""
        return {
            "diff": [{"scenario": j.scenario, "version": j.version,
                      "report": j.report.to_dict()} for j in self.diff_jobs],
            "check": [{"rank": rank, "version": v, "result": r.to_dict()}
                      for rank, v, r in self.check_results],
        }

    def write_part(self, directory: Path, worker: str) -> None:
        if not (self.diff_jobs or self.check_results):
            return
        target = directory / f"{worker}.json"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.partial(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)

    def parts(self) -> list[dict[str, Any]]:
        """Every part: this process's and those the xdist workers wrote."""
        out = [self.partial()]
        if self.parts_dir is not None and self.parts_dir.is_dir():
            for path in sorted(self.parts_dir.glob("*.json")):
                out.append(json.loads(path.read_text(encoding="utf-8")))
        return out

    def merged(self) -> tuple[Report | None, CheckResult | None]:
        parts = self.parts()
        jobs = [(self._rank.get(j["scenario"], len(self._rank)), version_key(j["version"]),
                 Report.from_dict(j["report"])) for p in parts for j in p["diff"]]
        jobs.sort(key=lambda j: (j[0], j[1]))
        report = merge_reports([r for _rank, _v, r in jobs]) if jobs else None
        checks = [(c["rank"], version_key(c["version"]) if c["version"] else (-1,),
                   CheckResult.from_dict(c["result"])) for p in parts for c in p["check"]]
        checks.sort(key=lambda c: (c[0], c[1]))
        check = merge_check_results([c for _r, _v, c in checks]) if checks else None
        return report, check

    def write_reports(self) -> None:
        """Merge every part and write the reports into ``--interop-report`` (controller)."""
        from interopcheck.render._common import summary_line

        report, check = self.merged()
        if report is not None:
            self.summary.append(f"diff: {summary_line(report)}")
        if check is not None:
            mode = self.settings.check_mode
            self.summary.append(f"guidelines ({mode} mode): {len(check.failing(mode))} "
                                f"failing findings of {len(check.findings)} in {check.calls} "
                                f"calls and {check.probes} probes")
        directory = self.settings.report_dir
        if not directory or (report is None and check is None):
            return
        try:
            for result in (report, check):
                if result is not None:
                    self.written.extend(str(p) for p in write_reports(result, None, directory))
        except ReportError as exc:
            self.summary.append(f"could not write the reports: {exc}")


def merge_reports(reports: Sequence[Report]) -> Report:
    """One report from several job reports (in the order given) of the same two clouds."""
    first = reports[0]

    def info(side: str) -> CloudInfo:
        for r in reports:
            found: CloudInfo = getattr(r, side)
            if found.min_version is not None:
                return found
        return getattr(first, side)  # type: ignore[no-any-return]

    return Report(
        tool=first.tool, profile=first.profile, service_type=first.service_type,
        cloud_a=info("cloud_a"), cloud_b=info("cloud_b"),
        microversions=tuple(sorted({v for r in reports for v in r.microversions},
                                   key=version_key)),
        started_at=min(r.started_at for r in reports),
        finished_at=max(r.finished_at for r in reports),
        findings=tuple(f for r in reports for f in r.findings),
        calls=tuple(c for r in reports for c in r.calls),
        problems=tuple(dict.fromkeys(p for r in reports for p in r.problems)),
        baselined=tuple(f for r in reports for f in r.baselined),
        noise=tuple(dict.fromkeys(n for r in reports for n in r.noise)),
    )


def merge_check_results(results: Sequence[CheckResult]) -> CheckResult:
    """One guideline check result from several items' results (in the order given)."""
    first = results[0]
    versions = sorted({v for r in results for v in r.versions})
    issues: list[Issue] = list(dict.fromkeys(i for r in results for i in r.issues))
    return CheckResult(
        cloud=first.cloud, profile=first.profile,
        min_version=next((r.min_version for r in results if r.min_version), None),
        max_version=next((r.max_version for r in results if r.max_version), None),
        versions=versions, findings=[f for r in results for f in r.findings], issues=issues,
        calls=sum(r.calls for r in results), probes=sum(r.probes for r in results),
        fail_on=first.fail_on)
