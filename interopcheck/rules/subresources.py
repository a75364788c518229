"""Tags and metadata sub-resources (``tags.rst``, ``metadata.rst``): TAG004, TAG007-TAG009,
META003."""

from __future__ import annotations

from collections.abc import Iterator

from interopcheck.rules._schema import (
    delete_operation,
    get_operation,
    json_type,
    properties,
    put_operation,
    segments,
)
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import Operation

TAG_FILTERS = {"tag": "tags", "tags_any": "tags-any", "not_tags": "not-tags",
               "not_tags_any": "not-tags-any", "any_tags": "tags-any"}


def _tail(op: Operation) -> list[str]:
    return segments(op.path)[-2:]


def _wrapped(op: Operation, key: str, kind: str) -> bool:
    resp = op.responses.get("200")
    if resp is None or resp.schema is None:
        return True  # nothing declared to check
    props = properties(resp.schema)
    if not props and json_type(resp.schema.value) in (None, "object"):
        return True  # an empty stub schema: nothing declared to check
    prop = props.get(key)
    return prop is not None and json_type(prop.value) == kind


@rule("TAG004", level="SHOULD", guideline="tags",
      description="GET .../tags returns 200 with {\"tags\": [...]}", given=Operation,
      when=get_operation)
def tag004(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method == "get" and _tail(op)[-1:] == ["tags"] and not _wrapped(op, "tags", "array"):
        yield ctx.finding(f"GET {op.path} does not return {{\"tags\": [...]}}", op)


@rule("TAG007", level="MUST", guideline="tags",
      description="DELETE .../tags (all tags) returns 204", given=Operation,
      when=delete_operation)
def tag007(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method == "delete" and _tail(op)[-1:] == ["tags"] and op.success_codes() \
            and "204" not in op.responses:
        yield ctx.finding(f"DELETE {op.path} does not answer 204", op, "responses")


@rule("TAG008", level="SHOULD", guideline="tags",
      description="PUT .../tags/{tag} returns 201; DELETE .../tags/{tag} returns 204",
      given=Operation)
def tag008(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    tail = _tail(op)
    if len(tail) != 2 or tail[0] != "tags" or not tail[1].startswith("{"):
        return
    want = {"put": "201", "delete": "204"}.get(op.method)
    if want and op.success_codes() and want not in op.responses:
        yield ctx.finding(f"{op.label} does not answer {want}", op, "responses")


@rule("TAG009", level="SHOULD", guideline="tags",
      description="Filter by tags with tags, tags-any, not-tags, not-tags-any", given=Operation)
def tag009(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    for p in op.parameters:
        if p.where == "query" and p.name in TAG_FILTERS:
            yield ctx.finding(f"tag filter {p.name!r}; use {TAG_FILTERS[p.name]!r}", p)


@rule("META003", level="MUST", guideline="metadata",
      description="GET/PUT .../metadata use {\"metadata\": {...}} (200); DELETE returns 204",
      given=Operation)
def meta003(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if _tail(op)[-1:] != ["metadata"]:
        return
    if op.method in ("get", "put") and not _wrapped(op, "metadata", "object"):
        yield ctx.finding(f"{op.label} does not return {{\"metadata\": {{...}}}}", op)
    if op.method == "delete" and op.success_codes() and "204" not in op.responses:
        yield ctx.finding(f"DELETE {op.path} does not answer 204", op, "responses")


@rule("TAG005", level="SHOULD", guideline="tags",
      description="PUT .../tags replaces the list and returns 200 with it", given=Operation,
      when=put_operation)
def tag005(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method == "put" and _tail(op)[-1:] == ["tags"] and op.success_codes():
        if "200" not in op.responses or not _wrapped(op, "tags", "array"):
            yield ctx.finding(f"PUT {op.path} does not return 200 with {{\"tags\": [...]}}", op,
                              "responses")


@rule("META004", level="SHOULD", guideline="metadata",
      description="POST .../metadata 201; PUT .../metadata/{key} 200; DELETE .../{key} 204",
      given=Operation)
def meta004(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    tail = _tail(op)
    want = None
    if tail[-1:] == ["metadata"] and op.method == "post":
        want = "201"
    elif len(tail) == 2 and tail[0] == "metadata" and tail[1].startswith("{"):
        want = {"put": "200", "delete": "204"}.get(op.method)
    if want and op.success_codes() and want not in op.responses:
        yield ctx.finding(f"{op.label} does not answer {want}", op, "responses")
