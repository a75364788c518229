"""The shape of a JSON document: its types, keys and nesting, with the values dropped.

``shape_of(value)`` turns a parsed JSON value into a hashable :data:`Shape`:

- scalars keep only their JSON type (``null``, ``bool``, ``int``, ``float``, ``str``);
- objects keep their keys, each with the shape of its value; keys that look like
  UUIDs become the placeholder ``{uuid}`` (several such keys merge into one entry,
  whose value is a :class:`Variants` when their shapes differ);
- arrays keep the *set* of their elements' shapes (order and count are values).

``render(shape)`` prints a shape compactly and ``diff(a, b)`` lists where two shapes
part, as ``(json_path, what A has, what B has)`` triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ABSENT",
    "UUID_KEY",
    "Array",
    "Object",
    "Scalar",
    "Shape",
    "ShapeDiff",
    "Variants",
    "diff",
    "is_uuid_like",
    "render",
    "shape_of",
    "short",
]

UUID_KEY = "{uuid}"
ABSENT = "(absent)"

_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


def is_uuid_like(text: str) -> bool:
    """True for a UUID in dashed or dash-less hex form."""
    return bool(_UUID.match(text))


@dataclass(frozen=True, slots=True)
class Scalar:
    """A leaf: ``null``, ``bool``, ``int``, ``float`` or ``str`` (or ``text``/``empty`` bodies)."""

    kind: str


@dataclass(frozen=True, slots=True)
class Array:
    """A JSON array: the distinct shapes of its elements (empty for ``[]``)."""

    items: frozenset[Shape]


@dataclass(frozen=True, slots=True)
class Object:
    """A JSON object: ``(key, shape)`` pairs sorted by key."""

    fields: tuple[tuple[str, Shape], ...]

    def get(self, key: str) -> Shape | None:
        for name, value in self.fields:
            if name == key:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Variants:
    """Several shapes found at one place (under merged ``{uuid}`` keys)."""

    options: frozenset[Shape]


Shape = Scalar | Array | Object | Variants


@dataclass(frozen=True, slots=True)
class ShapeDiff:
    """One place where two shapes part: the JSON path and each side's rendering."""

    path: str
    a: str
    b: str


def _merge(shapes: Iterable[Shape]) -> Shape:
    """One shape for several found at one place: objects merge key by key, arrays item by item.

    Merging objects means a key some elements have and others lack, or whose value is
    ``null`` in one element and a string in another, is one key with several shapes, so
    two lists compare key by key however mixed their elements are.
    """
    options: set[Shape] = set()
    for s in shapes:
        options.update(s.options if isinstance(s, Variants) else (s,))
    objects = [o for o in options if isinstance(o, Object)]
    if len(objects) > 1:
        options.difference_update(objects)
        keys: dict[str, list[Shape]] = {}
        for o in objects:
            for k, v in o.fields:
                keys.setdefault(k, []).append(v)
        options.add(Object(tuple(sorted((k, _merge(v)) for k, v in keys.items()))))
    arrays = [a for a in options if isinstance(a, Array)]
    if len(arrays) > 1:
        options.difference_update(arrays)
        items = [i for a in arrays for i in a.items]
        options.add(Array(_items(items)))
    if len(options) == 1:
        return next(iter(options))
    return Variants(frozenset(options))


def _items(shapes: Iterable[Shape]) -> frozenset[Shape]:
    """An array's element shapes, its objects merged into one (see :func:`_merge`)."""
    merged = _merge(shapes)
    return merged.options if isinstance(merged, Variants) else frozenset({merged})


def shape_of(value: Any) -> Shape:
    """The shape of a parsed JSON value."""
    if value is None:
        return Scalar("null")
    if isinstance(value, bool):
        return Scalar("bool")
    if isinstance(value, int):
        return Scalar("int")
    if isinstance(value, float):
        return Scalar("float")
    if isinstance(value, str):
        return Scalar("str")
    if isinstance(value, list | tuple):
        return Array(_items(shape_of(v) for v in value) if value else frozenset())
    if isinstance(value, dict):
        grouped: dict[str, list[Shape]] = {}
        for key, item in value.items():
            name = UUID_KEY if is_uuid_like(str(key)) else str(key)
            grouped.setdefault(name, []).append(shape_of(item))
        return Object(tuple(sorted((k, _merge(v)) for k, v in grouped.items())))
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def render(shape: Shape) -> str:
    """A compact, deterministic rendering, e.g. ``{"a": int, "b": [str]}``."""
    if isinstance(shape, Scalar):
        return shape.kind
    if isinstance(shape, Array):
        if not shape.items:
            return "[]"
        return "[" + " | ".join(sorted(render(s) for s in shape.items)) + "]"
    if isinstance(shape, Object):
        return "{" + ", ".join(f'"{k}": {render(v)}' for k, v in shape.fields) + "}"
    return "(" + " | ".join(sorted(render(s) for s in shape.options)) + ")"


