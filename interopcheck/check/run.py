"""``interopcheck check``: one cloud, the profile's calls and the negotiation probes, judged
by the rule catalog in strict and in tolerant mode.

1. discovery (no token): the version range, and the version document as a target;
2. the probes (:mod:`interopcheck.check.probes`);
3. every scenario of the profile at each chosen microversion, through the diff runner
   (:mod:`interopcheck.check.sources.live`);
4. every live rule of the catalog on every target, plus the probes' own findings;
5. each finding is marked with the known departure it is (:mod:`.tolerance`): strict mode
   fails on every finding at or above ``fail_on``; tolerant mode does not count departures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from interopcheck.check.probes import DESCRIPTIONS, discovery_unauthenticated, run_probes
from interopcheck.check.sources.live import LiveSource, collect, discovery_target
from interopcheck.check.tolerance import DEPARTURES, departure
from interopcheck.findings import Severity
from interopcheck.microversion import Version, VersionError, expand, parse, select
from interopcheck.profile.model import Profile, Scenario
from interopcheck.profile.templates import extract
from interopcheck.rules import REGISTRY, evaluate
from interopcheck.rules.registry import Violation
from interopcheck.rules.targets import Target, VersionDocument
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud

__all__ = ["MODES", "CheckFinding", "CheckOptions", "CheckResult", "plan", "run_check"]

MODES = ("strict", "tolerant")
_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


@dataclass(frozen=True, slots=True)
class CheckOptions:
    microversions: str = "sample"  # "sample", "all", "latest", or a list/range spec

    scenarios: tuple[str, ...] = ()
    probe_url: str | None = None
    fail_on: Severity = Severity.ERROR
    disabled: frozenset[str] = frozenset()
    probes: bool = True


@dataclass(frozen=True, slots=True)
class CheckFinding:
    """One rule broken by one live answer or probe (an
    :class:`~interopcheck.findings.AnyFinding`)."""

    rule: str
    severity: Severity
    message: str
    where: str
    origin: str  # scenario | probe | discovery
    departure: str | None
    description: str = ""
    url: str = ""

    @property
    def tolerated(self) -> bool:
        return self.departure is not None

    @property
    def extra(self) -> dict[str, str]:
        """The check's own fields (:class:`~interopcheck.findings.AnyFinding`)."""
        fields = {"origin": self.origin, "departure": self.departure or "",
                  "description": self.description, "guideline": self.url}
        return {k: v for k, v in fields.items() if v}

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "message": self.message,
                "where": self.where, "origin": self.origin, "departure": self.departure,
                "tolerated_in": ["tolerant"] if self.tolerated else [],
                "description": self.description, "guideline": self.url}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckFinding:
        return cls(rule=data["rule"], severity=Severity(data["severity"]),
                   message=data["message"], where=data["where"], origin=data["origin"],
                   departure=data["departure"], description=data["description"],
                   url=data["guideline"])


