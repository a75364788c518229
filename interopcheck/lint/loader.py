"""Load OpenAPI documents (YAML or JSON, many files) keeping where every node came from.

Speed matters (a 13 MB spec must lint in well under 2.5 s), so locations are computed only
for the nodes that findings point at, never for the whole tree:

* JSON: the data comes from the stdlib ``json`` (C); a :class:`JsonLocator` finds a pointer's
  offset by walking the raw text, skipping sibling values with ``raw_decode`` (C) and memoising
  each visited container's member offsets, then maps offset -> line/column with a line index.
* YAML: ``yaml.compose`` with the libyaml ``CSafeLoader`` gives nodes with marks; the data is
  constructed from that same node tree, which the :class:`YamlLocator` keeps for lookups.

``$ref`` is never inlined: :meth:`Loader.deref` follows a reference (``#/local``,
``other.yaml#/x``, ``other.yaml``) to the node in the file it lives in, so findings inside a
referenced schema carry that file's name, line and column.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from interopcheck.rules.targets import Location, Node

__all__ = ["LoadError", "Loader", "SourceFile", "parse_pointer"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WS = re.compile(r"[ \t\n\r]*")


class LoadError(Exception):
    """A document that cannot be read or parsed, or a ``$ref`` that does not resolve."""


def parse_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise LoadError(f"bad JSON pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


class _Lines:
    def __init__(self, text: str) -> None:
        # all in C: the length of each line plus its newline, summed up
        self.starts = [0, *itertools.accumulate(map((1).__add__, map(len, text.split("\n"))))]

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


# One match per bracket outside strings; strings and scalars are consumed inside the regex
# engine (possessive), so building the bracket index costs one C-speed pass over the text.
if sys.version_info >= (3, 11):  # possessive quantifiers: no backtracking at all
    _BRACKETS = re.compile(r'(?:"(?:[^"\\]++|\\.)*+"|[^{}\[\]"]++)*+([{}\[\]])')
else:  # pragma: no cover - unrolled string loop; only invalid JSON could backtrack
    _BRACKETS = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^{}\[\]"]+)*([{}\[\]])')
_SCALAR_END = re.compile(r"[^,}\]\s]*")
_INDENT = re.compile(r"[ \t]*")


class JsonLocator:
    """Offsets of JSON Pointers in the raw text, via a bracket-matching index built once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: _Lines | None = None
        self._ends: dict[int, int] | None = None
        self._members: dict[int, dict[str, tuple[int, int]] | list[int]] = {}
        self._scan = json.decoder.scanstring
        self._decoder = json.JSONDecoder()
        #: pretty-printed (many lines): skip containers by indentation, inline ones by parsing
        self._pretty = text.count("\n") * 200 > len(text)

    def _index(self) -> dict[int, int]:
        ends: dict[int, int] = {}
        stack: list[int] = []
        push, pop = stack.append, stack.pop
        for m in _BRACKETS.finditer(self.text):
            at = m.start(1)
            if m.group(1) in "{[":
                push(at)
            elif stack:
                ends[pop()] = at
        self._ends = ends
        return ends

    def _ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def _skip(self, pos: int) -> int:
        text = self.text
        ch = text[pos]
        if ch in "{[":
            if text[pos + 1] in "}]":
                return pos + 2
            if text.startswith("\n", pos + 1):
                # Pretty-printed: the container closes on the first later line with the same
                # indentation as the line it opens on (json.dumps/JSON.stringify with indent).
                start = text.rfind("\n", 0, pos) + 1
                m = _INDENT.match(text, start)
                prefix = text[start:m.end()] if m else ""
                end = text.find("\n" + prefix + ("}" if ch == "{" else "]"), pos)
                if end != -1:
                    return end + 2 + len(prefix)
            if self._pretty:
                return self._decoder.raw_decode(text, pos)[1]
            ends = self._ends if self._ends is not None else self._index()
            return ends[pos] + 1
        if ch == '"':
            return self._scan(self.text, pos + 1)[1]
        m = _SCALAR_END.match(self.text, pos)
        return m.end() if m else pos + 1

    def _children(self, pos: int) -> dict[str, tuple[int, int]] | list[int] | None:
        memo = self._members.get(pos)
        if memo is not None:
            return memo
        text, ch = self.text, self.text[pos]
        if ch == "{":
            members: dict[str, tuple[int, int]] = {}
            i = self._ws(pos + 1)
            if text[i] != "}":
                while True:
                    key, end = self._scan(text, i + 1)
                    j = self._ws(self._ws(end) + 1)  # past ':'
                    members[key] = (i, j)
                    i = self._ws(self._skip(j))
                    if text[i] == ",":
                        i = self._ws(i + 1)
                        continue
                    break
            self._members[pos] = members
            return members
        if ch == "[":
            items: list[int] = []
            i = self._ws(pos + 1)
            if text[i] != "]":
                while True:
                    items.append(i)
                    i = self._ws(self._skip(i))
                    if text[i] == ",":
                        i = self._ws(i + 1)
                        continue
                    break
            self._members[pos] = items
            return items
        return None

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]:
        pos = self._ws(0)
        at = pos
        try:
            for tok in tokens:
                children = self._children(pos)
                if isinstance(children, dict):
                    at, pos = children[tok]
                elif isinstance(children, list):
                    at = pos = children[int(tok)]
                else:
                    break
        except (KeyError, IndexError, ValueError):
            pass  # point at the deepest node that exists
        if self._lines is None:
            self._lines = _Lines(self.text)
        return self._lines.at(at)


