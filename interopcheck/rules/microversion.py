"""Microversion rules (``microversion_specification.rst``, ``headers.rst``): MV001-MV018."""

from __future__ import annotations

import re
from collections.abc import Iterator

from interopcheck.rules._schema import header_parameter, versioned_operation
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ErrorBody, Exchange, Operation, Parameter, Schema

MV_RE = re.compile(r"^([1-9]\d{0,8})\.([1-9]\d{0,8}|0)$")  # int() of 5,000 digits raises
LEGACY_HEADER = re.compile(r"(?i)^(x-)?openstack-[a-z0-9]+-api-version$")
GENERIC = "openstack-api-version"


def _versioned(op: Operation) -> bool:
    return versioned_operation(op)


def _declares(op: Operation, status: str) -> bool:
    return status in op.responses or f"{status[0]}XX" in op.responses or "default" in op.responses


@rule("MV001", level="MUST", guideline="microversion#version-discovery",
      description="Microversioned operations declare the OpenStack-API-Version request header",
      given=Operation, when=versioned_operation)
def mv001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if _versioned(op) and op.param(GENERIC, "header") is None:
        legacy = [p.name for p in op.parameters if p.where == "header"
                  and LEGACY_HEADER.match(p.name)]
        extra = f" (only the legacy {legacy[0]})" if legacy else ""
        yield ctx.finding(f"{op.label} does not declare the OpenStack-API-Version header"
                          f"{extra}", op)


@rule("MV006", level="MUST", guideline="microversion#client-interaction",
      description="Microversioned operations declare 406 for out-of-range versions",
      given=Operation, when=versioned_operation)
