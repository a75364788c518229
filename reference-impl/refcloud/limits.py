"""Limits on what a request can make refcloud do: body size, JSON shape, error echoes.

- ``BodyLimit``: a request body above ``MAX_BODY_BYTES`` is answered ``413`` in the
  API-SIG errors format before anything reads it (``refcloud serve`` also gives waitress
  the same limit, so a chunked body is cut off while it arrives).
- ``loads``: JSON decoding for request bodies that never raises anything but
  ``ValueError``: ``NaN``/``Infinity`` are refused (not JSON, and they reach the
  database as non-numbers), nesting deeper than ``MAX_DEPTH`` is refused (the C decoder
  raises ``RecursionError`` near 1,000 levels, and the schema validator recurses too),
  and so is a lone UTF-16 surrogate (``"\\ud800"`` decodes to a ``str`` that cannot be
  encoded for the database).
- ``describe``: a schema error as a short text. ``str(jsonschema.ValidationError)``
  pretty-prints the whole instance and schema (a 5 MB body became a 45 MB answer);
  here the instance is only ever shown as a short excerpt.

Own code rather than a library: the decoder is the standard library's; these are the
few checks around it that no JSON library applies to untrusted input by default.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema
import webob.exc

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "BodyLimit", "describe", "excerpt", "loads"]

#: Largest request body accepted (bytes). Placement's biggest bodies (reshaper,
#: POST /allocations for many consumers) stay far below this.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Deepest JSON nesting accepted in a request body (Placement's schemas need < 10).
MAX_DEPTH = 64
#: Longest excerpt of the input an error detail shows (characters).
EXCERPT_CHARS = 200
#: Longest schema message kept (jsonschema's messages quote the value: names are up to
#: 200 characters, and the golden exchanges compare the message).
MESSAGE_CHARS = 600
#: Longest error detail sent at all (the last guard, for messages built elsewhere).
DETAIL_CHARS = 2000

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 6
_REPR.maxlevel = 3


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_tree(data: Any) -> None:
    """Depth limit and lone surrogates, without recursion (the tree is already bounded
    by the decoder's own recursion limit, but the walk must not be)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    "the body holds a lone UTF-16 surrogate (such as \\ud800), which is "
                    "not a character") from None
            continue
        if isinstance(value, dict):
            items: Iterable[Any] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            items = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"the body is nested deeper than {MAX_DEPTH} levels")
        stack.extend((item, depth + 1) for item in items)


def loads(body: bytes | str) -> Any:
    """Decode a request body; ``ValueError`` (with a short message) for anything refused."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise ValueError(excerpt(str(exc))) from None
    except ValueError as exc:
        raise ValueError(excerpt(str(exc))) from None
    _check_tree(data)
    return data


def _path(parts: Iterable[Any]) -> str:
    return "".join(f"[{excerpt(repr(p), 40)}]" for p in parts)


def describe(exc: jsonschema.ValidationError) -> str:
    """A schema error in jsonschema's own words, with the input shown as a short excerpt."""
    return (f"{excerpt(exc.message, MESSAGE_CHARS)}\n\n"
            f"Failed validating {exc.validator!r} in schema{_path(exc.relative_schema_path)}"
            f"\n\nOn instance{_path(exc.relative_path)}:\n    "
            f"{excerpt(_REPR.repr(exc.instance))}")


class BodyLimit:
    """``413`` in the errors format for a declared body above ``max_bytes``."""

    def __init__(self, app: WSGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > self.max_bytes:
            from refcloud import http

            environ["wsgi.input"] = _Empty()
            environ["CONTENT_LENGTH"] = "0"
            exc = http.error(
                webob.exc.HTTPRequestEntityTooLarge,
                f"The request body is larger than {self.max_bytes} bytes.",
            )
            return exc(environ, start_response)
        return self.app(environ, start_response)


class _Empty:
    """A drained ``wsgi.input`` (the refused body is never read)."""

    def read(self, *_args: Any) -> bytes:
        return b""

    def readline(self, *_args: Any) -> bytes:
        return b""
