"""Small helpers rules use to read (dereferenced) schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from interopcheck.rules.targets import Node, Operation, Parameter

__all__ = ["array_props", "delete_operation", "get_operation", "header_parameter",
           "is_collection_path", "json_type", "last_literal", "live_collection_path",
           "live_url", "post_operation", "properties", "put_operation", "put_or_patch_operation",
           "segments", "variants", "versioned_operation"]


def json_type(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t is None and "properties" in schema:
        return "object"
    if t is None and "items" in schema:
        return "array"
    return t if isinstance(t, str) else None


def variants(node: Node, depth: int = 0) -> Iterator[Node]:
    """The node itself, or each ``oneOf``/``anyOf`` member (dereferenced, nested ones too)."""
    node = node.deref()
    found = False
    for k in ("oneOf", "anyOf"):
        members = node.get(k)
        if members is not None and isinstance(members.value, list) and depth < 5:
            for i in range(len(members.value)):
                found = True
                yield from variants(members.child(i), depth + 1)
    if not found:
        yield node


def properties(node: Node) -> dict[str, Node]:
    """Properties of an object schema, including ``allOf`` members (dereferenced).

    The answer is shared (per file and pointer, when the file offers a ``rule_memo`` dict):
    many rules ask about the same schema (Graph's 22,000 operations share one error schema),
    so callers must not change it."""
    node = node.deref()
    memo = getattr(node.source, "rule_memo", None)
    if memo is not None:
        hit = memo.get(("properties", node.pointer))
        if hit is not None:
            return hit
    out: dict[str, Node] = {}
    props = node.get("properties")
    if props is not None and isinstance(props.value, dict):
        for name in props.value:
            out[str(name)] = props.child(name).deref()
    all_of = node.get("allOf")
    if all_of is not None and isinstance(all_of.value, list):
        for i in range(len(all_of.value)):
            out.update(properties(all_of.child(i)))
    if memo is not None:
        memo["properties", node.pointer] = out
    return out


def header_parameter(p: Parameter) -> bool:
    """``when`` of the rules about header parameters."""
    return p.where == "header"


def get_operation(op: Operation) -> bool:
    """``when`` of the rules about GET operations only."""
    return op.method == "get"


def post_operation(op: Operation) -> bool:
    """``when`` of the rules about POST operations only (actions, POST queries)."""
    return op.method == "post"


def put_operation(op: Operation) -> bool:
    """``when`` of the rules about PUT operations only."""
    return op.method == "put"


def put_or_patch_operation(op: Operation) -> bool:
    """``when`` of the rules about PUT and PATCH operations only."""
    return op.method in ("put", "patch")


def delete_operation(op: Operation) -> bool:
    """``when`` of the rules about DELETE operations only."""
    return op.method == "delete"


def versioned_operation(op: Operation) -> bool:
    """``when`` of the rules about operations of a microversioned API."""
    return op.api is not None and op.api.microversioned


def array_props(node: Node) -> dict[str, Node]:
    return {k: v for k, v in properties(node).items() if json_type(v.value) == "array"}


#: path -> its segments, and its literal segments: every rule on every operation asks
#: (Graph beta: 260,000 times for 14,000 paths); cleared past _MEMO_MAX paths
_SEGMENTS: dict[str, list[str]] = {}
_LITERAL: dict[str, list[str]] = {}
_MEMO_MAX = 200_000


def segments(path: str) -> list[str]:
    """The path's non-empty segments (a shared list: callers do not change it)."""
    hit = _SEGMENTS.get(path)
    if hit is None:
        if len(_SEGMENTS) >= _MEMO_MAX:
            _SEGMENTS.clear()
        hit = _SEGMENTS[path] = [s for s in path.split("/") if s]
    return hit


_VERSION_SEG = re.compile(r"^v\d+(\.\d+)?$")


def literal_segments(path: str) -> list[str]:
    """Segments that are neither ``{parameters}`` nor versions (a shared list, as above)."""
    hit = _LITERAL.get(path)
    if hit is None:
        if len(_LITERAL) >= _MEMO_MAX:
            _LITERAL.clear()
        hit = _LITERAL[path] = [s for s in segments(path)
                                if not s.startswith("{") and not _VERSION_SEG.match(s)]
    return hit


def last_literal(path: str) -> str | None:
    segs = literal_segments(path)
    return segs[-1] if segs else None


def is_collection_path(op: Operation) -> bool:
    segs = segments(op.path)
    return bool(segs) and not segs[-1].startswith("{") and not _VERSION_SEG.match(segs[-1])


# ---- live URLs (recorded exchanges: concrete values or profile templates) ----

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")


def live_url(url: str) -> tuple[str, dict[str, list[str]]]:
    """(path, query) of a recorded request URL (absolute or relative)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    return parts.path or "/", parse_qs(parts.query, keep_blank_values=True)


def _value_segment(seg: str) -> bool:
    """A segment that is a value (an id or name), not a resource name: a template such as
    ``$uuid(rp)``, a UUID, digits, or anything with upper-case letters (``DISK_GB``)."""
    return ("$" in seg or "{" in seg or bool(_UUID.match(seg)) or seg.isdigit()
            or seg != seg.lower())


def live_collection_path(url: str) -> str | None:
    """The collection name a live URL lists (its last segment), or None for a member URL."""
    segs = [s for s in segments(live_url(url)[0]) if not _VERSION_SEG.match(s)]
    if not segs or _value_segment(segs[-1]):
        return None
    return "/" + "/".join(segs)
