"""The recorded exchange, as the comparison reads it: :mod:`interopcheck.exchange` (it lives
before the stages, since the runner records what the comparison compares)."""

from __future__ import annotations

from interopcheck.exchange import BODY_FORMATS, REDACTED, SECRET_HEADERS, Exchange, parse_body

__all__ = ["BODY_FORMATS", "REDACTED", "SECRET_HEADERS", "Exchange", "parse_body"]
