"""RES004 [EXTRA]: one single-resource form per API (the guideline is "TODO").

Forms: ``bare`` ``{...}``, ``list`` ``[{...}]``, ``wrapped`` ``{"name": {...}}`` and
``wrapped-list`` ``{"name": [{...}]}``. The API's form is the one most of its single-resource
responses use (GET/PUT/PATCH on ``.../{id}``, 200/201 of POST on a collection); the rule
reports which form that is (info) and every response that departs from it (warning).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from interopcheck.findings import Severity
from interopcheck.rules._schema import is_collection_path, json_type, properties, segments
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Node, Operation

FORMS = ("bare", "list", "wrapped", "wrapped-list")


def form_of(schema: Node) -> str | None:
    node = schema.deref()
    t = json_type(node.value)
    if t == "array":
        return "list"
    if t != "object":
        return None
    props = properties(node)
    if len(props) == 1:
        (only,) = props.values()
        inner = json_type(only.value)
        if inner == "object":
            return "wrapped"
        if inner == "array":
            return "wrapped-list"
    return "bare" if props else None


def single_resource_responses(op: Operation) -> Iterator[tuple[str, Node]]:
    segs = segments(op.path)
    member = bool(segs) and segs[-1].startswith("{")
    if op.method in ("get", "put", "patch") and member:
        statuses = ("200",)
    elif op.method == "post" and is_collection_path(op) and "action" not in segs[-1:] \
            and "201" in op.responses:
        statuses = ("201",)
    else:
        return
    for status in statuses:
        resp = op.responses.get(status)
        if resp is not None and resp.schema is not None:
            yield status, resp.schema


@rule("RES004", level="EXTRA", guideline="representation",
      description="One single-resource form throughout the API; report it and every departure",
      given=ApiDocument, severity=Severity.WARNING)
def res004(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    seen: list[tuple[Operation, str, Node, str]] = []
    for op in api.operations:
        for status, schema in single_resource_responses(op):
            form = form_of(schema)
            if form is not None:
                seen.append((op, status, schema, form))
    if not seen:
        return
    counts = Counter(form for *_, form in seen)
    main, n = counts.most_common(1)[0]
    yield ctx.finding(f"single-resource form: {main} ({n} of {len(seen)} responses)", api,
                      severity=Severity.INFO)
    for op, status, schema, form in seen:
        if form != main:
            yield ctx.finding(f"{op.label} {status} uses the {form} single-resource form; the "
                              f"API's form is {main}", schema)