def _key_path(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    return f'{path}["{key}"]'


def _kind(shape: Shape) -> str:
    return shape.kind if isinstance(shape, Scalar) else type(shape).__name__


def short(shape: Shape, limit: int = 80) -> str:
    """:func:`render`, with nested objects and arrays elided until it fits in ``limit``."""
    text = render(shape)
    depth = 2
    while len(text) > limit and depth >= 0:
        text = _render(shape, depth)
        depth -= 1
    return text


def _render(shape: Shape, depth: int) -> str:
    if isinstance(shape, Scalar):
        return shape.kind
    if isinstance(shape, Array):
        if not shape.items:
            return "[]"
        if depth <= 0:
            return "[...]"
        return "[" + " | ".join(sorted(_render(s, depth - 1) for s in shape.items)) + "]"
    if isinstance(shape, Object):
        if depth <= 0:
            return "{" + f"{len(shape.fields)} keys" + "}"
        return "{" + ", ".join(f'"{k}": {_render(v, depth - 1)}' for k, v in shape.fields) + "}"
    return "(" + " | ".join(sorted(_render(s, depth) for s in shape.options)) + ")"


def _options(shape: Shape) -> frozenset[Shape]:
    return shape.options if isinstance(shape, Variants) else frozenset({shape})


def _diff_sets(path: str, a: frozenset[Shape], b: frozenset[Shape]) -> Iterator[ShapeDiff]:
    """Objects against objects and arrays against arrays (recursively); the rest as sets."""
    rest_a, rest_b = set(a), set(b)
    for kind in (Object, Array):
        in_a = [s for s in a if isinstance(s, kind)]
        in_b = [s for s in b if isinstance(s, kind)]
        if len(in_a) == 1 and len(in_b) == 1:
            rest_a.discard(in_a[0])
            rest_b.discard(in_b[0])
            yield from _diff(path, in_a[0], in_b[0])
    only_a, only_b = rest_a - rest_b, rest_b - rest_a
    if len(only_a) == 1 and len(only_b) == 1 and not (rest_a & rest_b):
        yield from _diff(path, next(iter(only_a)), next(iter(only_b)))
    elif only_a or only_b:
        yield ShapeDiff(
            path,
            short(_merge(only_a)) if only_a else "(nothing else)",
            short(_merge(only_b)) if only_b else "(nothing else)",
        )


def _diff(path: str, a: Shape, b: Shape) -> Iterator[ShapeDiff]:
    if a == b:
        return
    if isinstance(a, Variants) or isinstance(b, Variants):
        yield from _diff_sets(path, _options(a), _options(b))
    elif _kind(a) != _kind(b):
        yield ShapeDiff(path, short(a), short(b))
    elif isinstance(a, Object) and isinstance(b, Object):
        fa, fb = dict(a.fields), dict(b.fields)
        for key in sorted(fa.keys() | fb.keys()):
            sub = _key_path(path, key)
            if key not in fb:
                yield ShapeDiff(sub, short(fa[key]), ABSENT)
            elif key not in fa:
                yield ShapeDiff(sub, ABSENT, short(fb[key]))
            else:
                yield from _diff(sub, fa[key], fb[key])
    elif isinstance(a, Array) and isinstance(b, Array):
        if not a.items or not b.items:
            yield ShapeDiff(path, short(a), short(b))
        else:
            yield from _diff_sets(f"{path}[*]", a.items, b.items)
    else:  # pragma: no cover - equal kinds of Scalar are equal shapes
        yield ShapeDiff(path, short(a), short(b))


def diff(a: Shape, b: Shape, path: str = "$") -> list[ShapeDiff]:
    """Where ``a`` and ``b`` differ, outermost first; empty when the shapes are equal."""
    return list(_diff(path, a, b))