class YamlLocator:
    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self._maps: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]:
        node = self.root
        if node is None:
            return 1, 1
        mark = node.start_mark
        for tok in tokens:
            if isinstance(node, yaml.MappingNode):
                members = self._maps.get(id(node))
                if members is None:
                    members = {str(k.value): (k, v) for k, v in node.value}
                    self._maps[id(node)] = members
                if tok not in members:
                    break
                key, node = members[tok]
                mark = key.start_mark
            elif isinstance(node, yaml.SequenceNode):
                try:
                    node = node.value[int(tok)]
                except (ValueError, IndexError):
                    break
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1


class SourceFile:
    """One loaded file: its data, how to locate pointers in it, and the loader it belongs to."""

    def __init__(self, path: Path, name: str, data: Any, locator: JsonLocator | YamlLocator,
                 loader: Loader) -> None:
        self.path = path
        self.name = name
        self.data = data
        self.locator = locator
        self.loader = loader

    def location(self, pointer: str) -> Location:
        line, column = self.locator.locate(parse_pointer(pointer))
        return Location(self.name, pointer, line, column)

    def node(self, pointer: str = "") -> Node:
        value = self.data
        for tok in parse_pointer(pointer):
            value = value[int(tok)] if isinstance(value, list) else value[tok]
        return Node(self, pointer, value)

    def ancestors(self, pointer: str) -> list[Any]:
        """Values from the root down to ``pointer`` (as far as it exists)."""
        out, value = [self.data], self.data
        for tok in parse_pointer(pointer):
            try:
                value = value[int(tok)] if isinstance(value, list) else value[tok]
            except (KeyError, IndexError, ValueError, TypeError):
                break
            out.append(value)
        return out


def _construct(root: yaml.Node | None) -> Any:
    if root is None:
        return None
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_document(root)


class Loader:
    """Loads the root document and every file it references, once each."""

    def __init__(self, base: Path | None = None) -> None:
        self.files: dict[Path, SourceFile] = {}
        self.base = base
        self._refs: dict[tuple[int, str], Node] = {}

    def load(self, path: str | os.PathLike[str]) -> SourceFile:
        p = Path(path).resolve()
        if p in self.files:
            return self.files[p]
        if self.base is None:
            self.base = p.parent
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LoadError(f"{path}: cannot read: {exc}") from None
        try:
            name = os.path.relpath(p, self.base)
        except ValueError:
            name = str(p)
        src = self.from_text(text, name, p)
        self.files[p] = src
        return src

    def from_text(self, text: str, name: str, path: Path | None = None) -> SourceFile:
        stripped = text.lstrip()
        locator: JsonLocator | YamlLocator
        if stripped[:1] in ("{", "["):
            try:
                data = json.loads(text)
                locator = JsonLocator(text)
                return SourceFile(path or Path(name), name, data, locator, self)
            except json.JSONDecodeError:
                pass  # YAML flow style, maybe
        try:
            root = yaml.compose(text, Loader=_LOADER)
            data = _construct(root)
        except yaml.YAMLError as exc:
            raise LoadError(f"{name}: not valid YAML or JSON: {exc}") from None
        return SourceFile(path or Path(name), name, data, YamlLocator(root), self)

    def resolve_ref(self, src: SourceFile, ref: str) -> Node:
        key = (id(src), ref)
        hit = self._refs.get(key)
        if hit is None:
            hit = self._refs[key] = self._resolve_ref(src, ref)
        return hit

    def _resolve_ref(self, src: SourceFile, ref: str) -> Node:
        target, _, fragment = ref.partition("#")
        if target:
            if "://" in target:
                raise LoadError(f"{src.name}: remote $ref {ref!r} is not followed")
            other = self.load(src.path.parent / unquote(target))
        else:
            other = src
        pointer = unquote(fragment)
        try:
            return other.node(pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            raise LoadError(f"{src.name}: $ref {ref!r} does not resolve") from None

    def deref(self, node: Node) -> Node:
        if not (isinstance(node.value, dict) and "$ref" in node.value):
            return node  # the common case: nothing to follow
        seen: set[tuple[int, str]] = set()
        while isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            key = (id(node.source), node.pointer)
            if key in seen:
                break
            seen.add(key)
            try:
                node = self.resolve_ref(node.source, node.value["$ref"])
            except LoadError:
                break
        return node
