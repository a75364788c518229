"""Load OpenAPI documents (YAML or JSON, many files) keeping where every node came from.

Speed matters (a 13 MB spec must lint in well under 2.5 s), so locations are computed only
for the nodes that findings point at, never for the whole tree:

* JSON: the data comes from the stdlib ``json`` (C); a :class:`JsonLocator` finds a pointer's
  offset by walking the raw text, skipping sibling values with ``raw_decode`` (C) and memoising
  each visited container's member offsets, then maps offset -> line/column with a line index.
* JSON that is exactly what ``orjson.dumps`` writes for its own data, minified or indented by
  two spaces (what ``JSON.stringify`` writes too: Microsoft Graph's 47 MB one-line document,
  GitHub's indented one) is read with ``orjson`` (a core dependency; if it is missing the
  ``json`` path below is taken) and located by a :class:`CanonicalJsonLocator`: a member's offset is
  the sum of its predecessors' serialized lengths, so the text is never scanned. Such a text
  cannot hold a duplicate key (the value kept would serialize shorter than the text), so it
  needs no duplicate check either; anything else takes the ``json`` path.
* YAML: ``yaml.compose`` with the libyaml ``CSafeLoader`` gives nodes with marks; the data is
  constructed from that same node tree, which the :class:`YamlLocator` keeps for lookups.

``$ref`` is never inlined: :meth:`Loader.deref` follows a reference (``#/local``,
``other.yaml#/x``, ``other.yaml``) to the node in the file it lives in, so findings inside a
referenced schema carry that file's name, line and column.

Untrusted input is bounded: a file larger than ``max_bytes`` (or a device such as
``/dev/zero``) is refused, YAML aliases that expand past :data:`MAX_EXPANDED_NODES` (an alias
bomb) or refer to themselves are refused, and a ``$ref`` is followed only to a local file under
the spec's root directory (or a directory given with ``allow_refs``): remote references are
never fetched. What cannot be followed, and duplicate keys (which YAML and JSON loaders
resolve silently by keeping the later value), are recorded in :attr:`Loader.problems` and
become findings (rules OAS002-OAS004 in :mod:`interopcheck.rules.document`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

try:  # a core dependency; should it be missing, every JSON document takes the json path
    import orjson
except ImportError:  # pragma: no cover - only when orjson could not be installed
    orjson = None  # type: ignore[assignment]

from interopcheck.errors import InteropcheckError
from interopcheck.rules.targets import Location, Node

__all__ = ["DEFAULT_MAX_BYTES", "MAX_EXPANDED_NODES", "LoadError", "Loader", "Problem",
           "RefError", "SourceFile", "parse_pointer"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WS = re.compile(r"[ \t\n\r]*")
_WS_CHARS = frozenset(" \t\n\r")
_JSON_REF = re.compile(r'"\$ref"\s*:\s*"((?:[^"\\]|\\.)*)"')
_UTF8_CONTINUATION = re.compile(rb"[\x80-\xbf]")
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]")

#: the inline suppression key (:mod:`interopcheck.lint.config`)
INLINE_IGNORE = "x-interopcheck-ignore"
#: files larger than this are refused (``--max-size``); Microsoft Graph beta is 47 MB
DEFAULT_MAX_BYTES = 256 * 2**20
#: YAML aliases may not expand a document to more nodes than this (or 4x its own size)
MAX_EXPANDED_NODES = 2_000_000


class LoadError(InteropcheckError):
    """A document that cannot be read or parsed, or a ``$ref`` that does not resolve."""


class RefError(LoadError):
    """A ``$ref`` that is not followed: ``rule`` is OAS003 (does not resolve) or OAS004
    (remote, or outside the spec's root)."""

    def __init__(self, message: str, rule: str = "OAS003") -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(slots=True)
class Problem:
    """Something wrong with the document itself, found while loading (not a rule finding)."""

    rule: str
    message: str
    source: SourceFile
    pointer: str


def parse_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise LoadError(f"bad JSON pointer {pointer!r}")
    if "~" not in pointer:  # nearly every pointer: nothing to unescape
        return pointer[1:].split("/")
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
        if self.text[pos:pos + 1] not in _WS_CHARS:  # minified JSON: no regex call at all
            return pos
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


class CanonicalJsonLocator:
    """Offsets of JSON Pointers in a text that is exactly ``orjson.dumps(data)``: minified
    (``indent=0``, one line) or indented by two spaces (``indent=2``, ``OPT_INDENT_2``; what
    ``JSON.stringify(data, null, 2)`` writes: the GitHub document). A member's offset in its
    container is the sum of the serialized lengths of the members before it; a value nested
    ``d`` levels deep is ``2 * d`` spaces longer per line break than on its own."""

    def __init__(self, raw: bytes, data: Any, indent: int = 0) -> None:
        self.raw = raw
        self.data = data
        self.indent = indent
        self._dumps = functools.partial(orjson.dumps, option=orjson.OPT_INDENT_2) \
            if indent else orjson.dumps
        #: byte offsets of UTF-8 continuation bytes (byte offset -> character offset)
        self._continuations: list[int] | None = None
        self._line_starts: list[int] | None = None
        #: id(container) -> its members' offsets relative to its start (see locate)
        self._offsets: dict[int, dict[str, tuple[int, int]] | list[int]] = {}

    def locate(self, tokens: Sequence[str]) -> tuple[int, int]:
        """One pointer (``interopcheck breaking`` asks one change at a time): each container
        on the way has all its members measured once, and kept."""
        value, pos, at, depth = self.data, 0, 0, 0
        try:
            for tok in tokens:
                if isinstance(value, dict):
                    rel_at, rel = self._members_of(value, depth)[tok]  # type: ignore[index]
                    value = value[tok]
                    at, pos = pos + rel_at, pos + rel
                elif isinstance(value, list):
                    index = int(tok)
                    rel = self._members_of(value, depth)[index]  # type: ignore[index]
                    value = value[index]
                    at = pos = pos + rel
                else:
                    break
                depth += 1
        except (KeyError, IndexError, ValueError):
            pass  # point at the deepest node that exists
        return self._line_column(at)

    def _members_of(self, value: dict[str, Any] | list[Any], depth: int,
                    ) -> dict[str, tuple[int, int]] | list[int]:
        memo = self._offsets.get(id(value))
        if memo is not None:
            return memo
        lead = 1 + self.indent * (depth + 1) if self.indent else 0  # line break + indentation
        sep = 2 if self.indent else 1  # ": " or ":"
        i = 1
        if isinstance(value, dict):
            members: dict[str, tuple[int, int]] = {}
            for key, item in value.items():
                key_at = i + lead
                j = key_at + len(orjson.dumps(key)) + sep
                members[key] = (key_at, j)
                i = j + self._length(item, depth + 1) + 1
            self._offsets[id(value)] = members
            return members
        items: list[int] = []
        for item in value:
            items.append(i + lead)
            i += lead + self._length(item, depth + 1) + 1
        self._offsets[id(value)] = items
        return items

    def locate_all(self, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(line, column) of each pointer (each ``""`` or starting with ``/``), in one descent
        over the tree of their tokens: each container on the way is read once, its members'
        offsets summed from the lengths of those before them (a member on the way is summed
        from its own members, the others are serialized once)."""
        trie: dict[str, Any] = {}
        pointers = list(pointers)
        for pointer in pointers:
            node = trie
            if pointer:
                for raw in pointer[1:].split("/"):
                    node = node.setdefault(raw, {})
        found: dict[str, int] = {}
        self._descend(self.data, 0, 0, 0, trie, "", found)
        return {p: self._line_column(found[p]) for p in pointers}

    def _length(self, value: Any, depth: int) -> int:
        """Bytes ``value`` takes ``depth`` levels deep."""
        text = self._dumps(value)
        return len(text) + 2 * depth * text.count(b"\n") if self.indent and depth else len(text)

    def _descend(self, value: Any, pos: int, at: int, depth: int, trie: dict[str, Any],
                 pointer: str, found: dict[str, int]) -> int:
        """Record ``at`` for ``pointer`` and, below it, for everything ``trie`` holds; return
        the length of ``value`` (which starts at ``pos``, ``depth`` levels deep). The members
        between two wanted ones are measured together, as one container of them: minified,
        that is 2 + their lengths + a comma between each two; indented, each member also
        starts on a new line, indented one level more, and the closing bracket on its own
        line."""
        found[pointer] = at
        if not trie:
            return self._length(value, depth)
        if not isinstance(value, (dict, list)) or not value:  # nothing below it
            for raw, sub in trie.items():
                _stop_at(at, sub, f"{pointer}/{raw}", found)
            return self._length(value, depth)
        size = len(value)
        wanted: dict[int, list[str]] = {}  # member index -> raw pointer tokens naming it
        missing: list[str] = []  # tokens that name nothing here
        if isinstance(value, dict):
            index = dict(zip(value, range(size), strict=True))
            for raw in trie:
                i = index.get(_unescape(raw))
                if i is None:
                    missing.append(raw)
                else:
                    wanted.setdefault(i, []).append(raw)
        else:
            for raw in trie:
                try:
                    i = int(raw)
                except ValueError:
                    i = size
                if -size <= i < size:
                    wanted.setdefault(i % size, []).append(raw)
                else:
                    missing.append(raw)
        # Each member with what surrounds it: minified, the member and its comma; indented,
        # a line break, the member's indentation, the member and its comma. A container of
        # k members is 1 byte longer than k of those (its brackets, no last comma); indented,
        # 2 + 2 * depth longer (its closing bracket on a line of its own, no last comma).
        lead = 1 + self.indent * (depth + 1) if self.indent else 0  # line break + indentation
        extra = 1 + self.indent * depth + 1 if self.indent else 1
        sep = 2 if self.indent else 1  # ": " or ":"
        length = self._length
        i = pos + 1  # offsets are absolute
        done = 0  # members measured so far
        # A wanted member with nothing wanted below it needs only its own offset: it is
        # measured with the members after it. One below which more is wanted is descended.
        if isinstance(value, dict):
            members = iter(value.items())
            for n in sorted(wanted):
                if n > done:
                    gap = dict(itertools.islice(members, n - done))
                    i += length(gap, depth) - extra
                    done = n
                deeper = []
                for raw in wanted[n]:
                    if trie[raw]:
                        deeper.append(raw)
                    else:
                        found[f"{pointer}/{raw}"] = i + lead
                if deeper:
                    key, item = next(members)
                    key_at = i + lead
                    j = key_at + len(orjson.dumps(key)) + sep  # past '"key": '
                    for raw in deeper:
                        size_of = self._descend(item, j, key_at, depth + 1, trie[raw],
                                                f"{pointer}/{raw}", found)
                    i = j + size_of + 1  # past the value and its comma
                    done = n + 1
            if done < size:
                i += length(dict(members), depth) - extra
        else:
            for n in sorted(wanted):
                if n > done:
                    i += length(value[done:n], depth) - extra
                    done = n
                deeper = []
                for raw in wanted[n]:
                    if trie[raw]:
                        deeper.append(raw)
                    else:
                        found[f"{pointer}/{raw}"] = i + lead
                if deeper:
                    item_at = i + lead
                    for raw in deeper:
                        size_of = self._descend(value[n], item_at, item_at, depth + 1,
                                                trie[raw], f"{pointer}/{raw}", found)
                    i = item_at + size_of + 1
                    done = n + 1
            if done < size:
                i += length(value[done:], depth) - extra
        for raw in missing:  # their pointers stop at this node
            _stop_at(at, trie[raw], f"{pointer}/{raw}", found)
        return i - pos - 1 + extra  # no comma after the last member; the closing bracket

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._continuations is None:
            self._continuations = _continuations(self.raw)
            self._line_starts = [0] if not self.indent else [
                0, *itertools.accumulate(map((1).__add__, map(len, self.raw.split(b"\n"))))]
        cont = self._continuations
        if not self.indent:  # one line: column = characters before the offset
            return 1, offset - bisect.bisect_left(cont, offset) + 1
        starts = self._line_starts
        assert starts is not None
        line = bisect.bisect_right(starts, offset) - 1
        chars = (offset - starts[line]) - (bisect.bisect_left(cont, offset)
                                           - bisect.bisect_left(cont, starts[line]))
        return line + 1, chars + 1


def _stop_at(at: int, trie: dict[str, Any], pointer: str, found: dict[str, int]) -> None:
    found[pointer] = at
    for raw, sub in trie.items():
        _stop_at(at, sub, f"{pointer}/{raw}", found)


def _unescape(token: str) -> str:
    return token if "~" not in token else token.replace("~1", "/").replace("~0", "~")


def _continuations(raw: bytes, chunk: int = 1 << 16) -> list[int]:
    """Offsets of the UTF-8 continuation bytes in ``raw``; only chunks that are not ASCII
    (``isascii`` is C-fast; Graph's 47 MB hold about 200 other characters) are searched."""
    out: list[int] = []
    for start in range(0, len(raw), chunk):
        piece = raw[start:start + chunk]
        if not piece.isascii():
            out.extend(start + m.start() for m in _UTF8_CONTINUATION.finditer(piece))
    return out


def canonical_json(raw: bytes) -> tuple[Any, int] | None:
    """``(data, indent)`` if ``raw`` is exactly ``orjson.dumps`` of its data, minified
    (``indent`` 0) or indented by two spaces (2), an optional newline at the end aside;
    else None."""
    if orjson is None or raw[:1] not in (b"{", b"["):
        return None
    body = raw[:-1] if raw.endswith(b"\n") else raw
    indent = 0
    if b"\n" in body:
        if not (body[1:4] == b"\n  " and body[4:5] not in (b" ", b"\t")):
            return None  # pretty-printed otherwise: the json path skips by indentation
        indent = 2
    try:
        data = orjson.loads(body)
        again = orjson.dumps(data, option=orjson.OPT_INDENT_2) if indent else orjson.dumps(data)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    return (data, indent) if again == body else None


_JsonLocators = (JsonLocator, CanonicalJsonLocator)
_CANONICAL_REF = {  # by indent: minified '"$ref":"...', indented '"$ref": "...'
    0: re.compile(rb'"\$ref":"([^"\\]*+(?:\\.[^"\\]*+)*+)"'),
    2: re.compile(rb'"\$ref": "([^"\\]*+(?:\\.[^"\\]*+)*+)"'),
}


def _canonical_refs(raw: bytes, indent: int) -> list[str]:
    """What ``_JSON_REF.findall`` finds, in a canonical text: the whitespace is known (the
    literal prefix lets the regex engine skip ahead) and the string is matched without
    backtracking; inside a string every quote is escaped, so no match starts in one."""
    return [ref.decode() if b"\\" not in ref else json.loads(b'"' + ref + b'"')
            for ref in _CANONICAL_REF[indent].findall(raw)]


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

    def __init__(self, path: Path, name: str, data: Any,
                 locator: JsonLocator | CanonicalJsonLocator | YamlLocator,
                 loader: Loader) -> None:
        self.path = path
        self.name = name
        self.data = data
        self.locator = locator
        self.loader = loader
        #: YAML: every ``$ref`` string with the pointer of its ``$ref`` member (JSON files
        #: find theirs in the text, see :meth:`Loader.check_refs`)
        self.yaml_refs: list[tuple[str, str]] = []
        #: whether the text mentions inline suppressions at all (most documents do not: then
        #: no finding needs its ancestors looked at)
        self.has_inline_ignores = True
        #: answers rule helpers keep for this file, e.g. ("properties", pointer) -> dict
        #: (:func:`interopcheck.rules._schema.properties`); the document does not change
        self.rule_memo: dict[tuple[str, str], Any] = {}
        self._locations: dict[str, Location] = {}

    def prepare_locations(self, pointers: Iterable[str]) -> None:
        """Locate every one of ``pointers`` now (one-line JSON: all at once is quicker)."""
        if not isinstance(self.locator, CanonicalJsonLocator):
            return
        todo = [p for p in pointers
                if p not in self._locations and (not p or p.startswith("/"))]
        name, memo = self.name, self._locations
        for pointer, (line, column) in self.locator.locate_all(todo).items():
            memo[pointer] = Location(name, pointer, line, column)

    def location(self, pointer: str) -> Location:
        # many findings share a node (Graph's 22,000 operations share one error schema)
        hit = self._locations.get(pointer)
        if hit is None:
            line, column = self.locator.locate(parse_pointer(pointer))
            hit = self._locations[pointer] = Location(self.name, pointer, line, column)
        return hit

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


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes the document has once every alias is expanded; raises LoadError past ``limit``
    or on an alias that contains itself. Shared nodes are counted by memo, not walked again."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            if isinstance(node, yaml.MappingNode):
                total = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                total = 1 + sum(sizes[id(v)] for v in node.value)
            else:
                total = 1
            if total > limit:
                raise LoadError(f"YAML aliases expand the document past {limit:,} nodes "
                                "(an alias bomb?); refusing to load it")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_:
            raise LoadError("a YAML alias refers to a node that contains it (recursive "
                            "alias); refusing to load it")
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        children = ([c for kv in node.value for c in kv] if isinstance(node, yaml.MappingNode)
                    else node.value)
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _inspect_yaml(root: yaml.Node | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """One pass over the composed nodes: (duplicate keys, ``$ref`` strings), each with a
    pointer. A node shared through aliases is visited once."""
    dups: list[tuple[str, str]] = []
    refs: list[tuple[str, str]] = []
    if root is None:
        return dups, refs
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, yaml.ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in node.value:
                name = str(k.value) if isinstance(k, yaml.ScalarNode) else ""
                if name in keys and name != "<<":
                    dups.append((name, ptr))
                keys.add(name)
                if name == "$ref" and isinstance(v, yaml.ScalarNode):
                    refs.append((str(v.value), ptr + "/$ref"))
                elif not isinstance(v, yaml.ScalarNode):
                    stack.append((v, ptr + "/" + name.replace("~", "~0").replace("/", "~1")))
        else:
            for i, v in enumerate(node.value):
                if not isinstance(v, yaml.ScalarNode):
                    stack.append((v, f"{ptr}/{i}"))
    return dups, refs


def _pointers_of(data: Any, wanted: Iterable[int]) -> dict[int, str]:
    """Pointers of the containers whose ``id`` is in ``wanted`` (a walk, used only when a
    problem was found)."""
    want = set(wanted)
    out: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack and len(out) < len(want):
        value, ptr = stack.pop()
        if id(value) in want:
            out.setdefault(id(value), ptr)
        if isinstance(value, dict):
            stack.extend((v, ptr + "/" + str(k).replace("~", "~0").replace("/", "~1"))
                         for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, f"{ptr}/{i}") for i, v in enumerate(value)
                         if isinstance(v, (dict, list)))
    return out


def _within(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


class Loader:
    """Loads the root document and every file it references, once each.

    ``root``: the directory ``$ref`` may read files under (default: the root spec's
    directory); ``allow_refs``: more such directories. ``max_bytes``: the largest file read.
    """

    def __init__(self, base: Path | None = None, *, root: Path | None = None,
                 allow_refs: Sequence[str | os.PathLike[str]] = (),
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.files: dict[Path, SourceFile] = {}
        self.base = base
        self.root = root.resolve() if root is not None else None
        self.allow_refs = [Path(d).resolve() for d in allow_refs]
        self.max_bytes = max_bytes
        self.problems: list[Problem] = []
        #: "3.0" or "3.1", set by the engine from the root document
        self.oas_version = "3.0"
        self._refs: dict[tuple[int, str], Node] = {}
        self._derefs: dict[tuple[int, str], Node] = {}

    def _read(self, p: Path, shown: str) -> bytes:
        try:
            if not p.is_file():
                what = "no such file" if not p.exists() else "not a regular file"
                raise LoadError(f"{shown}: cannot read: {what}")
            with p.open("rb") as fh:
                raw = fh.read(self.max_bytes + 1)
        except OSError as exc:
            raise LoadError(f"{shown}: cannot read: {exc.strerror or exc}") from None
        if len(raw) > self.max_bytes:
            raise LoadError(f"{shown}: larger than the {self.max_bytes // 2**20} MiB limit "
                            "(raise it with --max-size)")
        return raw

    @staticmethod
    def _decode(raw: bytes, shown: str) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LoadError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") \
                from None

    def load(self, path: str | os.PathLike[str]) -> SourceFile:
        p = Path(path).resolve()
        if p in self.files:
            return self.files[p]
        if self.base is None:
            self.base = p.parent
        if self.root is None:
            self.root = p.parent
        raw = self._read(p, str(path))
        try:
            name = os.path.relpath(p, self.base)
        except ValueError:
            name = str(p)
        if name.startswith(".."):  # outside the base directory: no relative path attaches
            name = str(p)
        canonical = canonical_json(raw)
        if canonical is not None:
            data, indent = canonical
            src = SourceFile(p, name, data, CanonicalJsonLocator(raw, data, indent), self)
            src.has_inline_ignores = INLINE_IGNORE.encode() in raw
        else:
            src = self.from_text(self._decode(raw, str(path)), name, p)
        self.files[p] = src
        return src

    def from_text(self, text: str, name: str, path: Path | None = None) -> SourceFile:
        stripped = text.lstrip()
        if stripped[:1] in ("{", "["):
            dups: list[tuple[dict[str, Any], list[str]]] = []

            def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
                d = dict(pairs)
                if len(d) != len(pairs):
                    seen: set[str] = set()
                    dups.append((d, [k for k, _ in pairs if k in seen or seen.add(k)]))
                return d

            try:
                data = json.loads(text, object_pairs_hook=pairs_hook)
            except json.JSONDecodeError:
                pass  # YAML flow style, maybe
            except RecursionError:
                raise LoadError(f"{name}: nested too deeply to load") from None
            else:
                src = SourceFile(path or Path(name), name, data, JsonLocator(text), self)
                src.has_inline_ignores = INLINE_IGNORE in text
                if dups:
                    where = _pointers_of(data, (id(d) for d, _ in dups))
                    for d, keys in dups:
                        for k in keys:
                            self._duplicate(src, k, where.get(id(d), ""))
                return src
        try:
            root = yaml.compose(text, Loader=_LOADER)
            if root is not None and _ANCHOR.search(text):
                _expanded_size(root, max(MAX_EXPANDED_NODES, len(text)))
            data = _construct(root)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise LoadError(f"{name}: not valid YAML or JSON{at}: "
                            f"{exc.problem or exc.context}") from None
        except yaml.YAMLError as exc:
            raise LoadError(f"{name}: not valid YAML or JSON: {exc}") from None
        except LoadError as exc:
            raise LoadError(f"{name}: {exc}") from None
        except RecursionError:
            raise LoadError(f"{name}: nested too deeply to load") from None
        src = SourceFile(path or Path(name), name, data, YamlLocator(root), self)
        src.has_inline_ignores = INLINE_IGNORE in text
        dups_y, src.yaml_refs = _inspect_yaml(root)
        for key, ptr in dups_y:
            self._duplicate(src, key, ptr)
        return src

    def _duplicate(self, src: SourceFile, key: str, ptr: str) -> None:
        self.problems.append(Problem(
            "OAS002", f"duplicate key {key!r}: the loader keeps only the later value, the "
                      "earlier one is silently lost", src,
            ptr + "/" + key.replace("~", "~0").replace("/", "~1")))

    def resolve_ref(self, src: SourceFile, ref: str) -> Node:
        key = (id(src), ref)
        hit = self._refs.get(key)
        if hit is None:
            hit = self._refs[key] = self._resolve_ref(src, ref)
        return hit

    def _resolve_ref(self, src: SourceFile, ref: str) -> Node:
        target, _, fragment = ref.partition("#")
        if target:
            if "://" in target or target.startswith("//"):
                raise RefError(f"remote $ref {ref!r} is not fetched (interopcheck never reads "
                               "the network); bundle it into the document", "OAS004")
            p = (src.path.parent / unquote(target)).resolve()
            roots = [r for r in (self.root, *self.allow_refs) if r is not None]
            if not _within(p, roots):
                raise RefError(f"$ref {ref!r} points outside the spec's directory; not read "
                               "(allow a directory with --allow-ref DIR)", "OAS004")
            try:
                other = self.load(p)
            except RefError:
                raise
            except LoadError as exc:
                raise RefError(f"$ref {ref!r}: {str(exc).partition(': ')[2] or exc}") \
                    from None
        else:
            other = src
        pointer = unquote(fragment)
        try:
            return other.node(pointer)
        except (KeyError, IndexError, ValueError, TypeError, LoadError):
            raise RefError(f"$ref {ref!r} does not resolve") from None

    def _refs_in(self, src: SourceFile) -> list[tuple[str, str | None, int]]:
        """(ref, pointer or None, text offset) for every ``$ref`` in ``src``."""
        if isinstance(src.locator, CanonicalJsonLocator):
            return [(ref, None, -1)
                    for ref in _canonical_refs(src.locator.raw, src.locator.indent)]
        if isinstance(src.locator, JsonLocator):
            text = src.locator.text
            # unescape only what has escapes (a JSON string literal): nearly no $ref does
            return [(ref if "\\" not in ref else json.loads(f'"{ref}"'), None, -1)
                    for ref in _JSON_REF.findall(text)]
        return [(ref, ptr, -1) for ref, ptr in src.yaml_refs]

    def check_refs(self) -> None:
        """Resolve every ``$ref`` in every loaded file (files reached on the way included) and
        record each one that cannot be followed as a problem at the ``$ref`` member."""
        done: set[Path] = set()
        while True:
            todo = [s for p, s in list(self.files.items()) if p not in done]
            if not todo:
                return
            for src in todo:
                done.add(src.path)
                failed: dict[str, RefError] = {}
                tried: set[str] = set()
                occurrences = self._refs_in(src)
                for ref, _, _ in occurrences:
                    if ref in tried:
                        continue
                    tried.add(ref)
                    try:
                        self.resolve_ref(src, ref)
                    except RefError as exc:
                        failed[ref] = exc
                if not failed:
                    continue
                if isinstance(src.locator, _JsonLocators):
                    pointers = self._ref_pointers(src, set(failed))
                    for ref, exc in failed.items():
                        for ptr in pointers.get(ref, [""]):
                            self.problems.append(Problem(exc.rule, str(exc), src, ptr))
                else:
                    for ref, ptr, _ in occurrences:
                        if ref in failed:
                            exc = failed[ref]
                            self.problems.append(Problem(exc.rule, str(exc), src, ptr or ""))

    @staticmethod
    def _ref_pointers(src: SourceFile, refs: set[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        stack: list[tuple[Any, str]] = [(src.data, "")]
        while stack:
            value, ptr = stack.pop()
            if isinstance(value, dict):
                ref = value.get("$ref")
                if isinstance(ref, str) and ref in refs:
                    out.setdefault(ref, []).append(ptr + "/$ref")
                stack.extend((v, ptr + "/" + str(k).replace("~", "~0").replace("/", "~1"))
                             for k, v in value.items() if isinstance(v, (dict, list)))
            elif isinstance(value, list):
                stack.extend((v, f"{ptr}/{i}") for i, v in enumerate(value)
                             if isinstance(v, (dict, list)))
        for ptrs in out.values():
            ptrs.sort()
        return out

    def deref(self, node: Node) -> Node:
        value = node.value
        if not (isinstance(value, dict) and "$ref" in value):
            return node  # the common case: nothing to follow
        ref = value["$ref"]
        if not isinstance(ref, str):
            return node
        # Graph's 22,000 operations refer to the same few responses and parameters: a chain
        # that ends at a real node ends there from wherever it starts (cycles and broken
        # references are not memoised: where those stop depends on the start)
        key = (id(node.source), ref)
        hit = self._derefs.get(key)
        if hit is None:
            hit = self._follow(node)
            if isinstance(hit.value, dict) and "$ref" in hit.value:
                return hit
            self._derefs[key] = hit
        return hit

    def _follow(self, node: Node) -> Node:
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
