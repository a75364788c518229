"""One HTTP request and its response, as plain data (no I/O here): what the runner records
and the comparison, the diff and the live checks read.

Header names are stored lower-cased, in the order received. The values of secret
request headers (``X-Auth-Token``, ``Authorization``, ...) are never stored: the
header keeps its name and the value becomes :data:`REDACTED`, so a recording still
shows whether a credential was sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BODY_FORMATS",
    "REDACTED",
    "SECRET_HEADERS",
    "Exchange",
    "parse_body",
]

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"x-auth-token", "authorization", "x-service-token", "cookie"})
BODY_FORMATS = ("json", "text", "empty")

Headers = tuple[tuple[str, str], ...]


def _headers(items: Iterable[tuple[str, str]] | Mapping[str, str], *, redact: bool) -> Headers:
    pairs = items.items() if isinstance(items, Mapping) else items
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        low = name.lower()
        out.append((low, REDACTED if redact and low in SECRET_HEADERS else value))
    return tuple(out)


def parse_body(content_type: str | None, text: str) -> tuple[str, Any]:
    """``(format, body)``: parsed JSON for a JSON media type, else the text; ``empty`` for ''."""
    if not text:
        return "empty", None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            return "json", json.loads(text)
        except ValueError:
            pass
    return "text", text


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request (method, url, headers, optional body) and the response it got."""

    method: str
    url: str
    request_headers: Headers
    status: int
    headers: Headers
    body: Any = None
    body_format: str = "empty"
    request_body: Any = None

    @classmethod
    def create(
        cls,
        *,
        method: str,
        url: str,
        request_headers: Iterable[tuple[str, str]] | Mapping[str, str],
        status: int,
        headers: Iterable[tuple[str, str]] | Mapping[str, str],
        body: Any = None,
        body_format: str | None = None,
        request_body: Any = None,
    ) -> Exchange:
        """Build an Exchange, lower-casing header names and redacting secrets."""
        if body_format is None:
            body_format = "empty" if body is None else ("text" if isinstance(body, str) else "json")
        if body_format not in BODY_FORMATS:
            raise ValueError(f"body_format must be one of {BODY_FORMATS}, not {body_format!r}")
        return cls(
            method=method.upper(),
            url=url,
            request_headers=_headers(request_headers, redact=True),
            status=int(status),
            headers=_headers(headers, redact=True),
            body=body,
            body_format=body_format,
            request_body=request_body,
        )

    def header(self, name: str) -> str | None:
        """The first value of a response header (case-insensitive), or None."""
        low = name.lower()
        for key, value in self.headers:
            if key == low:
                return value
        return None

    def header_names(self) -> frozenset[str]:
        """The lower-cased names of the response headers."""
        return frozenset(k for k, _ in self.headers)

    def request_header(self, name: str) -> str | None:
        low = name.lower()
        for key, value in self.request_headers:
            if key == low:
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the recording format)."""
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.request_headers),
                **({"body": self.request_body} if self.request_body is not None else {}),
            },
            "response": {
                "status": self.status,
                "headers": dict(self.headers),
                "body_format": self.body_format,
                "body": self.body,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        """The inverse of :meth:`to_dict`."""
        req, resp = data["request"], data["response"]
        return cls.create(
            method=req["method"],
            url=req["url"],
            request_headers=req.get("headers", {}),
            status=resp["status"],
            headers=resp.get("headers", {}),
            body=resp.get("body"),
            body_format=resp.get("body_format"),
            request_body=req.get("body"),
        )
