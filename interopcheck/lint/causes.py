"""Root causes of lint findings: the same rule saying the same thing in many places.

A document that declares no ``OpenStack-API-Version`` header gets MV001 at every operation
(about 200 times in Nova's document); that is one thing to fix, not 200. A cause is one rule
with one message once the place it was seen at is taken out of the message (the leading
``METHOD /path [status]``): every finding gets ``extra["cause"]`` (a stable 12-hex id) and
the result lists the causes with their counts, which every renderer shows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from interopcheck.rules.registry import Violation

__all__ = ["LintCause", "cause_summary", "group"]

# "GET /v2.1/servers/{id} 200 does not ..." -> "does not ..."
_PLACE = re.compile(r"^(?:GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) \S+(?: [1-5](?:\d\d|XX))?"
                    r"(?: |$)")


def cause_summary(message: str) -> str:
    """The message without the operation it was seen at."""
    return _PLACE.sub("", message, count=1) or message


@dataclass(slots=True)
class LintCause:
    id: str
    rule: str
    severity: str
    summary: str
    findings: list[Violation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.findings)


def group(violations: Iterable[Violation]) -> list[LintCause]:
    """Causes in the order of their first finding; sets ``extra["cause"]`` on each finding."""
    causes: dict[tuple[str, str], LintCause] = {}
    for v in violations:
        summary = cause_summary(v.message)
        key = (v.rule, summary)
        cause = causes.get(key)
        if cause is None:
            digest = hashlib.sha256(f"{v.rule}\0{summary}".encode()).hexdigest()[:12]
            cause = causes[key] = LintCause(digest, v.rule, v.severity.value, summary)
        cause.findings.append(v)
        v.extra["cause"] = cause.id
    return list(causes.values())