def mv006(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if _versioned(op) and not _declares(op, "406"):
        yield ctx.finding(f"{op.label} does not declare a 406 response (unsupported version)",
                          op, "responses")


@rule("MV008", level="MUST", guideline="microversion#client-interaction",
      description="Microversioned operations declare 400 for malformed versions", given=Operation,
      when=versioned_operation)
def mv008(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if _versioned(op) and not _declares(op, "400"):
        yield ctx.finding(f"{op.label} does not declare a 400 response (malformed version)",
                          op, "responses")


def _missing_response_header(ctx: RuleContext, op: Operation, header: str,
                             ) -> Iterator[Violation]:
    if not _versioned(op):
        return
    for status, resp in op.responses.items():
        if status.startswith("2") and header not in resp.headers:
            yield ctx.finding(f"{op.label} {status} does not declare the {header} response "
                              "header", resp)


@rule("MV010", level="MUST", guideline="microversion#version-discovery",
      description="Responses echo the executed version in OpenStack-API-Version",
      given=Operation, when=versioned_operation)
def mv010(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    yield from _missing_response_header(ctx, op, GENERIC)


@mv010.also(Exchange)
def mv010_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.status < 400 and not ex.headers.get(GENERIC):
        yield ctx.finding(f"{ex.method} {ex.url} -> {ex.status} has no OpenStack-API-Version "
                          "header", ex)


@rule("MV011", level="MUST", guideline="microversion#version-discovery",
      description="Responses carry Vary: OpenStack-API-Version", given=Operation,
      when=versioned_operation)
def mv011(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    yield from _missing_response_header(ctx, op, "vary")


@mv011.also(Exchange)
def mv011_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.status >= 400:
        return
    tokens = {t.strip().lower() for v in ex.headers.get("vary", []) for t in v.split(",")}
    if GENERIC not in tokens and "*" not in tokens:
        yield ctx.finding(f"{ex.method} {ex.url} -> {ex.status}: Vary does not name "
                          "OpenStack-API-Version", ex)


def _bad_bounds(ctx: RuleContext, target: Operation | Parameter | Schema,
                ) -> Iterator[Violation]:
    ext = target.value.get("x-openstack")
    if not isinstance(ext, dict):
        return
    bounds = {}
    for key in ("min-ver", "max-ver"):
        if key in ext:
            m = MV_RE.match(str(ext[key]))
            if not m:
                yield ctx.finding(f"x-openstack {key} {ext[key]!r} is not an X.Y microversion",
                                  target, "x-openstack", key)
            else:
                bounds[key] = (int(m.group(1)), int(m.group(2)))
    if len(bounds) == 2 and bounds["min-ver"] > bounds["max-ver"]:
        yield ctx.finding(f"x-openstack min-ver {ext['min-ver']} is above max-ver "
                          f"{ext['max-ver']}", target, "x-openstack")
    api = getattr(target, "api", None)
    if api is not None and api.max_version and bounds.get("min-ver", (0, 0)) > api.max_version:
        yield ctx.finding(f"x-openstack min-ver {ext['min-ver']} is above the API maximum "
                          f"{api.max_version[0]}.{api.max_version[1]}", target, "x-openstack")


@rule("MV013", level="MUST", guideline="microversion#versioning",
      description="Microversions are X.Y strings and version bounds are ordered",
      given=(Operation, Parameter, Schema), when=("x-openstack",))
def mv013(ctx: RuleContext, target: Operation | Parameter | Schema) -> Iterator[Violation]:
    yield from _bad_bounds(ctx, target)


@rule("MV018", level="SHOULD", guideline="headers",
      description="Use OpenStack-API-Version, not a per-service legacy version header",
      given=Parameter, when=header_parameter)
def mv018(ctx: RuleContext, p: Parameter) -> Iterator[Violation]:
    if p.where == "header" and LEGACY_HEADER.match(p.name):
        yield ctx.finding(f"legacy per-service version header {p.name}; use "
                          "OpenStack-API-Version: <service-type> X.Y", p)


CODENAMES = frozenset({"nova", "neutron", "cinder", "glance", "keystone", "ironic", "manila",
                       "heat", "swift", "octavia", "designate", "barbican", "trove", "zun"})


def _header_values(p: Parameter) -> list[str]:
    schema = p.value.get("schema") if isinstance(p.value.get("schema"), dict) else {}
    values: list[object] = [p.value.get("example"), schema.get("default"), schema.get("example")]
    values += list(schema.get("enum") or []) + list(schema.get("examples") or [])
    examples = p.value.get("examples")
    if isinstance(examples, dict):
        values += [e.get("value") for e in examples.values() if isinstance(e, dict)]
    return [v for v in values if isinstance(v, str)]


@rule("MV002", level="MUST", guideline="microversion#version-discovery",
      description="The version header names the service type, not the project codename",
      given=Parameter, when=header_parameter)
def mv002(ctx: RuleContext, p: Parameter) -> Iterator[Violation]:
    if p.where != "header" or p.name.lower() != GENERIC:
        return
    for value in _header_values(p):
        first = value.split()[0].lower() if value.split() else ""
        if first in CODENAMES:
            yield ctx.finding(f"OpenStack-API-Version value {value!r} names the project "
                              f"{first!r}; use the service type", p)
            return


@rule("MV003", level="MUST", guideline="microversion#client-interaction",
      description="Without the header the minimum version applies (a documented default is it)",
      given=Parameter, when=header_parameter)
def mv003(ctx: RuleContext, p: Parameter) -> Iterator[Violation]:
    if p.where != "header" or p.name.lower() != GENERIC:
        return
    schema = p.value.get("schema") if isinstance(p.value.get("schema"), dict) else {}
    default = schema.get("default")
    api = p.operation.api if p.operation is not None else None
    if not isinstance(default, str) or api is None or api.min_version is None:
        return
    version = default.split()[-1] if default.split() else ""
    m = MV_RE.match(version)
    if not m or (int(m.group(1)), int(m.group(2))) != api.min_version:
        lo = api.min_version
        yield ctx.finding(f"OpenStack-API-Version default {default!r} is not the minimum "
                          f"version {lo[0]}.{lo[1]}", p, "schema", "default")


@rule("MV007", level="MUST", guideline="microversion#version-discovery",
      description="The 406 error carries min_version and max_version", given=Operation,
      when=versioned_operation)
def mv007(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    resp = op.responses.get("406")
    if not _versioned(op) or resp is None or resp.schema is None:
        return
    from interopcheck.rules._schema import properties

    errs = properties(resp.schema).get("errors")
    items = errs.get("items") if errs is not None else None
    have = set(properties(items)) if items is not None else set()
    missing = [k for k in ("min_version", "max_version") if k not in have]
    if missing:
        yield ctx.finding(f"{op.label} 406 error object lacks {', '.join(missing)}",
                          resp.schema)


@mv007.also(ErrorBody)
def mv007_live(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    if body.status != 406:
        return
    errs = body.body.get("errors") if isinstance(body.body, dict) else None
    first = errs[0] if isinstance(errs, list) and errs and isinstance(errs[0], dict) else {}
    bad = [k for k in ("min_version", "max_version")
           if not isinstance(first.get(k), str) or not MV_RE.match(first[k])]
    if bad:
        yield ctx.finding(f"406 error lacks a valid {', '.join(bad)}", body, "errors", 0)
