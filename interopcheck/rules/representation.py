"""Field-level representation rules: links, time, tags, metadata, extensions, docs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from interopcheck.rules._schema import json_type
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Exchange, Operation, Schema

TIMESTAMP = re.compile(r"^(.*_at|created|updated|.*_time|timestamp|expires.*)$")
#: ISO 8601 / RFC 3339 date or date-time (extended format; fraction and zone optional).
ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                     r"(Z|[+-]\d{2}(:?\d{2})?)?)?$")


def _fields(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, Any, tuple]]:
    """(name, value, JSON path) of every object member of a live JSON body, at any depth."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _fields(item, (*path, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k), v, (*path, k)
            yield from _fields(v, (*path, k))


def _props(schema: Schema) -> dict[str, Any]:
    p = schema.value.get("properties")
    return p if isinstance(p, dict) else {}


def _deref(schema: Schema, name: str) -> Any:
    node = schema.node.child("properties", name).deref() if schema.node is not None else None
    return node.value if node is not None else _props(schema).get(name)


@rule("LINK001", level="SHOULD", guideline="links",
      description="'links' is an array of objects with rel and href", given=Schema,
      when=("properties",))
def link001(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if "links" not in _props(schema):
        return
    links = _deref(schema, "links")
    if not isinstance(links, dict) or json_type(links) != "array":
        yield ctx.finding("'links' is not an array", schema, "properties", "links")
        return
    items = links.get("items")
    if schema.node is not None and isinstance(items, dict):
        items = schema.node.child("properties", "links").deref().child("items").deref().value
    if isinstance(items, dict) and "properties" in items:
        missing = [k for k in ("rel", "href") if k not in items["properties"]]
        if missing:
            yield ctx.finding(f"link objects lack {', '.join(missing)}", schema,
                              "properties", "links")


@link001.also(Exchange)
def link001_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    for name, value, path in _fields(ex.body):
        if name != "links":
            continue
        if not isinstance(value, list):
            yield ctx.finding(f"{ex.method} {ex.url}: 'links' is not an array", ex, *path)
            continue
        for i, link in enumerate(value):
            bad = not isinstance(link, dict) or not all(
                isinstance(link.get(k), str) for k in ("rel", "href"))
            if bad:
                yield ctx.finding(f"{ex.method} {ex.url}: links[{i}] is not an object with "
                                  "string rel and href", ex, *path, i)


@rule("TIME001", level="SHOULD", guideline="time",
      description="Timestamp fields are ISO 8601 (format: date-time)", given=Schema,
      when=("properties",))
def time001(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    for name, prop in _props(schema).items():
        if not TIMESTAMP.match(str(name)) or not isinstance(prop, dict) or "$ref" in prop:
            continue
        if json_type(prop) == "string" and prop.get("format") not in ("date-time", "date"):
            yield ctx.finding(f"timestamp field {name!r} has no format: date-time", schema,
                              "properties", name)
        elif json_type(prop) in ("integer", "number"):
            yield ctx.finding(f"timestamp field {name!r} is a number, not ISO 8601", schema,
                              "properties", name)


@time001.also(Exchange)
def time001_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    for name, value, path in _fields(ex.body):
        if not TIMESTAMP.match(name) or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str):
            yield ctx.finding(f"{ex.method} {ex.url}: timestamp {name!r} is {value!r}, not an "
                              "ISO 8601 string", ex, *path)
        elif not ISO8601.match(value):
            yield ctx.finding(f"{ex.method} {ex.url}: timestamp {name!r} = {value!r} is not "
                              "ISO 8601", ex, *path)


@rule("TAG001", level="SHOULD", guideline="tags",
      description="'tags' is an array of strings", given=Schema, when=("properties",))
def tag001(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if "tags" not in _props(schema):
        return
    tags = _deref(schema, "tags")
    items = tags.get("items") if isinstance(tags, dict) else None
    if json_type(tags) != "array" or (isinstance(items, dict) and "$ref" not in items
                                      and json_type(items) not in (None, "string")):
        yield ctx.finding("'tags' is not an array of strings", schema, "properties", "tags")


@rule("META001", level="SHOULD", guideline="metadata",
      description="'metadata' is a key/value object", given=Schema, when=("properties",))
def meta001(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if "metadata" in _props(schema):
        meta = _deref(schema, "metadata")
        if json_type(meta) not in (None, "object"):
            yield ctx.finding("'metadata' is not an object (map)", schema, "properties",
                              "metadata")


@rule("INTEROP015", level="INFO", guideline="extensions",
      description="No extension-style vendor prefixes in fields (OS-EXT-...:)", given=Schema,
      when=("properties",))
def interop015(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    for name in _props(schema):
        if ":" in str(name):
            yield ctx.finding(f"extension-style field {name!r}", schema, "properties", name,
                              severity=ctx.severity)


@rule("DOC001", level="SHOULD", guideline="api-docs",
      description="Each operation has a description and declares a 2xx", given=Operation)
def doc001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if not (op.value.get("description") or op.value.get("summary")):
        yield ctx.finding(f"{op.label} has no description", op)
    if not op.success_codes():
        yield ctx.finding(f"{op.label} declares no 2xx response", op, "responses")


IANA_RELS = frozenset({
    "self", "next", "prev", "previous", "first", "last", "collection", "item", "help",
    "describedby", "alternate", "bookmark", "related", "up", "edit", "canonical", "license",
    "service", "service-desc", "service-doc", "type", "via", "version-history",
    "latest-version", "predecessor-version", "successor-version", "working-copy",
    "working-copy-of", "profile", "search", "author", "enclosure", "icon", "index", "start",
})


@rule("LINK002", level="INFO", guideline="links",
      description="Link relations come from the IANA registry", given=Schema,
      when=("properties",))
def link002(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    rel = _props(schema).get("rel") if "href" in _props(schema) else None
    if isinstance(rel, dict):
        for value in rel.get("enum") or []:
            if str(value).lower() not in IANA_RELS:
                yield ctx.finding(f"link relation {value!r} is not IANA-registered", schema,
                                  "properties", "rel")


@rule("TAG002", level="MUST", guideline="tags",
      description="Tag strings exclude '/' and ',' (pattern such as ^[^,/]*$)", given=Schema,
      when=("properties",))
def tag002(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if "tags" not in _props(schema):
        return
    tags = _deref(schema, "tags")
    items = tags.get("items") if isinstance(tags, dict) else None
    if not isinstance(items, dict) or json_type(items) != "string":
        return
    pattern = items.get("pattern")
    try:
        allows = pattern is None or any(re.search(str(pattern), s) for s in ("a/b", "a,b"))
    except re.error:
        allows = True
    if allows:
        yield ctx.finding("tag items allow '/' or ','; add a pattern such as ^[^,/]*$", schema,
                          "properties", "tags")


@rule("DOC002", level="INFO", guideline="api-docs",
      description="The document describes the API's concepts (info.description)",
      given=ApiDocument)
def doc002(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    info = api.value.get("info") if isinstance(api.value.get("info"), dict) else {}
    if not info.get("description"):
        yield ctx.finding("info has no description of the API's concepts", api, "info")
