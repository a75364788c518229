"""Generated calls on the wire: a schemathesis case as plain data, sent to a cloud.

A :class:`Call` is what one generated request is, independent of the cloud it goes
to (method, path, query, the generated headers, body). :func:`send` sends it at a
microversion with the cloud's token and returns an
:class:`~interopcheck.compare.Exchange` (secrets redacted) or an
:class:`~interopcheck.runner.call.Issue` (the cloud is down, times out, ...).

:class:`ValueMap` carries the values cloud B chose for what cloud A chose (a provider
UUID the server generated), learned from pairs of answers, so a call that uses A's
value reaches the same object on B. (Own code: schemathesis's value pool feeds one
target; nothing in it maps one server's identifiers onto another's.)
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from interopcheck.compare import Exchange, parse_body
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud

__all__ = ["Call", "Connection", "ValueMap", "call_from_case", "send"]

#: Headers schemathesis adds that say nothing about the call.
_TRANSPORT_HEADERS = frozenset({"user-agent", "accept-encoding", "connection",
                                "x-schemathesis-testcaseid", "content-length", "host"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")
_HEADER_TEXT = re.compile(r"^[\x20-\x7e]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@dataclass(frozen=True, slots=True)
class Connection:
    """How to talk to the service: the version header, its service type, the token header."""

    service_type: str
    version_header: str = "OpenStack-API-Version"
    auth_header: str = "X-Auth-Token"

    def version_value(self, version: str) -> str:
        return f"{self.service_type} {version}"

    @property
    def managed(self) -> frozenset[str]:
        """Headers the run sets itself (never taken from generated data)."""
        return frozenset({self.version_header.lower(), self.auth_header.lower()})


@dataclass(frozen=True, slots=True)
class Call:
    """One generated request, the same for every cloud."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    @property
    def url(self) -> str:
        """Path and query, as sent."""
        return self.path + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def content_type(self) -> str | None:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return None

    def body_value(self) -> tuple[str, Any]:
        """``("json", value)``, ``("text", str)`` or ``("empty", None)``."""
        if self.body is None:
            return "empty", None
        text = self.body.decode("utf-8", "replace")
        return parse_body(self.content_type or "application/json", text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _query(params: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, dict) else (params or [])
    for name, value in items:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            out.append((str(name), _text(item)))
    return tuple(out)


def call_from_case(case: Any, managed: frozenset[str]) -> Call:
    """A schemathesis ``Case`` as a :class:`Call` (through schemathesis's own serializers).

    Generated headers that cannot travel in HTTP/1.1 (control characters, non-ASCII)
    and the headers in ``managed`` (version, token) are left out.
    """
    kwargs = case.as_transport_kwargs(base_url="http://fuzz.invalid")
    parts = urlsplit(kwargs["url"])
    query = list(_query(kwargs.get("params")))
    if parts.query:
        query = [tuple(p.split("=", 1)) if "=" in p else (p, "")  # type: ignore[misc]
                 for p in parts.query.split("&")] + query
    headers = tuple(
        (str(k), _text(v)) for k, v in (kwargs.get("headers") or {}).items()
        if str(k).lower() not in _TRANSPORT_HEADERS and str(k).lower() not in managed
        and not (str(k).lower() == "accept" and v == "*/*")
        and _HEADER_NAME.match(str(k)) and _HEADER_TEXT.match(_text(v))
    )
    body: bytes | None = None
    if "json" in kwargs:
        body = json.dumps(kwargs["json"]).encode("utf-8")
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode("utf-8")
    return Call(method=str(kwargs["method"]).upper(), path=parts.path or "/",
                query=tuple(query), headers=headers, body=body)


def send(cloud: Cloud, connection: Connection, call: Call, version: str | None,
         ) -> tuple[Exchange | None, httpx.Response | None, Issue | None]:
    """Send ``call`` to ``cloud`` at ``version`` (``None``: no version header)."""
    headers: list[tuple[str, str]] = list(call.headers)
    if cloud.token:
        headers.append((connection.auth_header, cloud.token))
    if version is not None:
        headers.append((connection.version_header, connection.version_value(version)))
    where = f"{call.method} {call.url}" + (f" at {version}" if version else "")
    if cloud.down:
        return None, None, Issue(cloud.name, "down", where, f"not called: {cloud.down}",
                                 f"check {cloud.url_option or 'the URL'}")
    client = cloud.client()
    try:
        request = client.build_request(call.method, call.path.lstrip("/") or "",
                                       params=list(call.query) or None, headers=headers,
                                       content=call.body)
        response = client.send(request)
        text = cloud.scrub(response.text)
        response.close()
        try:
            response.elapsed  # noqa: B018 - unset when a transport built the answer itself
        except RuntimeError:
            response.elapsed = datetime.timedelta(0)
    except httpx.ConnectError as exc:
        cloud.mark_down("unreachable")
        return None, None, Issue(cloud.name, "down", where,
                                 f"cannot connect to {cloud.display_url}: {cloud.scrub(str(exc))}",
                                 f"is the service running there? check "
                                 f"{cloud.url_option or 'the URL'}")
    except httpx.TimeoutException:
        return None, None, Issue(cloud.name, "timeout", where,
                                 f"no answer within {cloud.timeout:g}s",
                                 "the cloud is slow or hung: raise --timeout")
    except Exception as exc:  # a broken connection or an in-process app that raised
        reason = cloud.scrub(f"{type(exc).__name__}: {exc}")[:200]
        return None, None, Issue(cloud.name, "transport", where, f"the request failed: {reason}",
                                 "the service dropped the request: check its logs")
    body_format, body = parse_body(response.headers.get("content-type"), text)
    fmt, request_body = call.body_value()
    exchange = Exchange.create(
        method=call.method, url=call.url,
        request_headers=[(k, v) for k, v in headers],
        status=response.status_code,
        headers=[(k, cloud.scrub(v)) for k, v in response.headers.multi_items()],
        body=body, body_format=body_format,
        request_body=request_body if fmt != "empty" else None,
    )
    return exchange, response, None


class ValueMap:
    """A's values -> B's values for objects the servers named (UUIDs they generated)."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._map)

    def learn(self, a: Exchange, b: Exchange) -> None:
        """Record the UUIDs that differ at the same place in two answers."""
        for va, vb in _pairs(a.body, b.body):
            if va != vb and _UUID.match(va) and _UUID.match(vb):
                self._map.setdefault(va, vb)
        la, lb = a.header("location"), b.header("location")
        if la and lb:
            for va, vb in zip(urlsplit(la).path.split("/"), urlsplit(lb).path.split("/"),
                              strict=False):
                if va != vb and _UUID.match(va) and _UUID.match(vb):
                    self._map.setdefault(va, vb)

    def _sub(self, text: str) -> str:
        for va, vb in self._map.items():
            if va in text:
                text = text.replace(va, vb)
        return text

    def apply(self, call: Call) -> Call:
        """``call`` as it must be sent to B."""
        if not self._map:
            return call
        body = call.body
        if body is not None:
            try:
                body = self._sub(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                pass
        return replace(call, path=self._sub(call.path),
                       query=tuple((k, self._sub(v)) for k, v in call.query), body=body)


def _pairs(a: Any, b: Any) -> Iterator[tuple[str, str]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() & b.keys():
            yield from _pairs(a[key], b[key])
        # dicts keyed by generated UUIDs (allocations by provider): pair them in order
        ka = [k for k in a if _UUID.match(str(k)) and k not in b]
        kb = [k for k in b if _UUID.match(str(k)) and k not in a]
        if len(ka) == 1 and len(kb) == 1:
            yield ka[0], kb[0]
            yield from _pairs(a[ka[0]], b[kb[0]])
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for xa, xb in zip(a, b, strict=True):
            yield from _pairs(xa, xb)
    elif isinstance(a, str) and isinstance(b, str):
        yield a, b
