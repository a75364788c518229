"""Root causes: findings grouped by what differs, not by where it was seen.

One difference between two clouds (a header a proxy adds, a field one release added)
shows up at every call, scenario and microversion that touches it. A :class:`Cause` is
one such difference: the same ``kind`` at the same ``path`` (JSON path or header name)
with the same pair of shapes/values ``a``/``b``, together with every finding it
explains. Renderers lead with causes and show a few findings as examples.

Layers (``Cause.layer``):

- ``api``: a difference in the service's API (status, body shape, protocol headers);
- ``deployment``: made by the HTTP/deployment layer (security headers, ``Via``,
  load-balancer cookies, ...): no client break, no version bump;
- ``text``: text for people (error ``detail`` messages): information only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from interopcheck.findings import Finding, Severity

__all__ = [
    "DEFAULT_FAIL_ON",
    "FAIL_ON_WORDS",
    "LAYERS",
    "Cause",
    "cause_key",
    "compress_versions",
    "failing",
    "fails",
    "group_causes",
    "layer_of",
    "parse_fail_on",
]

LAYERS = ("api", "deployment", "text")
#: What ``--fail-on`` takes (comma-separated): verdicts, layers, ``any`` or ``never``.
FAIL_ON_WORDS = ("breaks-clients", "needs-version-bump", "deployment", "text", "info", "any",
                 "never")
#: Fail on what breaks clients or needs a version bump.
DEFAULT_FAIL_ON: tuple[str, ...] = ("breaks-clients", "needs-version-bump")
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_LAYER_ORDER = {"api": 0, "deployment": 1, "text": 2}


def _version_key(v: str) -> tuple[int, int]:
    major, _, minor = v.partition(".")
    return int(major), int(minor)


def _is_version(v: str) -> bool:
    major, dot, minor = v.partition(".")
    return bool(dot) and major.isdigit() and minor.isdigit()


def compress_versions(versions: Iterable[str]) -> str:
    """``1.0, 1.1, 1.2, 1.5`` -> ``"1.0-1.2, 1.5"``; non-versions (``none``) are listed last."""
    values = set(versions)
    parsed = sorted((v for v in values if _is_version(v)), key=_version_key)
    parts: list[str] = []
    run: list[str] = []
    for v in parsed:
        if run:
            (pm, pn), (m, n) = _version_key(run[-1]), _version_key(v)
            if m == pm and n == pn + 1:
                run.append(v)
                continue
            parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [v]
    if run:
        parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
    parts.extend(sorted(v for v in values if not _is_version(v)))
    return ", ".join(parts)


def layer_of(finding: Finding) -> str:
    """The layer a finding belongs to (``api``, ``deployment`` or ``text``)."""
    layer = getattr(finding, "layer", None)
    if layer in LAYERS:
        return str(layer)
    if finding.rule.startswith("DEPLOY"):
        return "deployment"
    if finding.kind == "error-detail":
        return "text"
    return "api"


def parse_fail_on(text: str) -> tuple[str, ...]:
    """``"breaks-clients,deployment"`` -> its words; ``ValueError`` names an unknown one."""
    words = tuple(dict.fromkeys(w.strip() for w in text.split(",") if w.strip()))
    unknown = [w for w in words if w not in FAIL_ON_WORDS]
    if unknown or not words:
        raise ValueError(f"unknown --fail-on value {', '.join(unknown) or repr(text)} "
                         f"(give a comma-separated list of: {', '.join(FAIL_ON_WORDS)})")
    return words


def fails(finding: Finding, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> bool:
    """Whether ``finding`` fails a run under ``fail_on``.

    ``breaks-clients`` / ``needs-version-bump``: API findings with that verdict;
    ``deployment`` / ``text``: any finding of that layer; ``info``: API findings with
    neither verdict (nullable fields, server errors); ``any``: every finding.
    """
    words = set(fail_on)
    if "never" in words:
        return False
    if "any" in words:
        return True
    layer = layer_of(finding)
    if layer != "api":
        return layer in words
    if finding.breaks_clients and "breaks-clients" in words:
        return True
    if finding.needs_version_bump and "needs-version-bump" in words:
        return True
    return "info" in words and not (finding.breaks_clients or finding.needs_version_bump)


def failing(findings: Iterable[Finding], fail_on: Iterable[str] = DEFAULT_FAIL_ON
            ) -> list[Finding]:
    """The findings that fail a run under ``fail_on``."""
    words = tuple(fail_on)
    return [f for f in findings if fails(f, words)]


def _sweep_version(finding: Finding) -> str:
    """The sweep's microversion: the one sent, or the sweep's when the call sends none."""
    if _is_version(finding.microversion):
        return finding.microversion
    return finding.extra.get("sweep_microversion", finding.microversion)


@dataclass(frozen=True, slots=True)
class Cause:
    """One difference between the clouds and every finding it explains."""

    key: str
    kind: str
    path: str
    a: str
    b: str
    rule: str
    severity: Severity
    breaks_clients: bool
    needs_version_bump: bool
    layer: str
    summary: str
    findings: tuple[Finding, ...]

    @property
    def calls(self) -> int:
        """Distinct calls (scenario, call name) the cause was seen at."""
        return len({(f.scenario, f.call) for f in self.findings})

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.scenario for f in self.findings))

    @property
    def microversions(self) -> str:
        """The microversions it was seen at, as ranges (``"1.0-1.13, 1.20"``)."""
        return compress_versions(_sweep_version(f) for f in self.findings)

    @property
    def failing(self) -> bool:
        return self.breaks_clients or self.needs_version_bump

    def examples(self, n: int) -> tuple[Finding, ...]:
        """Up to ``n`` findings, one per distinct call first (``n < 0``: all)."""
        if n < 0:
            return self.findings
        seen: set[tuple[str, str]] = set()
        first: list[Finding] = []
        rest: list[Finding] = []
        for f in self.findings:
            (rest if (f.scenario, f.call) in seen else first).append(f)
            seen.add((f.scenario, f.call))
        return tuple([*first, *rest][:n])

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key, "kind": self.kind, "path": self.path, "a": self.a, "b": self.b,
            "rule": self.rule, "severity": self.severity.value,
            "breaks_clients": self.breaks_clients,
            "needs_version_bump": self.needs_version_bump, "layer": self.layer,
            "summary": self.summary, "calls": self.calls, "findings": len(self.findings),
            "scenarios": list(self.scenarios), "microversions": self.microversions,
        }


def cause_key(kind: str, path: str, a: str, b: str) -> str:
    """Stable id of a cause: 12 hex digits of its kind, path and pair of values."""
    text = "\x1f".join((kind, path, a, b))
    data = text.encode("utf-8", "surrogatepass")  # a hostile server's lone surrogates too
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]


def group_causes(findings: Iterable[Finding]) -> list[Cause]:
    """The causes behind ``findings``: failing ones first, then by layer and size."""
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.kind, f.path, f.a, f.b), []).append(f)
    causes = []
    for (kind, path, a, b), group in groups.items():
        first = group[0]
        causes.append(Cause(
            key=cause_key(kind, path, a, b), kind=kind, path=path, a=a, b=b, rule=first.rule,
            severity=first.severity, breaks_clients=first.breaks_clients,
            needs_version_bump=first.needs_version_bump, layer=layer_of(first),
            summary=first.summary, findings=tuple(group),
        ))
    causes.sort(key=lambda c: (not c.failing, _LAYER_ORDER.get(c.layer, 3),
                               _SEVERITY_ORDER.get(c.severity, 3), -len(c.findings),
                               c.kind, c.path))
    return causes

