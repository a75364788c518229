"""Which differences to drop: JSON paths, JSON Pointers and header names.

Difference paths are JSONPath-like (``$.resource_providers[*].links``,
``$["key-with-dash"]``, ``$.errors[0].code``). An ignore pattern may be written
as the same JSONPath, with ``*`` for any one key or index and ``..`` for any
depth (``$..links``), or as a JSON Pointer (``/resource_providers/*/links``,
numbers stand for any index). A pattern covers the path it names and everything
below it. Header rules name a header (case-insensitive, ``*`` globs allowed);
``status`` names the status code.

:func:`load_ignores` reads the rules a user gives (expressions and a YAML file), for the
command line, the pytest plugin and library callers alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

import yaml

from interopcheck.errors import UsageError
from interopcheck.microversion import Version, VersionError
from interopcheck.profile.loader import parse_ignore
from interopcheck.profile.model import IgnoreRule

__all__ = [
    "BODY_KINDS",
    "HEADER_KINDS",
    "covers",
    "ignored",
    "load_ignores",
    "matches",
    "parse_path",
]

HEADER_KINDS = frozenset({"header-missing", "header-extra", "header-value"})
BODY_KINDS = frozenset({"body-shape", "error-code", "error-detail"})
_INDEX = "[]"
_ANY = "*"
_DEEP = "**"
_TOKEN = re.compile(r'\.\.|\.([^.\[]*)|\[\s*(\*|\d+|"[^"]*"|\'[^\']*\')\s*\]')


@lru_cache(maxsize=4096)
def parse_path(text: str) -> tuple[str, ...]:
    """Segments of a JSONPath-like path or JSON Pointer; indices become ``[]``."""
    text = text.strip()
    if text.startswith("/") or text == "":
        segments = []
        for raw in text.split("/")[1:]:
            seg = raw.replace("~1", "/").replace("~0", "~")
            segments.append(_INDEX if seg.isdigit() else seg)
        return tuple(segments)
    if not text.startswith("$"):
        raise ValueError(f"{text!r} is neither a JSONPath ($...) nor a JSON Pointer (/...)")
    segments = []
    pos = 1
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read the path {text!r} at character {pos}")
        pos = match.end()
        if match.group(0) == "..":
            segments.append(_DEEP)
            if pos < len(text) and text[pos] not in ".[":
                name_end = re.match(r"[^.\[]*", text[pos:])
                assert name_end is not None
                segments.append(name_end.group(0))
                pos += name_end.end()
        elif match.group(1) is not None:
            segments.append(match.group(1))
        else:
            inner = match.group(2)
            if inner == "*":
                segments.append(_ANY)
            elif inner.isdigit():
                segments.append(_INDEX)
            else:
                segments.append(inner[1:-1])
    return tuple(segments)


def _match(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """True if ``pattern`` matches ``path`` or a prefix of it."""
    if not pattern:
        return True
    head, rest = pattern[0], pattern[1:]
    if head == _DEEP:
        return any(_match(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    seg = path[0]
    if head == _ANY or head == seg or (head == _INDEX and seg == _ANY):
        return _match(rest, path[1:])
    return False


def covers(pattern: str, path: str) -> bool:
    """True if the path pattern names ``path`` or one of its ancestors."""
    try:
        return _match(parse_path(pattern), parse_path(path))
    except ValueError:
        return False


def matches(rule: IgnoreRule, *, scenario: str, call: str, version: Version | None,
            kind: str, path: str) -> bool:
    """True if ``rule`` drops a difference of ``kind`` at ``path``."""
    if rule.kind is not None and rule.kind != kind:
        return False
    if rule.scenario is not None and not fnmatchcase(scenario, rule.scenario):
        return False
    if rule.call is not None and not fnmatchcase(call, rule.call):
        return False
    if version is not None and not rule.microversions.unbounded and version not in \
            rule.microversions:
        return False
    if rule.header is not None:
        return kind in HEADER_KINDS and fnmatchcase(path.lower(), rule.header.lower())
    if rule.path == "status":
        return kind == "status"
    if rule.path is not None and kind in BODY_KINDS:
        return covers(rule.path, path)
    return False


def ignored(rules: Iterable[IgnoreRule], *, scenario: str, call: str, version: Version | None,
            kind: str, path: str) -> IgnoreRule | None:
    """The first rule that drops the difference, or None."""
    for rule in rules:
        if matches(rule, scenario=scenario, call=call, version=version, kind=kind, path=path):
            return rule
    return None


def load_ignores(expressions: Iterable[str] = (), file: str | Path | None = None, *,
                 expression_option: str = "--ignore",
                 file_option: str = "--ignore-file") -> tuple[IgnoreRule, ...]:
    """The ignore rules of ``expressions`` (``$.a[*].b``, ``/a/*/b``, ``status``,
    ``header:NAME``) and of ``file`` (a YAML list of such strings or of mappings with
    path/header, kind, scenario, call, microversions, reason; or ``{ignore: [...]}``).

    Raises :class:`~interopcheck.errors.UsageError` naming the option (``expression_option``,
    ``file_option``) and the entry at fault.
    """
    rules: list[IgnoreRule] = []
    for expr in expressions:
        try:
            rules.append(parse_ignore(expr, origin=expression_option))
        except ValueError as exc:
            raise UsageError(f"{expression_option}: {exc}") from None
    if file:
        try:
            document = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"{file_option} {file}: cannot read it: {exc}") from None
        if isinstance(document, dict):
            document = document.get("ignore")
        if not isinstance(document, list):
            raise UsageError(f"{file_option} {file}: expected a YAML list of rules")
        for i, raw in enumerate(document):
            try:
                rules.append(parse_ignore(raw, origin=f"{file}[{i}]"))
            except (ValueError, VersionError) as exc:
                raise UsageError(f"{file_option} {file}: entry {i}: {exc}") from None
    return tuple(rules)
