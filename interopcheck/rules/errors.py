"""Error-format rules (``errors.rst``, ``errors-schema.json``): ERR001-ERR012."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from interopcheck.rules._schema import json_type, properties
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ErrorBody, Operation, Schema

ERR_CODE_RE = re.compile(r"^[a-z0-9._-]+$")
REQUIRED = ("code", "status", "title", "detail", "links")
TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+|\.py", line'
                       r"|Exception in thread")


def _errors_item(schema: Schema) -> Any:
    """The item schema if ``schema`` is an errors document ``{"errors": [...]}``."""
    value = schema.value
    if schema.node is None or ("errors" not in (value.get("properties") or {})
                               and "allOf" not in value):
        return None
    props = properties(schema.node)
    errs = props.get("errors")
    if errs is None or json_type(errs.value) != "array" or errs.get("items") is None:
        return None
    return errs.child("items").deref()


@rule("ERR001", level="MUST", guideline="errors",
      description="4xx/5xx bodies use the errors format {\"errors\": [...]}",
      given=Operation)
def err001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    for status, resp in op.responses.items():
        if status[:1] not in ("4", "5") or resp.schema is None:
            continue
        props = properties(resp.schema)
        errs = props.get("errors")
        if errs is None or json_type(errs.value) != "array":
            yield ctx.finding(f"{op.label} {status} body is not the errors format "
                              "(an object with an 'errors' array)", resp.schema)


@err001.also(ErrorBody)
def err001_live(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    b = body.body
    if not (isinstance(b, dict) and isinstance(b.get("errors"), list) and b["errors"]):
        legacy = isinstance(b, dict) and len(b) == 1 and isinstance(next(iter(b.values())), dict)
        kind = "legacy fault format" if legacy else "not the errors format"
        yield ctx.finding(f"{body.status} error body is {kind}", body)


@rule("ERR002", level="MUST", guideline="errors",
      description="Error objects have code, status, title, detail and links", given=Schema,
      when=("properties", "allOf"))  # _errors_item
def err002(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    item = _errors_item(schema)
    if item is None:
        return
    have = properties(item)
    missing = [f for f in REQUIRED if f not in have]
    if missing:
        yield ctx.finding(f"error object lacks {', '.join(missing)}", item)


@err002.also(ErrorBody)
def err002_live(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    errs = body.body.get("errors") if isinstance(body.body, dict) else None
    for i, err in enumerate(errs if isinstance(errs, list) else []):
        missing = [f for f in REQUIRED if not isinstance(err, dict) or f not in err]
        if missing:
            yield ctx.finding(f"errors[{i}] lacks {', '.join(missing)}", body, "errors", i)


@rule("ERR003", level="MUST", guideline="errors",
      description="errors[0].status equals the HTTP status", given=ErrorBody)
def err003(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    errs = body.body.get("errors") if isinstance(body.body, dict) else None
    if isinstance(errs, list) and errs and isinstance(errs[0], dict) and "status" in errs[0]:
        if errs[0]["status"] != body.status:
            yield ctx.finding(f"errors[0].status {errs[0]['status']!r} but the response is "
                              f"{body.status}", body, "errors", 0, "status")


@rule("ERR004", level="MUST", guideline="errors",
      description="Error codes match ^[a-z0-9._-]+$ (<service-type>.<error-code>)", given=Schema,
      when=("properties", "allOf"))
def err004(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    item = _errors_item(schema)
    code = properties(item).get("code") if item is not None else None
    if code is None:
        return
    values = list(code.value.get("enum") or [])
    values += [code.value["example"]] if "example" in code.value else []
    values += list(code.value.get("examples") or [])
    for v in values:
        if not isinstance(v, str) or not ERR_CODE_RE.match(v) or "." not in v:
            yield ctx.finding(f"error code {v!r} is not <service-type>.<error-code> in "
                              "[a-z0-9._-]", code)


@err004.also(ErrorBody)
def err004_live(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    errs = body.body.get("errors") if isinstance(body.body, dict) else None
    for i, err in enumerate(errs if isinstance(errs, list) else []):
        code = err.get("code") if isinstance(err, dict) else None
        if code is not None and (not isinstance(code, str) or not ERR_CODE_RE.match(code)):
            yield ctx.finding(f"errors[{i}].code {code!r} does not match ^[a-z0-9._-]+$",
                              body, "errors", i, "code")


@rule("ERR012", level="MUST", guideline="response-codes#5xx-codes",
      description="No stack traces in responses", given=ErrorBody)
def err012(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    text = body.body if isinstance(body.body, str) else repr(body.body)
    if TRACEBACK.search(text):
        yield ctx.finding(f"{body.status} response exposes a stack trace", body)


def _errors(body: ErrorBody) -> list[dict[str, Any]]:
    errs = body.body.get("errors") if isinstance(body.body, dict) else None
    return [e for e in errs if isinstance(e, dict)] if isinstance(errs, list) else []


@rule("ERR005", level="MUST", guideline="errors",
      description="request_id equals the X-OpenStack-Request-Id response header", given=ErrorBody)
def err005(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    header = (body.headers.get("x-openstack-request-id") or [None])[0]
    for i, err in enumerate(_errors(body)):
        if "request_id" in err and err["request_id"] != header:
            yield ctx.finding(f"errors[{i}].request_id {err['request_id']!r} differs from "
                              f"X-OpenStack-Request-Id {header!r}", body, "errors", i,
                              "request_id")


@rule("ERR006", level="MUST", guideline="errors",
      description="Each error's links include a rel=help link", given=ErrorBody)
def err006(ctx: RuleContext, body: ErrorBody) -> Iterator[Violation]:
    for i, err in enumerate(_errors(body)):
        links = err.get("links")
        if links is None:
            continue  # a missing 'links' is ERR002's finding
        ok = isinstance(links, list) and any(
            isinstance(link, dict) and link.get("rel") == "help"
            and isinstance(link.get("href"), str) for link in links)
        if not ok:
            yield ctx.finding(f"errors[{i}] has no links entry with rel 'help'", body,
                              "errors", i)


@err006.also(Schema, when=("properties", "allOf"))
def err006_static(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    item = _errors_item(schema)
    links = properties(item).get("links") if item is not None else None
    if links is None:
        return  # ERR002 reports the missing 'links'
    if not isinstance(links.value.get("minItems"), int) or links.value["minItems"] < 1:
        yield ctx.finding("error 'links' may be empty; it needs at least the rel=help link "
                          "(minItems: 1)", links)
