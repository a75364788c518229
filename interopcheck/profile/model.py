"""A profile as code: frozen dataclasses, one per YAML construct.

The YAML format is documented at the top of ``profiles/placement.yaml`` and in
the README (``## interopcheck diff``); ``loader.py`` builds these objects from
it after checking ``interopcheck/schemas/profile.schema.json``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interopcheck.microversion import Version, VersionSet

__all__ = [
    "UNSET",
    "Auth",
    "Discovery",
    "IgnoreRule",
    "MicroversionMode",
    "Poll",
    "Profile",
    "Scenario",
    "Section",
    "Step",
]


class _Unset:
    """No request body (distinct from a JSON ``null`` body)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


class Section(str, enum.Enum):
    """Where a step sits in its scenario."""

    SETUP = "setup"
    CALLS = "calls"
    TEARDOWN = "teardown"


class MicroversionMode(str, enum.Enum):
    """Which version header a step sends."""

    SWEEP = "sweep"      # the version being compared (the default)
    FIXED = "fixed"      # a version written in the profile
    LATEST = "latest"    # the highest version both clouds serve
    NONE = "none"        # no version header at all


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """Differences to drop: a body path or a header (or ``status``), optionally scoped.

    ``path`` is a JSONPath-like (``$.a[*].b``, ``$..links``) or JSON Pointer
    (``/a/*/b``) pattern, or ``status``; ``header`` a header name (glob). The
    scopes ``scenario`` and ``call`` are globs; ``kind`` a difference kind.
    """

    path: str | None = None
    header: str | None = None
    kind: str | None = None
    scenario: str | None = None
    call: str | None = None
    microversions: VersionSet = field(default_factory=VersionSet)
    reason: str = ""
    origin: str = ""

    def describe(self) -> str:
        what = self.path if self.path is not None else f"header:{self.header}"
        scope = "/".join(s for s in (self.scenario, self.call) if s)
        return f"{what}{f' in {scope}' if scope else ''}"


@dataclass(frozen=True, slots=True)
class Poll:
    """Repeat a request until ``until`` (a capture expression) is one of ``values``."""

    until: str
    values: tuple[Any, ...]
    timeout: float = 30.0
    interval: float = 0.2


@dataclass(frozen=True, slots=True)
class Step:
    """One HTTP request of a scenario."""

    name: str
    section: Section
    index: int
    method: str
    url: str
    versions: VersionSet = field(default_factory=VersionSet)
    mv_mode: MicroversionMode = MicroversionMode.SWEEP
    mv_fixed: Version | None = None
    headers: Mapping[str, str | None] = field(default_factory=dict)
    body: Any = UNSET
    data: str | None = None
    auth: bool = True
    capture: Mapping[str, str] = field(default_factory=dict)
    status: tuple[int, ...] = ()
    compare: bool = True
    timeout: float | None = None
    ignore: tuple[IgnoreRule, ...] = ()
    poll: Poll | None = None

    def applies(self, version: Version) -> bool:
        return version in self.versions

    def microversion(self, sweep: Version, latest: Version) -> Version | None:
        """The version this step sends when the sweep is at ``sweep``."""
        if self.mv_mode is MicroversionMode.FIXED:
            return self.mv_fixed
        if self.mv_mode is MicroversionMode.LATEST:
            return latest
        if self.mv_mode is MicroversionMode.NONE:
            return None
        return sweep

    @property
    def compared(self) -> bool:
        return self.section is Section.CALLS and self.compare


@dataclass(frozen=True, slots=True)
class Scenario:
    """Setup, compared calls and teardown, run at every version in ``versions``."""

    name: str
    description: str
    versions: VersionSet
    setup: tuple[Step, ...]
    calls: tuple[Step, ...]
    teardown: tuple[Step, ...]
    concurrent: bool = True
    ignore: tuple[IgnoreRule, ...] = ()

    def applies(self, version: Version) -> bool:
        return version in self.versions


@dataclass(frozen=True, slots=True)
class Discovery:
    """The request that reveals a cloud's version range, and where to read it."""

    method: str
    url: str
    min_version: str
    max_version: str
    auth: bool = False


@dataclass(frozen=True, slots=True)
class Auth:
    """The token header; the token itself comes from the command line or environment."""

    header: str = "X-Auth-Token"
    default_token: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """One service's scenarios and how to talk to it."""

    name: str
    path: Path
    description: str
    service_type: str
    version_header: str
    discovery: Discovery
    auth: Auth
    headers: Mapping[str, str]
    ignore: tuple[IgnoreRule, ...]
    ignore_headers: frozenset[str]
    scenarios: tuple[Scenario, ...]

    def version_value(self, version: Version) -> str:
        """The version header's value, e.g. ``placement 1.20``."""
        return f"{self.service_type} {version}"

    def scenario(self, name: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        raise KeyError(name)
