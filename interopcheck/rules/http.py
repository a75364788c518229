"""HTTP method, status-code, caching and ETag rules (``http/*.rst``, ``etags.rst``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from interopcheck.findings import Severity
from interopcheck.rules._schema import (
    delete_operation,
    get_operation,
    is_collection_path,
    json_type,
    post_operation,
    properties,
    put_or_patch_operation,
    segments,
)
from interopcheck.rules.actions import action_style
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Exchange, Node, Operation

BODYLESS = ("get", "delete", "head", "options", "trace")
ACTION_VERBS = re.compile(r"(?i)(^|[_\-/:\s])(start|stop|reboot|delete|create|reset|remove|"
                          r"update|set|add|enable|disable|resize|migrate|rebuild|shutdown|"
                          r"suspend|resume|pause|unpause|lock|unlock|destroy|kill)([_\-/:\s]|$)")
FREE_FORM = frozenset({"metadata", "extra_specs", "properties", "tags", "capabilities"})


@rule("HTTP002", level="SHOULD", guideline="methods",
      description="GET, DELETE, HEAD, OPTIONS and TRACE take no request body", given=Operation,
      when=("requestBody",))
def http002(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method in BODYLESS and "requestBody" in op.value:
        yield ctx.finding(f"{op.label} declares a request body", op, "requestBody")


@rule("HTTP003", level="MUST", guideline="methods",
      description="GET is safe: it never performs an action", given=Operation,
      when=get_operation)
def http003(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method != "get":
        return
    for field in ("operationId", "summary"):
        text = op.value.get(field)
        if not isinstance(text, str):
            continue
        m = ACTION_VERBS.search(text.replace(op.path, ""))
        if m:
            yield ctx.finding(f"GET {op.path} {field} {text!r} reads like an action "
                              f"({m.group(2)!r}); GET must not change state", op, field)
            return


@rule("HTTP004", level="SHOULD", guideline="methods",
      description="A path offering HEAD also offers GET", given=ApiDocument)
def http004(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    methods: dict[str, set[str]] = {}
    heads: dict[str, Operation] = {}
    for op in api.operations:
        methods.setdefault(op.path, set()).add(op.method)
        if op.method == "head":
            heads[op.path] = op
    for path, op in heads.items():
        if "get" not in methods[path]:
            yield ctx.finding(f"HEAD {path} has no GET on the same path", op)


@rule("HTTP005", level="SHOULD", guideline="methods",
      description="Create with POST on the collection, or PUT on the final URI", given=Operation)
def http005(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if "201" not in op.responses:
        return
    last = (segments(op.path) or [""])[-1]
    if op.method == "post" and last.startswith("{"):
        yield ctx.finding(f"POST {op.path} creates (201) at a member URI; POST to the "
                          "collection, or PUT to the final URI", op, "responses", "201")
    elif op.method == "put" and is_collection_path(op) and not last.startswith("{"):
        if len(segments(op.path)) > 0 and not _has_param(op.path):
            yield ctx.finding(f"PUT {op.path} creates (201) on a collection URI", op,
                              "responses", "201")


def _has_param(path: str) -> bool:
    return "{" in path


@rule("HTTP007", level="MUST", guideline="response-codes#2xx-success-codes",
      description="201 Created carries a Location header", given=Operation)
def http007(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    resp = op.responses.get("201")
    if resp is not None and "location" not in resp.headers:
        yield ctx.finding(f"{op.label} 201 does not declare a Location header", resp)


@http007.also(Exchange)
def http007_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.status == 201 and not ex.headers.get("location"):
        yield ctx.finding(f"{ex.method} {ex.url} -> 201 without Location", ex)


@rule("HTTP008", level="MUST", guideline="response-codes#2xx-success-codes",
      description="202 Accepted carries a Location to poll (async create, long-running action)",
      given=Operation)
def http008(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    # The catalog scopes this to asynchronous creates: a POST to a collection. Actions
    # (``/action``, ``/accept``, ``/os-x/{id}/restore``) and PUT/PATCH updates are not creates.
    resp = op.responses.get("202")
    if resp is not None and is_create(op) and "location" not in resp.headers:
        yield ctx.finding(f"{op.label} 202 does not declare a Location header giving the URI "
                          "to poll", resp)


#: Literal last segments that name a verb (an action), not a collection to create in.
ACTION_SEGMENTS = frozenset({"action", "accept", "restore", "cleanup", "failover", "associate",
                             "disassociate", "disassociate_all", "delete_keys", "import_record",
                             "export_record", "create_from_src", "reset_status", "update",
                             "delete", "config", "sync_instances", "migrate", "evacuate"})
_VERB_PREFIX = re.compile(r"^(add|remove|set|unset|reset|get|create|delete|update|cache)[_-]")


def is_create(op: Operation) -> bool:
    """A POST whose last segment is a collection (literal, not an action verb)."""
    segs = [s for s in op.path.split("/") if s]
    if op.method != "post" or not segs or segs[-1].startswith("{"):
        return False
    last = segs[-1]
    return last not in ACTION_SEGMENTS and not _VERB_PREFIX.match(last)


@rule("HTTP009", level="MUST", guideline="response-codes#2xx-success-codes",
      description="A synchronous DELETE succeeds with 204 No Content", given=Operation,
      when=delete_operation)
def http009(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method != "delete":
        return
    codes = op.success_codes()
    if codes and "204" not in codes:
        if codes == ["202"]:  # catalog: an asynchronous delete is not covered -> INFO
            yield ctx.finding(f"{op.label} is asynchronous (202); the guideline only defines "
                              "204 for DELETE", op, "responses", "202",
                              severity=Severity.INFO)
        else:
            yield ctx.finding(f"DELETE {op.path} succeeds with {', '.join(codes)}, not 204",
                              op, "responses")


@rule("HTTP010", level="SHOULD", guideline="response-codes#2xx-success-codes",
      description="Reads and updates succeed with 200 OK", given=Operation)
def http010(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    codes = op.success_codes()
    if not codes or "200" in codes:
        return
    if op.method == "get":
        yield ctx.finding(f"GET {op.path} succeeds with {', '.join(codes)}, not 200", op,
                          "responses")
    elif op.method in ("put", "patch") and codes == ["204"]:
        yield ctx.finding(f"{op.label} update succeeds with 204, not 200", op, "responses")


@http009.also(Exchange)
def http009_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.method.upper() != "DELETE" or not 200 <= ex.status < 300:
        return
    if ex.status == 202:
        yield ctx.finding(f"DELETE {ex.url} answered 202 (asynchronous); the guideline only "
                          "defines 204 for DELETE", ex, severity=Severity.INFO)
    elif ex.status != 204:
        yield ctx.finding(f"DELETE {ex.url} answered {ex.status}, not 204", ex)
    elif ex.body not in (None, "", b""):
        yield ctx.finding(f"DELETE {ex.url} answered 204 with a body", ex)


@http010.also(Exchange)
def http010_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    method = ex.method.upper()
    if method == "GET" and 200 < ex.status < 300:
        yield ctx.finding(f"GET {ex.url} answered {ex.status}, not 200", ex)
    elif method in ("PUT", "PATCH") and ex.status == 204:
        yield ctx.finding(f"{method} {ex.url} answered 204, not 200", ex)


def _forbidden_status(status: str, why: str, rule_id: str) -> None:
    @rule(rule_id, level="MUST", guideline="response-codes", given=Operation,
          description=f"Never declare {status}: {why}")
    def check(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
        if status in op.responses:
            yield ctx.finding(f"{op.label} declares {status}: {why}", op.responses[status])

    @check.also(Exchange)
    def check_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
        if str(ex.status) == status:
            yield ctx.finding(f"{ex.method} {ex.url} answered {status}: {why}", ex)


_forbidden_status("413", "quota exceeded is 403, never 413", "HTTP013")
_forbidden_status("422", "malformed requests are 400, never 422", "HTTP014")
_forbidden_status("501", "a missing feature is 400 (or 404), never 501", "HTTP021")


@rule("HTTP017", level="SHOULD", guideline="response-codes#4xx-codes",
      description="Request body objects set additionalProperties: false (unknown fields -> 400)",
      given=Operation, when=("requestBody",))
def http017(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.request_schema is None:
        return
    seen: set[str] = set()
    stack: list[tuple[Node, int]] = [(op.request_schema, 0)]
    while stack:
        node, depth = stack.pop()
        node = node.deref()
        if node.pointer in seen or depth > 8 or not isinstance(node.value, dict):
            continue
        seen.add(node.pointer)
        for k in ("oneOf", "anyOf"):
            sub = node.get(k)
            if sub is not None and isinstance(sub.value, list):
                stack.extend((sub.child(i), depth) for i in range(len(sub.value)))
        if json_type(node.value) == "object" and "properties" in node.value \
                and "allOf" not in node.value:
            if node.value.get("additionalProperties", True) is not False \
                    and node.value.get("unevaluatedProperties") is not False:
                yield ctx.finding(f"{op.label} request object allows unknown properties "
                                  "(set additionalProperties: false)", node)
            for name, prop in properties(node).items():
                if name not in FREE_FORM:
                    stack.append((prop, depth + 1))
        items = node.get("items")
        if items is not None:
            stack.append((items, depth + 1))


@rule("CACHE001", level="MUST", guideline="caching",
      description="GET 200 responses declare Cache-Control", given=Operation,
      when=get_operation)
def cache001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    resp = op.responses.get("200")
    if op.method == "get" and resp is not None and "cache-control" not in resp.headers:
        yield ctx.finding(f"GET {op.path} 200 does not declare Cache-Control", resp)


@cache001.also(Exchange)
def cache001_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.method.upper() in ("GET", "HEAD") and ex.status == 200 \
            and not ex.headers.get("cache-control"):
        yield ctx.finding(f"{ex.method} {ex.url} -> 200 without Cache-Control", ex)


@rule("ETAG001", level="SHOULD", guideline="etags",
      description="PUT with If-Match declares 412 Precondition Failed", given=Operation,
      when=put_or_patch_operation)
def etag001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method in ("put", "patch") and op.param("if-match", "header") is not None \
            and "412" not in op.responses:
        yield ctx.finding(f"{op.label} takes If-Match but does not declare 412", op,
                          "responses")


def _is_action(op: Operation) -> bool:
    return op.method == "post" and action_style(op) is not None  # only POSTs have a style


@rule("HTTP012", level="SHOULD", guideline="response-codes#4xx-codes",
      description="Action operations declare 409 (already in progress)", given=Operation,
      when=post_operation)
def http012(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if _is_action(op) and "409" not in op.responses:
        yield ctx.finding(f"{op.label} is an action but does not declare 409 Conflict", op,
                          "responses")


@rule("HTTP015", level="SHOULD", guideline="response-codes#4xx-codes",
      description="Request arrays with maxItems imply a declared 400", given=Operation,
      when=("requestBody",))
def http015(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.request_schema is None or "400" in op.responses:
        return
    limited = [n for n, p in properties(op.request_schema).items()
               if isinstance(p.value, dict) and "maxItems" in p.value]
    if limited:
        yield ctx.finding(f"{op.label} limits {limited[0]!r} (maxItems) but declares no 400",
                          op, "responses")


_SEARCH = re.compile(r"(?i)search|query|filter")


@rule("HTTP022", level="MAY", guideline="methods",
      description="POST for queries only when the URI would be too long (document why)",
      given=Operation, when=post_operation)
def http022(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    last = (segments(op.path) or [""])[-1]
    if op.method == "post" and (_SEARCH.search(last) or
                                _SEARCH.search(str(op.value.get("operationId", "")))):
        yield ctx.finding(f"{op.label} queries with POST; filter with GET unless the URI "
                          "would exceed length limits (document the reason)", op)


@rule("HTTP006", level="SHOULD", guideline="methods",
      description="PATCH bodies declare a JSON media type (json-patch, merge-patch or JSON)",
      given=Operation, when=("requestBody",))
def http006(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method != "patch" or "requestBody" not in op.value:
        return
    if op.request_media is None or "json" not in op.request_media:
        yield ctx.finding(f"PATCH {op.path} body media type is {op.request_media!r}, not a "
                          "JSON (patch) type", op, "requestBody")


_CACHING = re.compile(r"(?i)\b(max-age|s-maxage|public)\b")
ETAG_RE = re.compile(r'^(W/)?"[^"]*"$')


@rule("CACHE002", level="MUST", guideline="caching",
      description="Responses meant to be cached carry ETag or Last-Modified", given=Exchange)
def cache002(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    control = ", ".join(ex.headers.get("cache-control", []))
    if _CACHING.search(control) and not (ex.headers.get("etag")
                                         or ex.headers.get("last-modified")):
        yield ctx.finding(f"{ex.method} {ex.url}: Cache-Control {control!r} allows caching but "
                          "there is no ETag or Last-Modified", ex)


@rule("ETAG002", level="MUST", guideline="etags",
      description='ETag values are quoted strings, optionally W/-prefixed', given=Exchange)
def etag002(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    for value in ex.headers.get("etag", []):
        if not ETAG_RE.match(value.strip()):
            yield ctx.finding(f"{ex.method} {ex.url}: ETag {value!r} is not a quoted string",
                              ex)
