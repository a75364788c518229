"""Microversions as data: parse ``X.Y``, ranges such as ``1.14-``, and selections.

A :class:`Version` orders numerically (``1.9 < 1.10``). A :class:`VersionRange`
is inclusive on both ends; either end may be open. ``select`` turns a user's
``--microversions`` value (``all``, ``latest-common``, ``1.2,1.14``,
``1.10-1.20`` or a mix of lists and ranges) into the versions to sweep, given
the range both clouds serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Version",
    "VersionError",
    "VersionRange",
    "expand",
    "parse",
    "parse_range",
    "select",
]

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


class VersionError(ValueError):
    """A version, range or selection that does not parse; the message says which."""


@dataclass(frozen=True, slots=True, order=True)
class Version:
    """A microversion ``major.minor``; orders numerically."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


def parse(text: str) -> Version:
    """``"1.20"`` -> ``Version(1, 20)``; leading zeros are accepted (``1.05`` is 1.5)."""
    match = _VERSION.match(str(text))
    if not match:
        raise VersionError(f"{text!r} is not a version of the form X.Y")
    return Version(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, slots=True)
class VersionRange:
    """Inclusive ``[low, high]``; ``None`` is an open end."""

    low: Version | None = None
    high: Version | None = None

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, Version):
            return False
        if self.low is not None and version < self.low:
            return False
        return not (self.high is not None and version > self.high)

    def __str__(self) -> str:
        if self.low is not None and self.low == self.high:
            return str(self.low)
        return f"{self.low or ''}-{self.high or ''}"

    @property
    def unbounded(self) -> bool:
        return self.low is None and self.high is None


ALL = VersionRange()


def parse_range(text: str | None) -> VersionRange:
    """``"1.2-1.6"``, ``"1.14-"`` (and later), ``"-1.5"`` (and earlier), ``"1.20"`` (just that)."""
    if text is None:
        return ALL
    text = str(text).strip()
    if not text or text == "-":
        return ALL
    if "-" not in text:
        version = parse(text)
        return VersionRange(version, version)
    low_text, _, high_text = text.partition("-")
    low = parse(low_text) if low_text.strip() else None
    high = parse(high_text) if high_text.strip() else None
    if low is not None and high is not None and low > high:
        raise VersionError(f"range {text!r} is empty: {low} is after {high}")
    return VersionRange(low, high)


def expand(low: Version, high: Version) -> list[Version]:
    """Every minor version from ``low`` to ``high`` (one major version only)."""
    if low.major != high.major:
        raise VersionError(f"cannot list the versions between {low} and {high}: "
                           "the major versions differ")
    return [Version(low.major, m) for m in range(low.minor, high.minor + 1)]


def select(spec: str, low: Version, high: Version) -> tuple[list[Version], list[str]]:
    """The versions named by ``spec`` inside ``[low, high]``, and what was left out.

    ``spec`` is ``all``, ``latest-common``, or a comma list of versions and ranges.
    Returns ``(versions, outside)``: the sorted selection, and the parts of
    ``spec`` naming versions that are outside the common range.
    """
    spec = spec.strip()
    available = expand(low, high)
    if spec in ("", "all"):
        return available, []
    if spec in ("latest-common", "latest"):
        return [high], []
    chosen: set[Version] = set()
    outside: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        rng = parse_range(part)
        picked = [v for v in available if v in rng]
        if "-" not in part:
            if not picked:
                outside.append(part)
        elif (rng.low is not None and rng.low < low) or (rng.high is not None and rng.high > high):
            outside.append(part)
        chosen.update(picked)
    return sorted(chosen), outside
