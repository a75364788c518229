"""Accepted differences: a baseline file of findings that no longer count.

The file is JSON (YAML is read too)::

    {"interopcheck_baseline": 1,
     "profile": "placement",
     "accepted": [
       {"key": "scenario|call|1.20|body-shape|$.x",
        "scenario": "...", "call": "...", "microversion": "1.20",
        "kind": "body-shape", "path": "$.x",
        "summary": "body property $.x is only on B",
        "reason": "why this difference is accepted (kept when the file is rewritten)"}]}

An entry matches a finding when every field it gives equals the finding's; a
field may be ``"*"`` (anything), and ``microversion`` may be a range such as
``"1.20-"``. ``--write-baseline`` rewrites the file with the run's findings,
keeping the reasons of entries that still match and dropping entries that no
longer match anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from interopcheck.errors import InteropcheckError
from interopcheck.findings import Finding
from interopcheck.microversion import VersionError, parse, parse_versions

__all__ = ["BASELINE_FORMAT", "Accepted", "Baseline", "BaselineError"]

BASELINE_FORMAT = 1
_FIELDS = ("scenario", "call", "microversion", "kind", "path")


class BaselineError(InteropcheckError, ValueError):
    """A baseline file that cannot be read; the message names the file and entry."""


def _version_matches(pattern: str, value: str) -> bool:
    if pattern in ("*", value):
        return True
    if "-" in pattern or "," in pattern:
        try:
            return parse(value) in parse_versions(pattern)
        except VersionError:
            return False
    return False


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted difference."""

    scenario: str = "*"
    call: str = "*"
    microversion: str = "*"
    kind: str = "*"
    path: str = "*"
    reason: str = ""
    summary: str = ""

    @classmethod
    def of(cls, finding: Finding, reason: str = "") -> Accepted:
        return cls(finding.scenario, finding.call, finding.microversion, finding.kind,
                   finding.path, reason, finding.summary)

    @property
    def key(self) -> str:
        return "|".join(getattr(self, f) for f in _FIELDS)

    def matches(self, finding: Finding) -> bool:
        for name in ("scenario", "call", "kind", "path"):
            want = getattr(self, name)
            if want != "*" and want != getattr(finding, name):
                return False
        return _version_matches(self.microversion, finding.microversion)

    def to_dict(self) -> dict[str, str]:
        data = {"key": self.key}
        data.update({f: getattr(self, f) for f in _FIELDS})
        data["summary"] = self.summary
        data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Baseline:
    """The accepted differences of one file."""

    entries: tuple[Accepted, ...] = ()
    path: Path | None = None
    profile: str | None = None
    _by_key: dict[str, Accepted] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            if "*" not in entry.key and not set(entry.microversion) & {"-", ","}:
                self._by_key.setdefault(entry.key, entry)

    def match(self, finding: Finding) -> Accepted | None:
        exact = self._by_key.get(finding.key)
        if exact is not None:
            return exact
        for entry in self.entries:
            if entry.matches(finding):
                return entry
        return None

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """``(still findings, baselined)``."""
        kept: list[Finding] = []
        accepted: list[Finding] = []
        for finding in findings:
            (accepted if self.match(finding) is not None else kept).append(finding)
        return kept, accepted

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        path = Path(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") \
                from None
        except yaml.YAMLError as exc:
            raise BaselineError(f"{path}: not a JSON or YAML baseline file: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("accepted"), list):
            raise BaselineError(f"{path}: expected an object with an 'accepted' list "
                                "(write one with --write-baseline)")
        entries = []
        for i, raw in enumerate(document["accepted"]):
            entries.append(_entry(raw, f"{path}: accepted[{i}]"))
        return cls(tuple(entries), path, document.get("profile"))

    def written(self, findings: Sequence[Finding], profile: str) -> tuple[dict[str, Any], int]:
        """The document ``--write-baseline`` writes, and how many old entries were dropped."""
        out: dict[str, Accepted] = {}
        used: set[int] = set()
        for finding in findings:
            entry = self.match(finding)
            if entry is not None:
                used.add(id(entry))
                if "*" in entry.key or set(entry.microversion) & {"-", ","}:
                    out.setdefault(entry.key, entry)  # keep a wildcard entry as written
                    continue
            acc = Accepted.of(finding, entry.reason if entry is not None else "")
            out.setdefault(acc.key, acc)
        dropped = sum(1 for e in self.entries if id(e) not in used)
        accepted = [out[k].to_dict() for k in sorted(out)]
        return ({"interopcheck_baseline": BASELINE_FORMAT, "profile": profile,
                 "accepted": accepted}, dropped)

    def write(self, path: str | Path, findings: Sequence[Finding], profile: str) -> int:
        """Write the baseline for ``findings``; returns the number of entries dropped."""
        document, dropped = self.written(findings, profile)
        Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")
        return dropped


def _entry(raw: Any, where: str) -> Accepted:
    if not isinstance(raw, dict):
        raise BaselineError(f"{where}: expected an object")
    values: dict[str, str] = {}
    key = raw.get("key")
    if isinstance(key, str) and key.count("|") == 4 and not any(f in raw for f in _FIELDS):
        values = dict(zip(_FIELDS, key.split("|"), strict=True))
    for name in _FIELDS:
        if name in raw:
            if not isinstance(raw[name], str):
                raise BaselineError(f"{where}: {name} must be a string")
            values[name] = raw[name]
    if not values:
        raise BaselineError(f"{where}: give a key or some of {', '.join(_FIELDS)}")
    return Accepted(**values, reason=str(raw.get("reason", "")),
                    summary=str(raw.get("summary", "")))
