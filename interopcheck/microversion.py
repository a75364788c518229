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

from interopcheck.errors import InteropcheckError

__all__ = [
    "ALL",
    "Version",
    "VersionError",
    "VersionRange",
    "VersionSet",
    "expand",
    "parse",
    "parse_range",
    "parse_versions",
    "select",
]

#: At most 9 digits a part: int() of thousands of digits raises (or takes quadratic time).
_VERSION = re.compile(r"^\s*(\d{1,9})\.(\d{1,9})\s*$")


class VersionError(InteropcheckError, ValueError):
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
    match = _VERSION.match(str(text)) if len(str(text)) < 64 else None
    if not match:
        shown = repr(text)
        if len(shown) > 40:
            shown = f"{shown[:30]}... ({len(str(text))} characters)"
        raise VersionError(f"{shown} is not a version of the form X.Y")
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


@dataclass(frozen=True, slots=True)
class VersionSet:
    """A union of ranges, written ``"1.0, 1.22-1.23, 1.38-"``; empty means every version."""

    spans: tuple[VersionRange, ...] = ()

    def __contains__(self, version: object) -> bool:
        if not self.spans:
            return isinstance(version, Version)
        return any(version in span for span in self.spans)

    def __str__(self) -> str:
        return ", ".join(str(s) for s in self.spans) if self.spans else "all"

    @property
    def unbounded(self) -> bool:
        return not self.spans or any(s.unbounded for s in self.spans)

    def overlaps(self, other: VersionSet) -> bool:
        mine = self.spans or (VersionRange(),)
        theirs = other.spans or (VersionRange(),)
        return any(_spans_overlap(a, b) for a in mine for b in theirs)


def _spans_overlap(a: VersionRange, b: VersionRange) -> bool:
    if a.low is not None and b.high is not None and a.low > b.high:
        return False
    return not (b.low is not None and a.high is not None and b.low > a.high)


ALL = VersionSet()


def parse_versions(text: str | None) -> VersionSet:
    """A comma list of ranges (see :func:`parse_range`); ``None`` or ``""`` is every version."""
    if text is None or not str(text).strip():
        return ALL
    spans = tuple(parse_range(part) for part in str(text).split(",") if part.strip())
    return VersionSet(spans)


def parse_range(text: str | None) -> VersionRange:
    """``"1.2-1.6"``, ``"1.14-"`` (and later), ``"-1.5"`` (and earlier), ``"1.20"`` (just that)."""
    if text is None:
        return VersionRange()
    text = str(text).strip()
    if not text or text == "-":
        return VersionRange()
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
