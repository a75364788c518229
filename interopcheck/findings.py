"""Findings: what a diff found, and what every finding of diff, check and lint shares.

Every command reports findings of one shape, :class:`AnyFinding`: the rule (an API-SIG
rule id), its :class:`Severity`, one line saying what is wrong (``message``), where it
is (``where``) and service-specific fields as ``extra``. The three commands keep the
fields their renderers need beside that: a diff's :class:`Finding` (below), a check's
:class:`~interopcheck.check.run.CheckFinding` (origin, departure) and lint's
:class:`~interopcheck.rules.registry.Violation` (pointer, file location). Renderers are
registered for all three in one place, :mod:`interopcheck.outputs`.

A :class:`Finding` is one structural difference between cloud A (the reference a
client was written against) and cloud B, at one call of one scenario at one
microversion, with the two verdicts of the API-SIG interoperability guideline
(``../shared/apisig-rules.md`` §1.16):

- ``breaks_clients`` (stability): would code written against A fail on B?
- ``needs_version_bump`` (interop/compatibility): is this an observable change that
  may only happen behind a new microversion?

``classify`` derives both verdicts, the rule id and the severity from a
structural difference; it is pure and does no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

__all__ = ["AnyFinding", "Finding", "Severity", "Verdict", "classify"]

if TYPE_CHECKING:
    from collections.abc import Mapping


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@runtime_checkable
class AnyFinding(Protocol):
    """What every finding has, whichever command found it (diff, check or lint)."""

    @property
    def rule(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def message(self) -> str:
        """One line: what is wrong."""
        ...

    @property
    def where(self) -> str:
        """Where it is: a call and a JSON path, a probe, a file position."""
        ...

    @property
    def extra(self) -> Mapping[str, str]:
        """Service- and command-specific fields (never secrets)."""
        ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """The two verdicts for one difference, and the guideline rule behind them."""

    rule: str
    breaks_clients: bool
    needs_version_bump: bool
    severity: Severity
    summary: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One difference between two clouds at one call and microversion."""

    scenario: str
    call: str
    method: str
    url: str
    microversion: str
    kind: str
    path: str
    a: str
    b: str
    rule: str
    breaks_clients: bool
    needs_version_bump: bool
    severity: Severity
    summary: str
    #: Free-form context for renderers (request bodies, full values), never secrets.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The verdict's one line (:class:`AnyFinding`)."""
        return self.summary

    @property
    def where(self) -> str:
        """The call, microversion and JSON path or header (:class:`AnyFinding`)."""
        return f"{self.method} {self.url} @ {self.microversion}: {self.path}"

    @property
    def key(self) -> str:
        """Stable identity used by baselines: no values, no UUIDs."""
        return f"{self.scenario}|{self.call}|{self.microversion}|{self.kind}|{self.path}"


_ABSENT = "(absent)"


def _status_class(code: str) -> int:
    try:
        return int(code) // 100
    except ValueError:
        return 0


def _status(a: str, b: str) -> Verdict:
    ca, cb = _status_class(a), _status_class(b)
    if a == "404" or b == "404" or a == "405" or b == "405":
        if a in ("404", "405"):
            return Verdict("INTEROP002", False, True, Severity.ERROR,
                           f"URL answers {a} on A but {b} on B: an API added without a version")
        return Verdict("INTEROP003", True, True, Severity.ERROR,
                       f"URL answers {a} on A but {b} on B: an API removed without a version")
    if ca == 5 or cb == 5:
        return Verdict("INTEROP011", False, False, Severity.WARNING,
                       f"server error on one cloud ({a} vs {b}): bug-fix drift, not interop")
    if {a, b} & {"401", "403"}:
        return Verdict("INTEROP002", ca == 2, False, Severity.WARNING,
                       f"status {a} vs {b}: differs by authorization policy")
    if ca == 2 and cb == 4:
        return Verdict("INTEROP010", True, True, Severity.ERROR,
                       f"a request that succeeds on A ({a}) fails on B ({b})")
    if ca == 4 and cb == 2:
        return Verdict("INTEROP004", False, True, Severity.ERROR,
                       f"a request that fails on A ({a}) succeeds on B ({b})")
    return Verdict("INTEROP004", True, True, Severity.ERROR,
                   f"status code {a} on A but {b} on B at the same version")


def classify(kind: str, path: str, a: str, b: str) -> Verdict:
    """The verdicts for a structural difference of ``kind`` at ``path`` (A's and B's values)."""
    if kind == "status":
        return _status(a, b)
    if kind == "header-missing":
        return Verdict("INTEROP005", True, True, Severity.ERROR,
                       f"response header {path!r} sent by A is missing on B")
    if kind == "header-extra":
        return Verdict("INTEROP005", False, True, Severity.ERROR,
                       f"response header {path!r} sent by B is not sent by A")
    if kind == "header-value":
        return Verdict("INTEROP006", True, True, Severity.ERROR,
                       f"protocol header {path!r} differs: {a!r} vs {b!r}")
    if kind in ("error-code",):
        return Verdict("ERR011", True, True, Severity.ERROR,
                       f"error {path.rsplit('.', 1)[-1]} differs: {a!r} vs {b!r}")
    if kind == "error-detail":
        return Verdict("ERR004", False, False, Severity.INFO,
                       "error message text differs")
    if kind == "body-shape":
        if a == _ABSENT:
            return Verdict("INTEROP007", False, True, Severity.ERROR,
                           f"body property {path} is only on B")
        if b == _ABSENT:
            return Verdict("INTEROP007", True, True, Severity.ERROR,
                           f"body property {path} is missing on B")
        if "null" in (a, b):
            return Verdict("INTEROP008", False, False, Severity.INFO,
                           f"{path} is null on one cloud ({a} vs {b}): nullable")
        return Verdict("INTEROP008", True, True, Severity.ERROR,
                       f"{path} has type {a} on A but {b} on B")
    return Verdict("INTEROP001", True, True, Severity.ERROR, f"{kind} differs at {path}")
