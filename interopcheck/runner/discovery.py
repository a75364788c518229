"""Version discovery on each cloud, and the range both serve.

The profile's ``discovery`` block names one request (for Placement ``GET /``)
and where its answer holds the minimum and maximum versions (capture
expressions such as ``body.versions.0.max_version``). A cloud whose range
cannot be read is marked down: nothing can be compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from interopcheck.microversion import Version, VersionError, parse
from interopcheck.profile.model import Profile, Section, Step
from interopcheck.profile.templates import Variables, extract
from interopcheck.runner.call import Issue, send_request
from interopcheck.runner.clouds import Cloud

__all__ = ["VersionInfo", "common_range", "discover"]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """The versions one cloud serves."""

    cloud: str
    min_version: Version
    max_version: Version


def discover(profile: Profile, cloud: Cloud) -> tuple[VersionInfo | None, Issue | None]:
    """Ask ``cloud`` for its version range (a recorded cloud reads its recorded one)."""
    recorded = getattr(cloud, "discover", None)
    if recorded is not None:
        return recorded(profile), None
    d = profile.discovery
    step = Step(name="version discovery", section=Section.SETUP, index=0, method=d.method,
                url=d.url, auth=d.auth)
    where = f"version discovery ({d.method} {d.url})"
    outcome = send_request(cloud, profile, step, Variables(environ={}), None, where)
    if outcome.issue is not None:
        cloud.mark_down(outcome.issue.what)
        return None, outcome.issue
    assert outcome.status is not None
    if not 200 <= outcome.status < 300:
        cloud.mark_down(f"discovery answered {outcome.status}")
        return None, Issue(cloud.name, "discovery", where, f"answered {outcome.status}",
                           f"check that {cloud.url_option or 'the URL'} is the service's "
                           f"root (the profile discovers versions at {d.url})")
    found: dict[str, Version] = {}
    for key, expr in (("min", d.min_version), ("max", d.max_version)):
        value = extract(expr, outcome.status, outcome.headers, outcome.body)
        try:
            found[key] = parse(str(value)) if value is not None else None  # type: ignore[assignment]
        except VersionError:
            found[key] = None  # type: ignore[assignment]
        if found[key] is None:
            cloud.mark_down("no version range")
            return None, Issue(cloud.name, "discovery", where,
                               f"the answer has no {key}imum version at {expr} "
                               f"(found {_short(value)})",
                               "check that this is the service the profile describes")
    return VersionInfo(cloud.name, found["min"], found["max"]), None


def _short(value: object) -> str:
    """``repr(value)`` cut to a few dozen characters (a hostile cloud sends anything)."""
    text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 60 else f"{text[:50]}... ({len(text)} characters)"


def common_range(a: VersionInfo, b: VersionInfo) -> tuple[Version, Version] | None:
    """The versions both clouds serve, or None when they share none."""
    low = max(a.min_version, b.min_version)
    high = min(a.max_version, b.max_version)
    if low > high or low.major != high.major:
        return None
    return low, high
