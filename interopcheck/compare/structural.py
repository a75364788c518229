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

Known, deliberate departures of the reference service are listed by name in
:data:`ACCEPTED_DEPARTURES`, each with its reason; the differences a departure
accepts are dropped only when it applies to the exchange pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from interopcheck.compare.exchange import Exchange
from interopcheck.compare.shape import ABSENT, Scalar, Shape, diff, shape_of

__all__ = [
    "ACCEPTED_DEPARTURES",
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


def _is_webob_401(body: Any) -> bool:
    return isinstance(body, dict) and set(body) == {"message", "code", "title"}


def _is_apisig_401(body: Any) -> bool:
    errors = body.get("errors") if isinstance(body, dict) else None
    return (
        isinstance(errors, list)
        and len(errors) == 1
        and isinstance(errors[0], dict)
        and errors[0].get("status") == 401
    )


def _missing_token_401(a: Exchange, b: Exchange, difference: Difference) -> bool:
    if difference.kind not in ("body-shape", "error-code", "error-detail"):
        return False
    if a.status != 401 or b.status != 401:
        return False
    return (_is_webob_401(a.body) and _is_apisig_401(b.body)) or (
        _is_apisig_401(a.body) and _is_webob_401(b.body)
    )


# "(sqlite3.IntegrityError) UNIQUE constraint failed: ... [SQL: ...] [parameters: ...]"
_DB_DRIVER_ERROR = re.compile(r"\((?:sqlite3|psycopg2?|pymysql|MySQLdb|oslo_db)[.\w]*\) ")


def _database_error_text(a: Exchange, b: Exchange, difference: Difference) -> bool:
    if difference.kind != "error-detail":
        return False
    match = _DB_DRIVER_ERROR.search(difference.a)
    if not match:
        return False
    prefix = difference.a[: match.start()]
    return bool(prefix.strip()) and difference.b.startswith(prefix)


ACCEPTED_DEPARTURES: tuple[Departure, ...] = (
    Departure(
        name="missing-token-401-errors-format",
        reason=(
            "Placement's 401 for a missing token comes from the auth middleware (noauth2 or "
            "keystonemiddleware) before Placement's error formatter, so it carries webob's "
            '{"message", "code", "title"} body. refcloud deliberately answers it in the API-SIG '
            "errors format like every other error. Status and headers must still match."
        ),
        accepts=_missing_token_401,
    ),
    Departure(
        name="database-driver-error-in-detail",
        reason=(
            "A few Placement messages embed the text of a database exception, e.g. "
            "'Update conflict: (sqlite3.IntegrityError) UNIQUE constraint failed: ... [SQL: "
            "INSERT ...] [parameters: (<row ids>, <timestamp>)]'. That text depends on the "
            "database driver and on row ids and timestamps, so it is not part of the contract: "
            "the detail must match up to where the driver's text begins."
        ),
        accepts=_database_error_text,
    ),
)


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """What to ignore: extra header names, and the accepted departures."""

    ignored_headers: frozenset[str] = SERVER_HEADERS
    value_headers: frozenset[str] = VALUE_HEADERS
    departures: tuple[Departure, ...] = field(default=ACCEPTED_DEPARTURES)

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
    specific = detail.split("\n\n", 1)[1] if "\n\n" in detail else detail
    return normalise_uuids(specific.strip())


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


def _error_list(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return body["errors"]
    return None


def _text_error(a: Exchange, b: Exchange) -> Iterator[Difference]:
    """Non-JSON error bodies (text/plain, text/html): the text, UUIDs and spacing normalised."""
    if a.status < 400 or a.body_format != "text" or b.body_format != "text":
        return
    ta = " ".join(normalise_uuids(str(a.body)).split())
    tb = " ".join(normalise_uuids(str(b.body)).split())
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
            fa, fb = detail_fragment(da), detail_fragment(db)
            if fa != fb:
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

