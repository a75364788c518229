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
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Protocol, runtime_checkable

__all__ = ["DEPLOYMENT_HEADERS", "LB_COOKIES", "AnyFinding", "Finding", "Severity", "Verdict",
           "classify", "is_deployment_header"]

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


#: Response headers the HTTP/deployment layer adds (proxies, load balancers, TLS
#: terminators), as case-insensitive globs: a difference in them is a ``deployment``
#: verdict (no client break, no version bump). ``--deployment-header`` adds more.
DEPLOYMENT_HEADERS: tuple[str, ...] = (
    "strict-transport-security", "x-content-type-options", "x-frame-options",
    "x-xss-protection", "content-security-policy", "content-security-policy-report-only",
    "referrer-policy", "permissions-policy", "cross-origin-*-policy", "expect-ct",
    "via", "forwarded", "x-forwarded-*", "x-real-ip", "alt-svc", "server-timing",
    "x-cache", "x-cache-hits", "x-served-by", "x-timer", "age", "x-envoy-*",
    "x-amz-cf-*", "cf-ray", "cf-cache-status", "x-request-start",
)
#: Cookie names load balancers set for session affinity (``Set-Cookie`` is deployment
#: only when it sets one of these).
LB_COOKIES: tuple[str, ...] = (
    "serverid", "route", "routeid", "awsalb", "awsalbcors", "awselb", "bigipserver*",
    "ts0*", "incap_ses_*", "visid_incap_*", "__cf_bm", "ingresscookie", "sticky*",
    "haproxy*", "lb*", "_lb*", "nlbsession*", "citrix_ns_id", "ns_*",
)

_DEPLOYMENT_SUMMARY = "deployment: no client break, no version bump"


def _cookie_names(value: str) -> list[str]:
    return [part.split("=", 1)[0].strip().lower() for part in value.split(",")
            if "=" in part.split(";", 1)[0]]


def is_deployment_header(name: str, value_a: str, value_b: str,
                         patterns: Iterable[str] = DEPLOYMENT_HEADERS) -> bool:
    """True for a header the HTTP layer adds (``Set-Cookie`` only of a load-balancer cookie)."""
    name = name.lower()
    if name == "set-cookie":
        names = [n for v in (value_a, value_b) if v != _ABSENT for n in _cookie_names(v)]
        return bool(names) and all(any(fnmatchcase(n, p) for p in LB_COOKIES) for n in names)
    return any(fnmatchcase(name, p.lower()) for p in patterns)


def _members(rendered: str) -> set[str]:
    text = rendered[1:-1] if rendered.startswith("(") and rendered.endswith(")") else rendered
    return {m.strip() for m in text.split(" | ")}


def _only_nullability(a: str, b: str) -> bool:
    """``null`` vs ``str``, ``(null | str)`` vs ``str``, ``null`` vs ``(nothing else)``."""
    if "null" in (a, b):
        return True
    differing = _members(a) ^ _members(b)
    return bool(differing) and differing <= {"null", "(nothing else)"}


def classify(kind: str, path: str, a: str, b: str,
             deployment_headers: Iterable[str] = DEPLOYMENT_HEADERS) -> Verdict:
    """The verdicts for a structural difference of ``kind`` at ``path`` (A's and B's values).

    Three kinds of verdict: an API difference (breaks clients and/or needs a version bump),
    a ``deployment`` difference (rule ``DEPLOY001``: a header the HTTP layer adds), and
    text for people (``error-detail``: information only).
    """
    if kind == "status":
        return _status(a, b)
    if kind in ("header-missing", "header-extra", "header-value") and is_deployment_header(
            path, a, b, deployment_headers):
        where = {"header-missing": "sent by A only", "header-extra": "sent by B only",
                 "header-value": f"{a!r} vs {b!r}"}[kind]
        return Verdict("DEPLOY001", False, False, Severity.INFO,
                       f"{_DEPLOYMENT_SUMMARY}: header {path!r} ({where}) comes from the "
                       "HTTP/deployment layer")
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
                       "error message text differs (text for people: information only)")
    if kind == "body-shape":
        if a == _ABSENT:
            return Verdict("INTEROP007", False, True, Severity.ERROR,
                           f"body property {path} is only on B")
        if b == _ABSENT:
            return Verdict("INTEROP007", True, True, Severity.ERROR,
                           f"body property {path} is missing on B")
        if _only_nullability(a, b):
            return Verdict("INTEROP008", False, False, Severity.INFO,
                           f"{path} is null on one cloud ({a} vs {b}): nullable")
        return Verdict("INTEROP008", True, True, Severity.ERROR,
                       f"{path} has type {a} on A but {b} on B")
    return Verdict("INTEROP001", True, True, Severity.ERROR, f"{kind} differs at {path}")
