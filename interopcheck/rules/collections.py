"""Collection format and pagination rules (``representation_structure.rst``,
``pagination_filter_sort.rst``, ``counting.rst``): RES001, RES002, PAGE001, PAGE004,
PAGE011, PAGE012. A collection is ``{"resource_name": [...]}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from interopcheck.rules._schema import (
    array_props,
    get_operation,
    is_collection_path,
    json_type,
    last_literal,
    live_collection_path,
    live_url,
    properties,
    segments,
    variants,
)
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import Exchange, Operation


def _list_schema(op: Operation) -> Any | None:
    """The declared 200 body schema of a collection GET; None for anything else."""
    resp = op.responses.get("200")
    if op.method != "get" or resp is None or not is_collection_path(op):
        return None
    return resp.schema


def collection_key(path: str) -> set[str]:
    """Acceptable wrapper keys for a collection path (last literal segment, -/_ alike)."""
    last = last_literal(path) or ""
    segs = segments(path)
    names = {last}
    if last in ("detail", "details") and len(segs) >= 2:
        names.add(segs[-2])
    out = set()
    for n in names:
        for v in (n, n.removeprefix("os-")):
            out.update({v, v.replace("-", "_"), v.replace("_", "-")})
    return out


def suggested_key(path: str) -> str:
    """The wrapper key to suggest: the collection name in snake_case (NAME004: JSON keys
    never take the path's hyphens), without ``os-``."""
    last = last_literal(path) or ""
    segs = segments(path)
    if last in ("detail", "details") and len(segs) >= 2 and not segs[-2].startswith("{"):
        last = segs[-2]
    return last.removeprefix("os-").replace("-", "_")


@rule("RES001", level="SHOULD", guideline="representation",
      description="Collections are objects wrapping the array, never a top-level array",
      given=Operation)
def res001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    schema = _list_schema(op)
    if schema is None:
        return
    for v in variants(schema):
        if json_type(v.value) == "array":
            yield ctx.finding(f"GET {op.path} returns a top-level array; wrap it as "
                              f"{{\"{next(iter(sorted(collection_key(op.path))))}\": [...]}}", v)


@res001.also(Exchange)
def res001_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.method.upper() == "GET" and ex.status == 200 and isinstance(ex.body, list):
        yield ctx.finding(f"GET {ex.url} returned a top-level JSON array", ex)


@rule("RES002", level="SHOULD", guideline="representation",
      description="The collection's wrapper key is the collection name", given=Operation)
def res002(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    schema = _list_schema(op)
    if schema is None:
        return
    expected = collection_key(op.path)
    for v in variants(schema):
        arrays = array_props(v)
        if arrays and not expected & set(arrays) and len(properties(v)) <= 3:
            yield ctx.finding(f"GET {op.path} wraps its collection in {sorted(arrays)[0]!r}, "
                              f"expected {suggested_key(op.path)!r}", v)


@res002.also(Exchange)
def res002_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    if ex.method.upper() != "GET" or ex.status != 200 or not isinstance(ex.body, dict):
        return
    path = live_collection_path(ex.url)
    if path is None:
        return
    arrays = sorted(k for k, v in ex.body.items() if isinstance(v, list) and k != "links")
    if arrays == ["versions"] and _is_version_document(ex.body["versions"]):
        return  # version discovery: {"versions": [...]} at any root URL (VD rules)
    expected = collection_key(path)
    if arrays and not expected & set(arrays) and len(ex.body) <= 3:
        yield ctx.finding(f"GET {ex.url} wraps its collection in {arrays[0]!r}, expected "
                          f"{suggested_key(path)!r}", ex, arrays[0])


def _is_version_document(entries: list) -> bool:
    return bool(entries) and all(isinstance(e, dict) and "id" in e and "status" in e
                                 for e in entries)


def _params(op: Operation) -> set[str]:
    return {p.name for p in op.parameters if p.where == "query"}


@rule("PAGE001", level="SHOULD", guideline="pagination",
      description="Paginate with both limit and marker", given=Operation,
      when=get_operation)
def page001(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    names = _params(op)
    if op.method != "get":
        return
    if "limit" in names and "marker" not in names:
        yield ctx.finding(f"GET {op.path} takes limit but not marker", op)
    elif "marker" in names and "limit" not in names:
        yield ctx.finding(f"GET {op.path} takes marker but not limit", op)


@rule("PAGE004", level="SHOULD", guideline="pagination",
      description="Paginated list responses carry pagination links", given=Operation)
def page004(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    schema = _list_schema(op)
    if schema is None:
        return
    if not {"limit", "marker"} <= _params(op):
        return
    for v in variants(schema):
        names = set(properties(v))
        if names and json_type(v.value) == "object" and not any(n == "links" or n.endswith("_links")
                                                      for n in names):
            yield ctx.finding(f"GET {op.path} is paginated but its body has no 'links' list",
                              v)


PAGE_RELS = frozenset({"first", "prev", "previous", "self", "next", "last"})


@page004.also(Exchange)
def page004_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    """When a paged list answers with pagination links: their rels, hrefs and ``prev``."""
    if ex.method.upper() != "GET" or ex.status != 200 or not isinstance(ex.body, dict):
        return
    query = live_url(ex.url)[1]
    links = ex.body.get("links")
    if not {"limit", "marker"} & set(query) or not isinstance(links, list):
        return
    for i, link in enumerate(links):
        if not isinstance(link, dict):
            continue
        rel, href = str(link.get("rel", "")), link.get("href")
        if rel not in PAGE_RELS:
            yield ctx.finding(f"GET {ex.url}: pagination link rel {rel!r} is not one of "
                              "first, prev, self, next, last", ex, "links", i)
        elif rel in ("next", "prev", "previous") and isinstance(href, str) and not (
                {"limit", "marker"} & set(live_url(href)[1])):
            yield ctx.finding(f"GET {ex.url}: the {rel!r} link carries neither limit nor "
                              "marker", ex, "links", i)
        elif rel in ("prev", "previous") and "marker" not in query:
            yield ctx.finding(f"GET {ex.url}: the first page has a {rel!r} link", ex,
                              "links", i)


@rule("PAGE011", level="SHOULD", guideline="pagination",
      description="Sort with one 'sort' parameter; sort_key/sort_dir are deprecated",
      given=Operation)
def page011(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    names = _params(op)
    if names & {"sort_key", "sort_dir"} and "sort" not in names:
        yield ctx.finding(f"{op.label} sorts with sort_key/sort_dir without 'sort'", op)


@rule("PAGE012", level="SHOULD", guideline="counting",
      description="with_count returns an integer 'count' beside the collection",
      given=Operation)
def page012(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    resp = op.responses.get("200")
    if "with_count" not in _params(op) or resp is None or resp.schema is None:
        return
    for v in variants(resp.schema):
        count = properties(v).get("count")
        if count is None or json_type(count.value) != "integer":
            yield ctx.finding(f"{op.label} takes with_count but its body has no integer "
                              "'count'", v)
