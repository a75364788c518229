"""Compare two Exchanges by structure, not by value.

Two responses are structurally equal when they have

- the same status code;
- the same set of response header names (case-insensitive), ignoring the
  server-level ones in :data:`SERVER_HEADERS` plus any configured extras;
- the same values of the protocol headers in :data:`VALUE_HEADERS`, and the same
  ``Location`` once its scheme/host are dropped and UUIDs replaced by ``{uuid}``;
- bodies of the same shape (:mod:`interopcheck.compare.shape`);
- for API-SIG error bodies (``{"errors": [...]}``): the same ``errors[].status`` and
  ``errors[].code`` values, and the same specific message in ``errors[].detail``
  (the text after webob's generic explanation, UUIDs normalised); for text/plain or
  HTML error bodies, the same text (UUIDs normalised, runs of white space collapsed).

Messages are compared without the text libraries put into them
(:func:`library_text_removed`: jsonschema's schema dumps, database driver errors, Python
reprs): that text changes with a library's version, not with the API.

The comparator knows no service: it has no built-in departures. A caller may pass
:class:`Departure` objects in :class:`CompareOptions`; a profile declares what it accepts
as ignore rules with a reason (``profiles/*.yaml``), and the report names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from interopcheck.compare.exchange import Exchange
from interopcheck.compare.shape import ABSENT, Scalar, Shape, diff, shape_of

__all__ = [
    "DEFAULT_OPTIONS",
    "SERVER_HEADERS",
    "VALUE_HEADERS",
    "CompareOptions",
    "Departure",
    "Difference",
    "DifferenceKind",
    "body_shape",
    "compare",
    "detail_fragment",
    "library_text_removed",
    "normalise_location",
    "normalise_uuids",
    "render_differences",
]

DifferenceKind = Literal[
    "status",
    "header-missing",
    "header-extra",
    "header-value",
    "body-shape",
    "error-code",
    "error-detail",
]

#: Added by the WSGI server or the HTTP layer, not by the service.
SERVER_HEADERS = frozenset(
    {"date", "server", "connection", "content-length", "transfer-encoding", "keep-alive"}
)
#: Protocol headers whose values must match exactly.
VALUE_HEADERS = frozenset(
    {"openstack-api-version", "vary", "content-type", "allow", "cache-control"}
)

_UUID_ANYWHERE = re.compile(
    r"(?<![0-9a-fA-F])[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{12}(?![0-9a-fA-F])"
)


@dataclass(frozen=True, slots=True)
class Difference:
    """One structural difference: its kind, where (a JSON path or a header name), A's and B's."""

    kind: DifferenceKind
    path: str
    a: str
    b: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.path}: A={self.a} B={self.b}"


@dataclass(frozen=True, slots=True)
class Departure:
    """A documented, accepted difference between A (the original) and B (the reference).

    ``accepts(a, b, difference)`` says whether this departure explains ``difference``;
    it must be narrow: true only for the exact situation named in ``reason``.
    """

    name: str
    reason: str
    accepts: Callable[[Exchange, Exchange, Difference], bool]

    def excuses(self, a: Exchange, b: Exchange, difference: Difference) -> bool:
        return self.accepts(a, b, difference)


# Text a library writes into a message: it depends on the library's version, not on the
# service. jsonschema's "Failed validating 'x' in schema[...]:" dump (and what follows it),
# a database driver's "(sqlite3.IntegrityError) ... [SQL: ...]" text, Python reprs.
_LIBRARY_TEXT = (
    re.compile(r"\s*Failed validating '[^']*' in (?:schema|metaschema)\b.*\Z", re.S),
    re.compile(r"\s*\((?:sqlite3|psycopg2?|pymysql|MySQLdb|oslo_db|sqlalchemy)[.\w]*\) .*\Z",
               re.S),
)
_REPR_ADDRESS = re.compile(r"<([\w.]+) object at 0x[0-9a-fA-F]+>")


def library_text_removed(text: str) -> str:
    """``text`` without the parts a library generated (schema dumps, driver errors, reprs).

    Written here rather than taken from a library: the patterns are the stable openings of
    jsonschema's ``ValidationError`` text, of DB-API driver errors wrapped by SQLAlchemy
    and of ``object.__repr__``; no library exposes them as data.
    """
    for pattern in _LIBRARY_TEXT:
        text = pattern.sub("", text)
    return _REPR_ADDRESS.sub(r"<\1 object>", text).strip()


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """What to ignore: extra header names, and the accepted departures."""

    ignored_headers: frozenset[str] = SERVER_HEADERS
    value_headers: frozenset[str] = VALUE_HEADERS
    departures: tuple[Departure, ...] = ()

    def ignoring(self, *names: str) -> CompareOptions:
        """These options with more header names ignored."""
        return CompareOptions(
            ignored_headers=self.ignored_headers | {n.lower() for n in names},
            value_headers=self.value_headers,
            departures=self.departures,
        )


DEFAULT_OPTIONS = CompareOptions()


def normalise_uuids(text: str) -> str:
    """Replace every UUID (dashed or not) in ``text`` with ``{uuid}``."""
    return _UUID_ANYWHERE.sub("{uuid}", text)


def normalise_location(value: str) -> str:
    """Drop scheme and host, and normalise UUIDs, so two deployments compare equal."""
    parts = urlsplit(value)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return normalise_uuids(rest)


def detail_fragment(detail: str) -> str:
    """The specific message of an error detail: what follows webob's generic explanation."""
    return normalise_uuids(library_text_removed(_specific(detail)))


