"""Root causes of lint findings: the same rule saying the same thing in many places.

A document that declares no ``OpenStack-API-Version`` header gets MV001 at every operation
(about 200 times in Nova's document); that is one thing to fix, not 200. A cause is one rule
with one message once the place it was seen at is taken out of the message (the leading
``METHOD /path [status]``): every finding gets ``extra["cause"]`` (a stable 12-hex id) and
the result lists the causes with their counts, which every renderer shows. One
document-wide cause spans rules: a microversioned document that declares the version header
nowhere gets MV001, MV006, MV008, MV010 and MV011 at every operation, all one cause.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from interopcheck.rules.registry import Violation
from interopcheck.rules.targets import ApiDocument

__all__ = ["MV_FAMILY", "LintCause", "cause_summary", "declares_no_version_header", "group"]

# "GET /v2.1/servers/{id} 200 does not ..." -> "does not ..."
_PLACE = re.compile(r"^(?:GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) \S+(?: [1-5](?:\d\d|XX))?"
                    r"(?: |$)")


_METHODS = ("GET ", "PUT ", "POST ", "DELETE ", "PATCH ", "HEAD ", "OPTIONS ", "TRACE ")


def cause_summary(message: str) -> str:
    """The message without the operation it was seen at."""
    if not message.startswith(_METHODS):  # one C call: most messages name no operation
        return message
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

    @property
    def rules(self) -> list[str]:
        return sorted({v.rule for v in self.findings})

    def headline(self, v: Violation) -> str:
        """What to print for the cause at its first finding ``v``: the finding's own message,
        or the cause's summary when the cause spans several rules."""
        rules = self.rules
        return v.message if len(rules) == 1 else f"{self.summary} ({', '.join(rules)})"


#: what a microversioned document without any version header gets at every operation
MV_FAMILY = frozenset({"MV001", "MV006", "MV008", "MV010", "MV011"})
NO_VERSION_HEADER = ("the document declares no OpenStack-API-Version header on any operation "
                     "(so no Vary, 400 or 406 answers for it either)")


def declares_no_version_header(api: ApiDocument | None) -> bool:
    """A microversioned API none of whose operations declares the version header."""
    return api is not None and api.microversioned and bool(api.operations) and not any(
        op.param("openstack-api-version", "header") is not None for op in api.operations)


def group(violations: Iterable[Violation], api: ApiDocument | None = None,
          ) -> list[LintCause]:
    """Causes in the order of their first finding; sets ``extra["cause"]`` on each finding.

    When the document declares the version header nowhere, MV001/MV006/MV008/MV010/MV011 at
    every operation are one cause (Nova's document: about 960 findings)."""
    causes: dict[tuple[str, str], LintCause] = {}
    no_header = declares_no_version_header(api)
    for v in violations:
        summary = cause_summary(v.message)
        key = (v.rule, summary)
        if no_header and v.rule in MV_FAMILY:
            summary, key = NO_VERSION_HEADER, ("MV001", NO_VERSION_HEADER)
        cause = causes.get(key)
        if cause is None:
            digest = hashlib.sha256(f"{key[0]}\0{summary}".encode()).hexdigest()[:12]
            cause = causes[key] = LintCause(digest, key[0], v.severity.value, summary)
        cause.findings.append(v)
        v.extra["cause"] = cause.id
    return list(causes.values())
