"""An exchange reduced to what the structural comparison reads, and nothing else.

A recorded exchange must compare with any other exchange exactly as the original
would (:func:`interopcheck.compare.compare`), yet keep no value it does not need.
What :mod:`interopcheck.compare.structural` reads, and so what is kept:

- method, the request path (already symbolised: generated values are templates;
  UUIDs the server made up become ``{uuid}``), the status;
- response header names, minus the ones the diff never compares (``Date``,
  ``X-Openstack-Request-Id``, the profile's ``ignore_headers``); their values
  (protocol headers are compared by value, the others are shown in findings), UUIDs
  as ``{uuid}``; ``Location`` without scheme and host (compared with UUIDs normalised);
- the body's *shape*: a skeleton with every scalar replaced by a fixed value of the
  same JSON type, arrays cut to one element per distinct shape, UUID-like keys
  replaced by placeholder UUIDs (one per distinct shape, which is how
  :func:`~interopcheck.compare.shape.shape_of` merges them);
- in an API-SIG error body, every error's ``status`` and ``code`` and the specific
  part of its ``detail`` (UUIDs normalised); in a text error body (status >= 400) the
  text, UUIDs and white space normalised.

Request headers keep their names and the version header's value (the token is
never there: :mod:`interopcheck.runner.call` redacts it); request bodies are not
kept. Written here rather than with a JSON-schema inference library because the
reduction must mirror the comparator's rules exactly, and those live in this
project.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from interopcheck.compare.exchange import SECRET_HEADERS, Exchange
from interopcheck.compare.shape import is_uuid_like, shape_of
from interopcheck.compare.structural import detail_fragment, normalise_uuids

__all__ = ["exchange_from_stored", "skeleton", "stored_exchange"]

_PLACEHOLDER_UUID = "00000000-0000-4000-8000-{:012d}"
_SCALARS: dict[type, Any] = {bool: False, int: 0, float: 0.0, str: ""}
_KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type", "openstack-api-version"})


def _scalar(value: Any) -> Any:
    return None if value is None else _SCALARS.get(type(value), "")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def skeleton(value: Any) -> Any:
    """A small JSON value whose :func:`shape_of` equals ``value``'s."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        uuid_values: dict[str, Any] = {}
        for key, item in value.items():
            if is_uuid_like(str(key)):
                sk = skeleton(item)
                uuid_values.setdefault(_canonical(sk), sk)
            else:
                out[str(key)] = skeleton(item)
        for n, canonical in enumerate(sorted(uuid_values)):
            out[_PLACEHOLDER_UUID.format(n)] = uuid_values[canonical]
        return out
    if isinstance(value, list | tuple):
        distinct: dict[Any, Any] = {}
        for item in value:
            distinct.setdefault(shape_of(item), item)
        items = [skeleton(v) for v in distinct.values()]
        return sorted(items, key=_canonical)
    return _scalar(value)


def _error_element(error: Any) -> Any:
    if not isinstance(error, dict):
        return skeleton(error)
    out = skeleton(error)
    for key in ("status", "code"):
        if key in error:
            out[key] = error[key]
    detail = error.get("detail")
    if isinstance(detail, str):
        fragment = detail_fragment(detail)
        # detail_fragment(stored) must give the fragment back
        out["detail"] = f"\n\n{fragment}" if "\n\n" in fragment else fragment
    return out


def _body(exchange: Exchange) -> Any:
    if exchange.body_format == "text":
        if exchange.status >= 400:
            return " ".join(normalise_uuids(str(exchange.body)).split())
        return ""
    if exchange.body_format != "json":
        return None
    body = exchange.body
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        out = skeleton({k: v for k, v in body.items() if k != "errors"})
        out["errors"] = [_error_element(e) for e in body["errors"]]
        return out
    return skeleton(body)


def _location(value: str) -> str:
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored_exchange(exchange: Exchange, dropped_headers: Iterable[str]) -> dict[str, Any]:
    """The JSON form kept in a snapshot (see :mod:`interopcheck.schemas` snapshot schema)."""
    dropped = frozenset(h.lower() for h in dropped_headers) | SECRET_HEADERS
    headers = [[k, normalise_uuids(_location(v) if k == "location" else v)]
               for k, v in exchange.headers if k not in dropped]
    data: dict[str, Any] = {
        "method": exchange.method,
        "url": normalise_uuids(exchange.url),
        "request_headers": [[k, v] for k, v in exchange.request_headers
                            if k in _KEPT_REQUEST_HEADERS],
        "status": exchange.status,
        "headers": headers,
        "body_format": exchange.body_format,
    }
    body = _body(exchange)
    if body is not None:
        data["body"] = body
    return data


def exchange_from_stored(data: dict[str, Any]) -> Exchange:
    """The :class:`Exchange` a stored one stands for."""
    return Exchange(
        method=data["method"], url=data["url"],
        request_headers=tuple((k, v) for k, v in data.get("request_headers", ())),
        status=int(data["status"]),
        headers=tuple((k, v) for k, v in data.get("headers", ())),
        body=data.get("body"), body_format=data.get("body_format", "empty"),
    )