def _specific(detail: str) -> str:
    return (detail.split("\n\n", 1)[1] if "\n\n" in detail else detail).strip()


def body_shape(exchange: Exchange) -> Shape:
    """The body's shape; non-JSON bodies are the scalars ``text`` and ``empty``."""
    if exchange.body_format == "json":
        return shape_of(exchange.body)
    return Scalar(exchange.body_format)


def _headers(a: Exchange, b: Exchange, options: CompareOptions) -> Iterator[Difference]:
    ignored = options.ignored_headers
    names_a = {n for n in a.header_names() if n not in ignored}
    names_b = {n for n in b.header_names() if n not in ignored}
    for name in sorted(names_a - names_b):
        yield Difference("header-missing", name, a.header(name) or "", ABSENT)
    for name in sorted(names_b - names_a):
        yield Difference("header-extra", name, ABSENT, b.header(name) or "")
    for name in sorted(names_a & names_b):
        va, vb = a.header(name) or "", b.header(name) or ""
        if name in options.value_headers and va != vb:
            yield Difference("header-value", name, va, vb)
        elif name == "location" and normalise_location(va) != normalise_location(vb):
            yield Difference("header-value", name, normalise_location(va), normalise_location(vb))


def _same_text(raw_a: str, raw_b: str) -> bool:
    """Equal messages; where a library's text was cut from one, the other may go on there."""
    a, b = detail_fragment(raw_a), detail_fragment(raw_b)
    if a == b:
        return True
    whole_a = normalise_uuids(_specific(raw_a))
    whole_b = normalise_uuids(_specific(raw_b))
    if a != whole_a and a and b.startswith(a):
        return True
    return bool(b != whole_b and b and a.startswith(b))


def _error_list(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return body["errors"]
    return None


def _text_error(a: Exchange, b: Exchange) -> Iterator[Difference]:
    """Non-JSON error bodies (text/plain, text/html): the text, UUIDs and spacing normalised."""
    if a.status < 400 or a.body_format != "text" or b.body_format != "text":
        return
    ta = " ".join(normalise_uuids(library_text_removed(str(a.body))).split())
    tb = " ".join(normalise_uuids(library_text_removed(str(b.body))).split())
    if ta != tb:
        yield Difference("error-detail", "$", ta, tb)


def _errors(a: Exchange, b: Exchange) -> Iterator[Difference]:
    yield from _text_error(a, b)
    errs_a, errs_b = _error_list(a.body), _error_list(b.body)
    if errs_a is None or errs_b is None:
        return
    if len(errs_a) != len(errs_b):
        yield Difference("body-shape", "$.errors", f"{len(errs_a)} errors", f"{len(errs_b)} errors")
    for i, (ea, eb) in enumerate(zip(errs_a, errs_b, strict=False)):
        if not isinstance(ea, dict) or not isinstance(eb, dict):
            continue
        for key in ("status", "code"):
            if key in ea and key in eb and ea[key] != eb[key]:
                yield Difference("error-code", f"$.errors[{i}].{key}", str(ea[key]), str(eb[key]))
        da, db = ea.get("detail"), eb.get("detail")
        if isinstance(da, str) and isinstance(db, str):
            if not _same_text(da, db):
                fa, fb = detail_fragment(da), detail_fragment(db)
                yield Difference("error-detail", f"$.errors[{i}].detail", fa, fb)


def _differences(a: Exchange, b: Exchange, options: CompareOptions) -> Iterator[Difference]:
    if a.status != b.status:
        yield Difference("status", "status", str(a.status), str(b.status))
    yield from _headers(a, b, options)
    for d in diff(body_shape(a), body_shape(b)):
        yield Difference("body-shape", d.path, d.a, d.b)
    yield from _errors(a, b)


def compare(
    a: Exchange, b: Exchange, options: CompareOptions = DEFAULT_OPTIONS
) -> list[Difference]:
    """The structural differences between ``a`` (the original) and ``b``; empty if none."""
    return [
        d
        for d in _differences(a, b, options)
        if not any(dep.excuses(a, b, d) for dep in options.departures)
    ]


def render_differences(differences: Sequence[Difference]) -> str:
    """One line per difference."""
    return "\n".join(str(d) for d in differences)

