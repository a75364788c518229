"""Microversion negotiation probes (catalog MV003-MV012, VD002).

Each probe is one request to a cheap URL (the profile's discovery URL unless told
otherwise) with a chosen ``OpenStack-API-Version`` value, and an expectation:
no header -> the minimum; another service's header -> the minimum; min/max -> echoed
exactly; ``latest`` -> the maximum, as a concrete X.Y; out of range -> 406 whose error
carries ``min_version``/``max_version``; malformed -> 400 in the errors format; the
executed version echoed and ``Vary: OpenStack-API-Version`` on every answer; several
services in one header, or on two header lines -> ours is used.

A violation the guideline's regex calls one but which real microversion-parse based
services (Placement) show by design carries a *departure* key
(:data:`interopcheck.check.tolerance.DEPARTURES`): it fails strict mode, and tolerant
mode accepts it. Every probe exchange is also handed to the rule catalog (errors
format, echo and Vary on 2xx, ...), like the scenario calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from interopcheck.check.sources.live import LiveSource, fetch, targets_of
from interopcheck.findings import Severity
from interopcheck.microversion import Version
from interopcheck.profile.model import Profile
from interopcheck.rules.registry import REGISTRY, Violation
from interopcheck.rules.targets import Target
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud

__all__ = ["ProbeRun", "run_probes"]

MV_RE = re.compile(r"^([1-9]\d{0,8})\.([1-9]\d{0,8}|0)$")  # int() of 5,000 digits raises
#: Malformed version strings every implementation must answer 400 (catalog MV008).
MALFORMED = ("1.2.3", "abc", "1", "1.", ".1", "LATEST", "pony.horse")
#: Malformed by the guideline's regex, but accepted or answered 406 by microversion-parse.
STRICT_ONLY = {"0.9": "mvparse-major-zero", "1.01": "mvparse-leading-zero"}
#: Catalog levels of the rules the probes check (used when the catalog lacks the id).
_LEVELS = {"MV002": "MUST", "MV003": "MUST", "MV004": "MUST", "MV005": "MUST", "MV006": "MUST",
           "MV007": "MUST", "MV008": "MUST", "MV009": "MUST", "MV010": "MUST",
           "MV011": "MUST", "MV012": "MUST", "VD002": "MUST"}
#: What each probe checks (the catalog's rule text for the live half).
DESCRIPTIONS = {
    "MV002": "The echoed version names the service type",
    "MV003": "No version header means the minimum version",
    "MV004": "Another service's version header means the minimum version",
    "MV005": "An in-range version is served exactly",
    "MV006": "A well-formed out-of-range version gets 406",
    "MV007": "The 406 error carries min_version and max_version (the discovery range)",
    "MV008": "A malformed version string gets 400 in the errors format",
    "MV009": "latest means the maximum, echoed as a concrete X.Y",
    "MV010": "Every response echoes the executed version in OpenStack-API-Version",
    "MV011": "Every response carries Vary: OpenStack-API-Version",
    "MV012": "Several services in one header, or on several lines: ours is used",
    "VD002": "Version discovery needs no token",
}
_SEVERITY = {"MUST": Severity.ERROR, "SHOULD": Severity.WARNING, "MAY": Severity.INFO,
             "INFO": Severity.INFO}


@dataclass(slots=True)
class ProbeRun:
    targets: list[Target] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    count: int = 0


def severity_of(rule_id: str) -> Severity:
    if rule_id in REGISTRY:
        return REGISTRY.get(rule_id).severity
    return _SEVERITY[_LEVELS.get(rule_id, "MUST")]


def violation(rule_id: str, message: str, source: LiveSource | None,
              departure: str | None = None) -> Violation:
    extra = {"departure": departure} if departure else {}
    return Violation(rule_id, severity_of(rule_id), message, "", source, extra=extra)


def _tokens(values: list[str]) -> set[str]:
    return {t.strip().lower() for v in values for t in v.split(",")}


class _Prober:
    def __init__(self, profile: Profile, cloud: Cloud, low: Version, high: Version,
                 url: str) -> None:
        self.profile, self.cloud, self.low, self.high, self.url = profile, cloud, low, high, url
        self.svc = profile.service_type
        self.header = profile.version_header.lower()
        self.out = ProbeRun()

    # -- one request --------------------------------------------------------

    def send(self, label: str, *values: str, url: str | None = None,
             ) -> tuple[int, dict[str, list[str]], object, LiveSource] | None:
        recorded, source, issue = fetch(
            self.cloud, self.profile, f"probe {label}", "GET", url or self.url,
            headers=[(self.header, v) for v in values], auth=True)
        self.out.count += 1
        if recorded is None or source is None:
            if issue is not None:
                self.out.issues.append(issue)
            return None
        self.out.targets.extend(targets_of(recorded, source))
        headers: dict[str, list[str]] = {}
        for name, value in recorded.headers:
            headers.setdefault(name, []).append(value)
        return recorded.status, headers, recorded.body, source

    def add(self, rule_id: str, message: str, source: LiveSource | None,
            departure: str | None = None) -> None:
        self.out.violations.append(violation(rule_id, message, source, departure))

    def echoed(self, headers: dict[str, list[str]]) -> tuple[str | None, Version | None]:
        """(raw echo, parsed version) of the response's version header."""
        raw = headers.get(self.header, [None])[0]
        if raw is None:
            return None, None
        parts = raw.split()
        if len(parts) == 2 and MV_RE.match(parts[1]):
            major, minor = parts[1].split(".")
            return raw, Version(int(major), int(minor))
        return raw, None

    def check_echo(self, label: str, headers: dict[str, list[str]], source: LiveSource,
                   expected: Version | None, rule_id: str, what: str) -> None:
        raw, got = self.echoed(headers)
        if raw is None:
            self.add("MV010", f"{label}: no {self.profile.version_header} response header",
                     source)
            return
        parts = raw.split()
        if got is None:
            self.add("MV010", f"{label}: {self.profile.version_header} {raw!r} is not "
                     f"'<service-type> X.Y'", source)
            return
        if parts[0].lower() != self.svc.lower():
            self.add("MV002", f"{label}: the echo names {parts[0]!r}, not the service type "
                     f"{self.svc!r}", source)
        if expected is not None and got != expected:
            self.add(rule_id, f"{label}: served {got}, expected {expected} ({what})", source)

    def check_error_headers(self, label: str, status: int, headers: dict[str, list[str]],
                            source: LiveSource, departure_echo: str | None,
                            departure_vary: str | None) -> None:
        """Strict: the guideline says the echo and Vary are 'always returned'."""
        if headers.get(self.header) is None:
            self.add("MV010", f"the {status} to {label} has no {self.profile.version_header} "
                     "header (the guideline says it is always returned)", source,
                     departure_echo)
        if self.header not in _tokens(headers.get("vary", [])) and "*" not in _tokens(
                headers.get("vary", [])):
            self.add("MV011", f"the {status} to {label} has no Vary: "
                     f"{self.profile.version_header}", source, departure_vary)

    # -- the probes -----------------------------------------------------------

    def run(self) -> ProbeRun:
        low, high, svc = self.low, self.high, self.svc
        # MV003: no header -> minimum
        got = self.send("no version header")
        if got:
            status, headers, _body, src = got
            if 200 <= status < 300:
                self.check_echo("no version header", headers, src, low, "MV003",
                                "no header means the minimum")
            else:
                self.add("MV003", f"no version header: answered {status}, expected 2xx at the "
                         "minimum", src)
        # MV004: another service's header -> minimum
        other = "identity 3.0" if svc.lower() != "identity" else "compute 2.1"
        got = self.send("another service's header", other)
        if got:
            status, headers, _body, src = got
            if 200 <= status < 300:
                self.check_echo(f"header {other!r}", headers, src, low, "MV004",
                                "another service's version is ignored")
            else:
                self.add("MV004", f"header {other!r}: answered {status}, expected 2xx at "
                         "the minimum", src)
        # MV005: min and max honoured exactly; MV009: latest -> max
        for label, value, expected, rule_id in (
                ("minimum", f"{svc} {low}", low, "MV005"),
                ("maximum", f"{svc} {high}", high, "MV005"),
                ("latest", f"{svc} latest", high, "MV009")):
            got = self.send(label, value)
            if not got:
                continue
            status, headers, _body, src = got
            if not 200 <= status < 300:
                self.add(rule_id, f"{value!r}: answered {status}, expected 2xx", src)
                continue
            self.check_echo(repr(value), headers, src, expected, rule_id,
                            "latest is the maximum" if rule_id == "MV009" else "as requested")
        # MV006/MV007: out of range -> 406 with the range
        out_of_range = [Version(high.major, high.minor + 1), Version(high.major + 1, 0)]
        if low.minor > 0:
            out_of_range.append(Version(low.major, low.minor - 1))
        for version in out_of_range:
            self.out_of_range(f"{svc} {version}")
        # MV008: malformed -> 400
        for text in MALFORMED:
            self.malformed(f"{svc} {text}", None)
        for text, departure in STRICT_ONLY.items():
            self.malformed(f"{svc} {text}", departure)
        # MV012: several services in one header, or on two header lines
        middle = Version(low.major, min(low.minor + 1, high.minor))
        for label, values in (
                ("comma-joined header", (f"{other}, {svc} {middle}",)),
                ("two header lines", (other, f"{svc} {middle}"))):
            got = self.send(label, *values)
            if not got:
                continue
            status, headers, _body, src = got
            if not 200 <= status < 300:
                self.add("MV012", f"{label} {values!r}: answered {status}, expected 2xx", src)
                continue
            self.check_echo(f"{label} {values!r}", headers, src, middle, "MV012",
                            "the service's own entry is used")
        # MV010/MV011 on an error raised outside the handlers (unknown path)
        missing = self.url.rstrip("/") + "/interopcheck-no-such-resource"
        got = self.send("unknown path", f"{svc} {high}", url=missing)
        if got:
            status, headers, _body, src = got
            if status >= 400:
                self.check_error_headers("an unknown path", status, headers, src,
                                         None, "mvparse-no-vary-on-errors")
        return self.out

    def out_of_range(self, value: str) -> None:
        got = self.send(f"out of range {value!r}", value)
        if not got:
            return
        status, headers, body, src = got
        if status != 406:
            self.add("MV006", f"{value!r} (out of range): answered {status}, expected 406", src)
            return
        errs = body.get("errors") if isinstance(body, dict) else None
        err = errs[0] if isinstance(errs, list) and errs and isinstance(errs[0], dict) else None
        if err is None:
            self.add("MV007", f"{value!r}: the 406 body is not the errors format", src)
        else:
            for key, want in (("min_version", self.low), ("max_version", self.high)):
                if str(err.get(key)) != str(want):
                    self.add("MV007", f"{value!r}: the 406 error's {key} is "
                             f"{err.get(key)!r}, expected {str(want)!r}", src)
        self.check_error_headers("an out-of-range version", status, headers, src,
                                 "mvparse-no-echo-on-own-errors", "mvparse-no-vary-on-errors")

    def malformed(self, value: str, departure: str | None) -> None:
        got = self.send(f"malformed {value!r}", value)
        if not got:
            return
        status, headers, body, src = got
        if status == 400:
            if not (isinstance(body, dict) and isinstance(body.get("errors"), list)):
                self.add("MV008", f"{value!r}: the 400 body is not the errors format", src)
            self.check_error_headers("a malformed version", status, headers, src,
                                     "mvparse-no-echo-on-own-errors",
                                     "mvparse-no-vary-on-errors")
            return
        served, _ = self.echoed(headers)
        how = f"served at {served.split()[-1]}" if served and status < 300 else ""
        self.add("MV008", f"{value!r} (malformed by the guideline's X.Y rule): answered "
                 f"{status}{' ' + how if how else ''}, expected 400", src, departure)


def run_probes(profile: Profile, cloud: Cloud, low: Version, high: Version,
               url: str | None = None) -> ProbeRun:
    """Run every negotiation probe against ``url`` (default: the discovery URL)."""
    return _Prober(profile, cloud, low, high, url or profile.discovery.url).run()


def discovery_unauthenticated(profile: Profile, status: int | None,
                              source: LiveSource | None) -> Iterator[Violation]:
    """VD002: the discovery document is readable without a token."""
    if status is not None and not 200 <= status < 300:
        yield violation("VD002", f"version discovery without a token answered {status}",
                        source)
