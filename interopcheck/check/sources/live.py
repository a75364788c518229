"""Live targets: run a profile's calls against one cloud and turn the answers into targets.

Every compared call of every scenario (at each chosen microversion) is run through
the diff runner (:func:`interopcheck.runner.run_scenario`); each recorded exchange
becomes an :class:`~interopcheck.rules.targets.Exchange` target, plus an
:class:`~interopcheck.rules.targets.ErrorBody` for a 4xx/5xx. The discovery
document (fetched without a token) becomes a
:class:`~interopcheck.rules.targets.VersionDocument`. Each target's ``source`` is a
:class:`LiveSource` saying where the answer came from (scenario, call, version),
so a finding can name it and tolerant mode can judge it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from interopcheck.compare.exchange import Exchange as Recorded
from interopcheck.compare.exchange import parse_body
from interopcheck.microversion import Version
from interopcheck.profile.model import Profile, Scenario
from interopcheck.rules.targets import ErrorBody, Exchange, Target, VersionDocument
from interopcheck.runner import call
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import run_scenario

__all__ = ["LiveRun", "LiveSource", "collect", "discovery_target", "echo", "fetch",
           "targets_of"]


@dataclass(frozen=True, slots=True)
class LiveSource:
    """Where a live target came from: ``origin`` is ``scenario``, ``probe`` or ``discovery``."""

    origin: str
    label: str  # "scenario NAME call NAME" or the probe's name
    method: str
    url: str
    status: int
    microversion: str | None  # the version requested (None: no header sent)
    request_headers: tuple[tuple[str, str], ...] = ()
    served: str | None = None  # the version the response says it was served at

    @property
    def served_minor(self) -> tuple[int, int] | None:
        """``served`` as (major, minor), when it is a plain X.Y."""
        parts = (self.served or "").split()
        try:
            major, minor = parts[-1].split(".")
            return int(major), int(minor)
        except (IndexError, ValueError):
            return None

    def __str__(self) -> str:
        at = f" at {self.microversion}" if self.microversion else ""
        return f"{self.label}: {self.method} {self.url}{at} -> {self.status}"


@dataclass(slots=True)
class LiveRun:
    """What was collected from one cloud."""

    targets: list[Target] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    calls: int = 0


def _headers(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name.lower(), []).append(value)
    return out


def echo(recorded: Recorded, header: str) -> str | None:
    """The response's version header value (first one), if any."""
    for name, value in recorded.headers:
        if name == header.lower():
            return value
    return None


def _error_body_applies(recorded: Recorded) -> bool:
    """Whether the errors-format rules apply: a body is present, and the client accepted
    JSON (an error rendered as text/plain or HTML because the request asked for it is
    content negotiation, not a departure from the errors format)."""
    if recorded.body_format == "empty":
        return False
    if recorded.body_format == "json":
        return True
    accept = ",".join(v for k, v in recorded.request_headers if k == "accept").lower()
    return not accept or "json" in accept or "*/*" in accept


def targets_of(recorded: Recorded, source: LiveSource) -> Iterator[Target]:
    """The Exchange target of one recorded exchange, and its ErrorBody if it failed."""
    headers = _headers(recorded.headers)
    yield Exchange(method=recorded.method, url=recorded.url, status=recorded.status,
                   headers=headers, body=recorded.body, path_template=None,
                   microversion=source.microversion,
                   request_headers=_headers(recorded.request_headers), source=source)
    if recorded.status >= 400 and _error_body_applies(recorded):
        yield ErrorBody(status=recorded.status, body=recorded.body, headers=headers,
                        source=source)


def fetch(cloud: Cloud, profile: Profile, label: str, method: str, url: str, *,
          version: Version | None = None,
          headers: Sequence[tuple[str, str]] = (), auth: bool = True,
          origin: str = "probe") -> tuple[Recorded | None, LiveSource | None, Issue | None]:
    """Send one request exactly as given (repeated header lines allowed) and record it.

    ``version`` adds the profile's version header; ``headers`` are sent as they are
    (a probe sets its own version header values there).
    """
    sent: list[tuple[str, str]] = [(k.lower(), v) for k, v in profile.headers.items()]
    if auth and cloud.token:
        sent.append((profile.auth.header.lower(), cloud.token))
    if version is not None:
        sent.append((profile.version_header.lower(), profile.version_value(version)))
    sent.extend((k.lower(), v) for k, v in headers)
    # Streamed, within the size and time caps, scrubbed (interopcheck.runner.call).
    request = cloud.client().build_request(method, url, headers=sent)
    response, text, issue = call.receive(cloud, request, label, cloud.timeout)
    if issue is not None or response is None:
        return None, None, issue
    too_deep = call.json_problem(response.headers.get("content-type"), text)
    if too_deep:
        return None, None, Issue(cloud.name, "invalid-json", label,
                                 f"{method} {url} answered {response.status_code} with "
                                 f"{too_deep}; not checked",
                                 "the service or a proxy in front of it is broken")
    body_format, body = parse_body(response.headers.get("content-type"), text)
    recorded = Recorded.create(
        method=method, url=url,
        request_headers=[(k, v) for k, v in sent],
        status=response.status_code,
        headers=[(k, cloud.scrub(v)) for k, v in response.headers.multi_items()],
        body=body, body_format=body_format)
    asked = [v for k, v in sent if k == profile.version_header.lower()]
    source = LiveSource(origin, label, method, url, response.status_code,
                        ", ".join(asked) if asked else None,
                        tuple(recorded.request_headers),
                        echo(recorded, profile.version_header))
    return recorded, source, None


def discovery_target(cloud: Cloud, profile: Profile, *, auth: bool | None = None,
                     ) -> tuple[list[Target], Issue | None]:
    """The version document, fetched as the profile says (no token unless ``auth``)."""
    d = profile.discovery
    recorded, source, issue = fetch(cloud, profile, "version discovery", d.method, d.url,
                                    auth=d.auth if auth is None else auth, origin="discovery")
    if recorded is None or source is None:
        return [], issue
    out: list[Target] = list(targets_of(recorded, source))
    if recorded.status < 300:
        out.append(VersionDocument(url=recorded.url, body=recorded.body,
                                   headers=_headers(recorded.headers), source=source))
    return out, None


def collect(profile: Profile, cloud: Cloud, jobs: Sequence[tuple[Scenario, Version]],
            latest: Version, *, discovery: bool = True) -> LiveRun:
    """Run each (scenario, version) job on ``cloud``; every compared call becomes targets."""
    run = LiveRun()
    if discovery:
        found, issue = discovery_target(cloud, profile)
        run.targets.extend(found)
        if issue is not None:
            run.issues.append(issue)
    for scenario, version in jobs:
        if cloud.down:
            break
        result = run_scenario(profile, scenario, version, latest, cloud)
        run.issues.extend(result.issues)
        for record in result.calls:
            if record.exchange is None:
                continue
            run.calls += 1
            sent = record.step.microversion(version, latest)
            source = LiveSource(
                "scenario", f"scenario {scenario.name} call {record.step.name!r}",
                record.exchange.method, record.exchange.url, record.exchange.status,
                str(sent) if sent is not None else None,
                tuple(record.exchange.request_headers),
                echo(record.exchange, profile.version_header))
            run.targets.extend(targets_of(record.exchange, source))
    return run
