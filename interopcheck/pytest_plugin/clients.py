"""For people writing their own interop tests: both clouds' clients, and a comparison.

``interop_clients`` (a session fixture) is an :class:`InteropClients`: ``.a`` and ``.b``
are ``httpx.Client`` objects on cloud A and B that send the token and, once pinned, the
microversion header::

    def test_show(interop_clients, interop_compare):
        with interop_clients.pinned("1.20") as c:
            ra, rb = c.request("GET", "/resource_providers")
        interop_compare(ra, rb)

``interop_compare(resp_a, resp_b)`` compares two ``httpx.Response`` objects with the
project's structural comparison (:func:`interopcheck.compare.compare`), classifies every
difference (:func:`interopcheck.findings.classify`) and fails the test with the findings
as the terminal report shows them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from interopcheck.compare.exchange import Exchange, parse_body
from interopcheck.compare.structural import CompareOptions, compare
from interopcheck.diff import DEFAULT_IGNORED_HEADERS
from interopcheck.findings import Finding, classify
from interopcheck.ignores import ignored
from interopcheck.microversion import Version, VersionError, parse
from interopcheck.profile.loader import parse_ignore
from interopcheck.profile.model import IgnoreRule, Profile
from interopcheck.render._common import finding_lines, plural

if TYPE_CHECKING:
    from interopcheck.runner.clouds import Cloud
    from interopcheck.runner.run import Clouds

__all__ = ["InteropClients", "InteropCompare", "exchange_of"]


class InteropClients:
    """Cloud A's and cloud B's clients, with the token and an optional pinned microversion."""

    def __init__(self, profile: Profile, url_a: str, url_b: str, token_a: str | None,
                 token_b: str | None, timeout: float = 30.0,
                 common: tuple[Version, Version] | None = None,
                 clouds: Clouds | None = None) -> None:
        self.profile = profile
        #: Clouds of clouds.yaml (--interop-os-cloud-a/-b): their Keystone auth and TLS.
        self._clouds = clouds
        if clouds is not None:
            token_a, token_b = clouds.a.token, clouds.b.token
        self.a = self._client(url_a, token_a, timeout, clouds.a if clouds else None)
        self.b = self._client(url_b, token_b, timeout, clouds.b if clouds else None)
        self._tokens = {"A": token_a, "B": token_b}
        self._common = common
        self.version: Version | None = None

    def _client(self, url: str, token: str | None, timeout: float,
                cloud: Cloud | None = None) -> httpx.Client:
        headers = dict(self.profile.headers)
        if token:
            headers[self.profile.auth.header] = token
        if cloud is not None:  # Keystone's token put in for the marker, the cloud's TLS
            headers.update(cloud.headers)
            return httpx.Client(base_url=url, headers=headers, timeout=timeout,
                                follow_redirects=False, auth=cloud.auth, verify=cloud.verify)
        return httpx.Client(base_url=url, headers=headers, timeout=timeout,
                            follow_redirects=False)

    @property
    def common(self) -> tuple[Version, Version]:
        """The versions both clouds serve (discovered on first use)."""
        if self._common is None:
            from interopcheck.runner.clouds import Cloud
            from interopcheck.runner.discovery import common_range, discover

            infos = []
            for name, client in (("A", self.a), ("B", self.b)):
                named = None
                if self._clouds is not None:
                    named = self._clouds.a if name == "A" else self._clouds.b
                cloud = named or Cloud(name=name, base_url=str(client.base_url),
                                       token=self._tokens[name])
                try:
                    info, issue = discover(self.profile, cloud)
                finally:
                    if named is None:
                        cloud.close()
                if info is None:
                    raise RuntimeError(issue.problem().line() if issue else "no versions")
                infos.append(info)
            found = common_range(infos[0], infos[1])
            if found is None:
                raise RuntimeError("clouds A and B share no microversion")
            self._common = found
        return self._common

    def resolve(self, version: str | Version) -> Version:
        """``"1.20"``, ``Version``, or ``latest-common`` / ``latest`` (the common top)."""
        if isinstance(version, Version):
            return version
        if version.strip() in ("latest-common", "latest"):
            return self.common[1]
        return parse(version)

    def pin(self, version: str | Version | None) -> InteropClients:
        """Send this microversion on both clients from now on (None: send no version)."""
        header = self.profile.version_header
        for client in (self.a, self.b):
            client.headers.pop(header, None)
        self.version = None if version is None else self.resolve(version)
        if self.version is not None:
            value = self.profile.version_value(self.version)
            for client in (self.a, self.b):
                client.headers[header] = value
        return self

    @contextmanager
    def pinned(self, version: str | Version | None) -> Iterator[InteropClients]:
        """Pin ``version`` for the ``with`` block, then restore the previous pin."""
        previous = self.version
        self.pin(version)
        try:
            yield self
        finally:
            self.pin(previous)

    def request(self, method: str, url: str, **kwargs: Any,
                ) -> tuple[httpx.Response, httpx.Response]:
        """The same request on A and on B."""
        return self.a.request(method, url, **kwargs), self.b.request(method, url, **kwargs)

    def close(self) -> None:
        self.a.close()
        self.b.close()


def exchange_of(response: httpx.Response) -> Exchange:
    """An ``httpx.Response`` (and its request) as an :class:`Exchange` (secrets redacted)."""
    request = response.request
    body_format, body = parse_body(response.headers.get("content-type"), response.text)
    request_body: Any = None
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = b""
    if content:
        _fmt, request_body = parse_body(request.headers.get("content-type"),
                                        content.decode("utf-8", "replace"))
    return Exchange.create(
        method=request.method, url=request.url.raw_path.decode("ascii", "replace"),
        request_headers=request.headers.multi_items(), status=response.status_code,
        headers=response.headers.multi_items(), body=body, body_format=body_format,
        request_body=request_body)


class InteropCompare:
    """``compare(resp_a, resp_b)``: fail the test with the findings, or return ``[]``."""

    def __init__(self, profile: Profile | None = None,
                 ignores: Iterable[IgnoreRule] = ()) -> None:
        self.profile = profile
        self.ignores = tuple(ignores)
        extra = profile.ignore_headers if profile is not None else frozenset()
        self.options = CompareOptions(ignored_headers=DEFAULT_IGNORED_HEADERS | extra)

    def _version(self, exchange: Exchange) -> Version | None:
        header = self.profile.version_header if self.profile else "openstack-api-version"
        value = exchange.request_header(header)
        if not value:
            return None
        try:
            return parse(value.split()[-1])
        except VersionError:
            return None

    def findings(self, resp_a: httpx.Response, resp_b: httpx.Response, *,
                 ignore: Iterable[str] = (), name: str = "", call: str = "") -> list[Finding]:
        """The classified differences between the two responses (after the ignore rules)."""
        a, b = exchange_of(resp_a), exchange_of(resp_b)
        rules = [*self.ignores, *(self.profile.ignore if self.profile else ()),
                 *(parse_ignore(expr, origin="interop_compare") for expr in ignore)]
        version = self._version(a)
        call = call or f"{a.method} {a.url}"
        out: list[Finding] = []
        for d in compare(a, b, self.options):
            if ignored(rules, scenario=name, call=call, version=version, kind=d.kind,
                       path=d.path) is not None:
                continue
            verdict = classify(d.kind, d.path, d.a, d.b)
            out.append(Finding(
                scenario=name, call=call, method=a.method, url=a.url,
                microversion=str(version) if version else "none", kind=d.kind, path=d.path,
                a=d.a, b=d.b, rule=verdict.rule, breaks_clients=verdict.breaks_clients,
                needs_version_bump=verdict.needs_version_bump, severity=verdict.severity,
                summary=verdict.summary,
                extra={"response_a": json.dumps(a.to_dict()["response"], default=str),
                       "response_b": json.dumps(b.to_dict()["response"], default=str)}))
        return out

    def __call__(self, resp_a: httpx.Response, resp_b: httpx.Response, *,
                 ignore: Iterable[str] = (), name: str = "", call: str = "") -> list[Finding]:
        found = self.findings(resp_a, resp_b, ignore=ignore, name=name, call=call)
        if found:
            pytest.fail(format_findings(found), pytrace=False)
        return found


def format_findings(findings: list[Finding]) -> str:
    """Findings as the terminal report shows them, grouped by call."""
    first = findings[0]
    lines = [f"interop_compare: {plural(len(findings), 'finding')} between A and B: "
             f"{first.kind} at {first.path}"]
    last: tuple[str, str] | None = None
    for f in findings:
        if (f.call, f.microversion) != last:
            last = (f.call, f.microversion)
            request = f"{f.method} {f.url}"
            label = request if f.call == request else f"{f.call}: {request}"
            lines.append(f"  {label} @ {f.microversion}")
        lines += [f"    {line}" for line in finding_lines(f)]
    return "\n".join(lines)
