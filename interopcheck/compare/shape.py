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
    options: set[Shape] = set()
    for s in shapes:
        options.update(s.options if isinstance(s, Variants) else (s,))
    if len(options) == 1:
        return next(iter(options))
    return Variants(frozenset(options))


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
        return Array(frozenset(shape_of(v) for v in value))
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


def _diff_sets(path: str, a: frozenset[Shape], b: frozenset[Shape]) -> Iterator[ShapeDiff]:
    only_a, only_b = a - b, b - a
    if len(only_a) == 1 and len(only_b) == 1:
        yield from _diff(path, next(iter(only_a)), next(iter(only_b)))
    elif only_a or only_b:
        yield ShapeDiff(
            path,
            render(_merge(only_a)) if only_a else "(nothing else)",
            render(_merge(only_b)) if only_b else "(nothing else)",
        )


def _diff(path: str, a: Shape, b: Shape) -> Iterator[ShapeDiff]:
    if a == b:
        return
    if _kind(a) != _kind(b):
        yield ShapeDiff(path, render(a), render(b))
    elif isinstance(a, Object) and isinstance(b, Object):
        fa, fb = dict(a.fields), dict(b.fields)
        for key in sorted(fa.keys() | fb.keys()):
            sub = _key_path(path, key)
            if key not in fb:
                yield ShapeDiff(sub, render(fa[key]), ABSENT)
            elif key not in fa:
                yield ShapeDiff(sub, ABSENT, render(fb[key]))
            else:
                yield from _diff(sub, fa[key], fb[key])
    elif isinstance(a, Array) and isinstance(b, Array):
        if not a.items or not b.items:
            yield ShapeDiff(path, render(a), render(b))
        else:
            yield from _diff_sets(f"{path}[*]", a.items, b.items)
    elif isinstance(a, Variants) and isinstance(b, Variants):
        yield from _diff_sets(path, a.options, b.options)
    else:  # pragma: no cover - equal kinds of Scalar are equal shapes
        yield ShapeDiff(path, render(a), render(b))


def diff(a: Shape, b: Shape, path: str = "$") -> list[ShapeDiff]:
    """Where ``a`` and ``b`` differ, outermost first; empty when the shapes are equal."""
    return list(_diff(path, a, b))
