"""Header naming rules (``headers.rst``, ``terms.rst``): HDR001, HDR004."""

from __future__ import annotations

import re
from collections.abc import Iterator

from interopcheck.rules._schema import header_parameter
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Operation, Parameter

ESTABLISHED_X = frozenset(h.lower() for h in (
    "X-Auth-Token", "X-Subject-Token", "X-Service-Token", "X-OpenStack-Request-Id",
    "X-Compute-Request-Id", "X-OpenStack-Nova-API-Version", "X-Openstack-Ironic-API-Version",
    "X-OpenStack-Manila-API-Version", "X-Auth-User", "X-Auth-Key", "X-Roles", "X-Project-Id",
    "X-Forwarded-For", "X-Forwarded-Proto", "X-Requested-With", "X-Frame-Options",
    "X-Content-Type-Options", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
))
CODENAMES = re.compile(r"(?i)(^|-)(nova|neutron|cinder|glance|keystone|ironic|manila|heat|swift|"
                       r"octavia|designate|barbican)(-|$)")


@rule("HDR001", level="SHOULD", guideline="headers",
      description="New headers do not use the X- prefix", given=(Parameter, Operation),
      when={Parameter: header_parameter})
def hdr001(ctx: RuleContext, target: Parameter | Operation) -> Iterator[Violation]:
    if isinstance(target, Parameter):
        if target.where == "header" and target.name.lower().startswith("x-") \
                and target.name.lower() not in ESTABLISHED_X:
            yield ctx.finding(f"header {target.name} uses the X- prefix (RFC 6648)", target)
        return
    for status, resp in target.responses.items():
        for name in resp.headers:
            if name.startswith("x-") and name not in ESTABLISHED_X:
                yield ctx.finding(f"response header {name} ({target.label} {status}) uses the "
                                  "X- prefix (RFC 6648)", resp, "headers", name)


@rule("HDR004", level="SHOULD", guideline="terms",
      description="Headers name the service type, not the project codename",
      given=Parameter, when=header_parameter)
def hdr004(ctx: RuleContext, p: Parameter) -> Iterator[Violation]:
    if p.where == "header" and CODENAMES.search(p.name):
        yield ctx.finding(f"header {p.name} names a project codename; use the service type",
                          p)


STANDARD = frozenset({
    "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "age",
    "allow", "authorization", "cache-control", "connection", "content-disposition",
    "content-encoding", "content-language", "content-length", "content-location",
    "content-range", "content-type", "cookie", "date", "etag", "expect", "expires", "forwarded",
    "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
    "last-modified", "link", "location", "origin", "pragma", "prefer", "preference-applied",
    "range", "referer", "retry-after", "server", "set-cookie", "te", "trailer",
    "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning", "www-authenticate",
    "sunset", "deprecation", "access-control-allow-origin", "access-control-expose-headers",
    "strict-transport-security", "content-security-policy",
})


def _custom(name: str) -> bool:
    low = name.lower()
    return low not in STANDARD and not low.startswith(("x-", "openstack-"))


@rule("HDR002", level="SHOULD", guideline="headers",
      description="Custom headers are namespaced OpenStack-<ServiceType>-...",
      given=(Parameter, Operation), when={Parameter: header_parameter})
def hdr002(ctx: RuleContext, target: Parameter | Operation) -> Iterator[Violation]:
    if isinstance(target, Parameter):
        if target.where == "header" and _custom(target.name):
            yield ctx.finding(f"custom header {target.name} is not namespaced "
                              "(OpenStack-<ServiceType>-...)", target)
        return
    for status, resp in target.responses.items():
        for name in resp.headers:
            if _custom(name):
                yield ctx.finding(f"custom response header {name} ({target.label} {status}) is "
                                  "not namespaced (OpenStack-<ServiceType>-...)", resp,
                                  "headers", name)


_SERVICE_TOKEN = re.compile(r"(?i)^((?:x-)?openstack-)([a-z0-9]+)(-.+)$")


@rule("HDR003", level="SHOULD", guideline="headers",
      description="Generic header names; the service goes in the value, not the name",
      given=ApiDocument)
def hdr003(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    shapes: dict[str, dict[str, Parameter]] = {}
    for op in api.operations:
        for p in op.parameters:
            m = _SERVICE_TOKEN.match(p.name) if p.where == "header" else None
            if m and m.group(2).lower() != "api":
                key = (m.group(1) + "*" + m.group(3)).lower()
                shapes.setdefault(key, {}).setdefault(m.group(2).lower(), p)
    for key, by_token in sorted(shapes.items()):
        if len(by_token) > 1:
            first = next(iter(by_token.values()))
            yield ctx.finding(f"headers {', '.join(p.name for p in by_token.values())} differ "
                              f"only by a service token ({key}); use one generic header", first)