@dataclass(slots=True)
class CheckResult:
    cloud: str
    profile: str
    min_version: Version | None = None
    max_version: Version | None = None
    versions: list[Version] = field(default_factory=list)
    findings: list[CheckFinding] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    calls: int = 0
    probes: int = 0
    fail_on: Severity = Severity.ERROR

    def failing(self, mode: str) -> list[CheckFinding]:
        """Findings that make ``mode`` fail."""
        out = [f for f in self.findings if _RANK[f.severity] >= _RANK[self.fail_on]]
        if mode == "tolerant":
            out = [f for f in out if not f.tolerated]
        return out

    def passed(self, mode: str) -> bool:
        return not self.failing(mode) and not self.broken

    @property
    def broken(self) -> bool:
        """The run could not check anything (no version range)."""
        return self.max_version is None

    def rule_ids(self, mode: str | None = None) -> set[str]:
        found = self.findings if mode is None else self.failing(mode)
        return {f.rule for f in found}

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (``interopcheck check --format json``)."""
        return {
            "cloud": self.cloud,
            "profile": self.profile,
            "min_version": str(self.min_version) if self.min_version else None,
            "max_version": str(self.max_version) if self.max_version else None,
            "versions": [str(v) for v in self.versions],
            "calls": self.calls,
            "probes": self.probes,
            "fail_on": self.fail_on.value,
            "modes": {mode: {"passed": self.passed(mode),
                             "failing": len(self.failing(mode))} for mode in MODES},
            "findings": [f.to_dict() for f in self.findings],
            "departures": {k: v for k, v in DEPARTURES.items()
                           if any(f.departure == k for f in self.findings)},
            "problems": [{"where": i.where, "what": i.what, "what_to_do": i.what_to_do}
                         for i in self.issues],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """The inverse of :meth:`to_dict` (``modes`` and ``departures`` are derived)."""
        def version(text: str | None) -> Version | None:
            return parse(text) if text else None

        return cls(
            cloud=data["cloud"], profile=data["profile"],
            min_version=version(data["min_version"]), max_version=version(data["max_version"]),
            versions=[parse(v) for v in data["versions"]],
            findings=[CheckFinding.from_dict(f) for f in data["findings"]],
            issues=[Issue(data["cloud"], "check", p["where"], p["what"], p["what_to_do"])
                    for p in data["problems"]],
            calls=data["calls"], probes=data["probes"], fail_on=Severity(data["fail_on"]))


def plan(scenarios: Sequence[Scenario], spec: str, low: Version, high: Version,
         ) -> list[tuple[Scenario, Version]]:
    """The (scenario, version) runs.

    ``sample`` (the default): each scenario at the lowest and the highest of its own
    versions that the cloud serves (profiles list the versions where behaviour changes);
    otherwise ``spec`` as for ``diff --microversions`` (``all``, ``latest``, lists, ranges).
    """
    available = expand(low, high)
    jobs: list[tuple[Scenario, Version]] = []
    for scenario in scenarios:
        if spec == "sample":
            mine = [v for v in available if scenario.applies(v)]
            chosen = sorted({mine[0], mine[-1]}) if mine else []
        else:
            chosen = [v for v in select(spec, low, high)[0] if scenario.applies(v)]
        jobs.extend((scenario, v) for v in chosen)
    return jobs


def _range(profile: Profile, targets: Sequence[Target]) -> tuple[Version, Version] | None:
    d = profile.discovery
    for t in targets:
        if isinstance(t, VersionDocument):
            try:
                low = parse(str(extract(d.min_version, 200, {}, t.body)))
                high = parse(str(extract(d.max_version, 200, {}, t.body)))
            except (VersionError, Exception):
                return None
            return low, high
    return None


def _finding(v: Violation) -> CheckFinding:
    source = v.source
    where = str(source) if isinstance(source, LiveSource) else ""
    if v.pointer and where:
        where += f" at {v.pointer}"
    origin = source.origin if isinstance(source, LiveSource) else "probe"
    rule = REGISTRY.get(v.rule) if v.rule in REGISTRY else None
    description = rule.description if rule else ""
    if origin in ("probe", "discovery") and v.rule in DESCRIPTIONS:
        description = DESCRIPTIONS[v.rule]
    return CheckFinding(rule=v.rule, severity=v.severity, message=v.message, where=where,
                        origin=origin, departure=departure(v), description=description,
                        url=rule.url if rule else "")


def run_check(profile: Profile, cloud: Cloud, options: CheckOptions | None = None,
              ) -> CheckResult:
    """Check one cloud against the catalog's live rules (both modes are judged)."""
    options = options or CheckOptions()
    result = CheckResult(cloud=cloud.display_url, profile=profile.name,
                         fail_on=options.fail_on)
    targets: list[Target] = []
    violations: list[Violation] = []
    found, issue = discovery_target(cloud, profile)
    targets.extend(found)
    if issue is not None:
        result.issues.append(issue)
    bounds = _range(profile, found)
    if not profile.discovery.auth:
        disc = next((t for t in found if isinstance(getattr(t, "source", None), LiveSource)),
                    None)
        src = getattr(disc, "source", None)
        violations.extend(discovery_unauthenticated(profile, getattr(src, "status", None), src))
        if bounds is None and src is not None and src.status in (401, 403) and cloud.token:
            # VD002 is reported; read the range with the token so the rest can run
            again, _issue = discovery_target(cloud, profile, auth=True)
            targets.extend(t for t in again if isinstance(t, VersionDocument))
            bounds = _range(profile, again)
    if bounds is None:
        if issue is None:  # an answer, but not this service's: one line says so, no findings
            result.issues.append(not_the_service(profile, cloud, found))
        else:
            result.findings = [_finding(v) for v in violations
                               if v.rule not in options.disabled]
        return result
    low, high = bounds
    result.min_version, result.max_version = low, high
    if options.probes:
        probes = run_probes(profile, cloud, low, high, options.probe_url)
        targets.extend(probes.targets)
        violations.extend(probes.violations)
        result.issues.extend(probes.issues)
        result.probes = probes.count
    scenarios = [s for s in profile.scenarios
                 if not options.scenarios or any(fnmatchcase(s.name, p)
                                                 for p in options.scenarios)]
    jobs = plan(scenarios, options.microversions, low, high)
    result.versions = sorted({v for _s, v in jobs})
    live = collect(profile, cloud, jobs, high, discovery=False)
    targets.extend(live.targets)
    result.issues.extend(live.issues)
    result.calls = live.calls
    enabled = [r.id for r in REGISTRY if r.id not in options.disabled]
    violations.extend(evaluate(targets, mode="live", enabled=enabled))
    violations = [v for v in violations if v.rule not in options.disabled]
    result.findings = [_finding(v) for v in violations]
    return result


def not_the_service(profile: Profile, cloud: Cloud, found: Sequence[Target]) -> Issue:
    """The one line for a discovery answer without the profile's version range: what answered
    (status, content type) instead of the service the profile expects."""
    service = profile.service_type
    src = next((t.source for t in found if isinstance(getattr(t, "source", None), LiveSource)),
               None)
    doc = next((t for t in found if isinstance(t, VersionDocument)), None)
    answered = "no answer"
    if src is not None:
        answered = f"{src.method} {src.url} answered {src.status}"
        ctype = next((v[0] for k, v in (doc.headers if doc else {}).items()
                      if k.lower() == "content-type" and v), None)
        if ctype:
            answered += f" {ctype.split(';')[0].strip()}"
    todo = (f"give the {service} service's root URL, or the --profile of the service that "
            "is there")
    if src is not None and src.status in (401, 403) and not cloud.token:
        todo += f"; if it is {service}, give --token"
    return Issue(cloud.name, "discovery", "version discovery",
                 f"no {service} service here: {answered}, not a {service} version document",
                 todo)


def departure_reason(key: str) -> str:
    return DEPARTURES.get(key, key)
