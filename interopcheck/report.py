"""The report of one run: what every renderer (terminal, JSON, Markdown, HTML, JUnit) reads.

Data only: built by the runner/diff stage, never printed here. ``to_dict`` is the
documented JSON form (``schema_version`` ``REPORT_SCHEMA_VERSION``; the JSON Schema
lives in ``interopcheck/schemas/report.schema.json``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from interopcheck.causes import DEFAULT_FAIL_ON, failing, group_causes
from interopcheck.findings import Finding, Severity

__all__ = ["REPORT_SCHEMA_VERSION", "CallResult", "CloudInfo", "Problem", "Report"]

REPORT_SCHEMA_VERSION = "1"
#: Example findings per cause in the JSON form.
CAUSE_EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class CloudInfo:
    """One side of the comparison. ``url`` never carries credentials."""

    name: str
    url: str
    min_version: str | None = None
    max_version: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that stopped part of the run (a cloud down, a timeout, HTML instead of JSON).

    ``where`` names the cloud and call; ``what_to_do`` is the one-line hint.
    """

    cloud: str
    where: str
    what: str
    what_to_do: str

    def line(self) -> str:
        return f"{self.cloud}: {self.where}: {self.what} ({self.what_to_do})"


@dataclass(frozen=True, slots=True)
class CallResult:
    """One compared call: where it ran and how many findings it produced."""

    scenario: str
    call: str
    method: str
    url: str
    microversion: str
    status_a: int | None
    status_b: int | None
    findings: int
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a run found, for the renderers."""

    tool: str
    profile: str
    service_type: str
    cloud_a: CloudInfo
    cloud_b: CloudInfo
    microversions: tuple[str, ...]
    started_at: str
    finished_at: str
    findings: tuple[Finding, ...] = ()
    calls: tuple[CallResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Findings matched by the accepted-differences baseline (not counted as findings).
    baselined: tuple[Finding, ...] = ()
    #: Paths found to vary between two calls to the same cloud (dropped as noise).
    noise: tuple[str, ...] = ()
    #: What fails the run (``--fail-on``; :func:`interopcheck.causes.fails`).
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    #: Declared departures (ignore rules with a reason: the profile's, --ignore-file's) that
    #: accepted differences, one line each: where, why, how often.
    accepted: tuple[str, ...] = ()

    @property
    def failing(self) -> list[Finding]:
        """The findings that fail the run under :attr:`fail_on`."""
        return failing(self.findings, self.fail_on)

    @property
    def exit_code(self) -> int:
        """0 no failing findings, 1 failing findings (``fail_on``), 2 the run itself failed."""
        if self.problems and not self.calls:
            return 2
        if self.failing:
            return 1
        return 2 if self.problems else 0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["schema_version"] = REPORT_SCHEMA_VERSION
        for group in ("findings", "baselined"):
            for item in data[group]:
                item["severity"] = str(item["severity"].value if hasattr(item["severity"], "value")
                                       else item["severity"])
        causes = [{**c.to_dict(), "examples": [
            {"scenario": f.scenario, "call": f.call, "method": f.method, "url": f.url,
             "microversion": f.microversion} for f in c.examples(CAUSE_EXAMPLES)]}
            for c in group_causes(self.findings)]
        # the root causes lead, right before the findings they group
        ordered: dict[str, Any] = {}
        for name, item in data.items():
            if name == "findings":
                ordered["causes"] = causes
            ordered[name] = item
        data = ordered
        data["summary"] = {
            "findings": len(self.findings),
            "breaks_clients": sum(f.breaks_clients for f in self.findings),
            "needs_version_bump": sum(f.needs_version_bump for f in self.findings),
            "failing": len(self.failing),
            "calls": len(self.calls),
            "problems": len(self.problems),
            "exit_code": self.exit_code,
        }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """The inverse of :meth:`to_dict` (``summary`` and ``schema_version`` are derived)."""

        def finding(raw: Mapping[str, Any]) -> Finding:
            fields = {f.name for f in dataclasses.fields(Finding)}
            values = {k: v for k, v in raw.items() if k in fields}
            values["severity"] = Severity(values["severity"])
            values["extra"] = dict(values.get("extra") or {})
            return Finding(**values)

        def build(kind: type, raw: Mapping[str, Any]) -> Any:
            fields = {f.name for f in dataclasses.fields(kind)}
            return kind(**{k: v for k, v in raw.items() if k in fields})

        return cls(
            tool=data["tool"], profile=data["profile"], service_type=data["service_type"],
            cloud_a=build(CloudInfo, data["cloud_a"]), cloud_b=build(CloudInfo, data["cloud_b"]),
            microversions=tuple(data.get("microversions", ())),
            started_at=data["started_at"], finished_at=data["finished_at"],
            findings=tuple(finding(f) for f in data.get("findings", ())),
            calls=tuple(build(CallResult, c) for c in data.get("calls", ())),
            problems=tuple(build(Problem, p) for p in data.get("problems", ())),
            baselined=tuple(finding(f) for f in data.get("baselined", ())),
            noise=tuple(data.get("noise", ())),
            fail_on=tuple(data.get("fail_on", DEFAULT_FAIL_ON)),
            accepted=tuple(data.get("accepted", ())),
        )
