"""Secrets (tokens, allowed ``$ENV`` values) scrubbed from everything interopcheck writes.

A server can echo a token back in forms a plain ``str.replace`` misses: JSON-escaped
(``\\u0061dmin``, ``\\/``), URL-encoded (``%61dmin``, ``+`` for a space), in any header
(a ``Location`` carrying the token in its path) or URL part. ``scrub`` matches every
secret character by character in any of those spellings, mixed, so the text is
scrubbed as it would read *after* decoding, without decoding (and so without changing)
the rest of it.

Secrets are registered once (``register``: the command line's tokens, each ``$ENV``
value a profile expands) in a process-wide registry; ``scrub`` and ``scrub_data``
(strings inside JSON-like data) replace every registered secret with ``<redacted>``.

Own code rather than a library: the matching is one regular expression per secret built
from its characters; no library scrubs by value across these encodings.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["REDACTED", "clear", "register", "registered", "scrub", "scrub_data"]

REDACTED = "<redacted>"
#: Shorter values are not scrubbed (they would redact ordinary words and digits).
MIN_LENGTH = 4

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _char_forms(char: str) -> str:
    forms = [re.escape(char)]
    code = ord(char)
    if code <= 0xFFFF:
        forms.append(r"\\u" + "".join(f"[{h.lower()}{h.upper()}]" if h.isalpha() else h
                                      for h in f"{code:04x}"))
    else:  # a JSON surrogate pair
        high = 0xD800 + ((code - 0x10000) >> 10)
        low = 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append("(?i:" + rf"\\u{high:04x}\\u{low:04x}" + ")")
    forms.append("(?i:" + "".join(f"%{b:02x}" for b in char.encode("utf-8")) + ")")
    if char == "/":
        forms.append(r"\\/")
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


def _compile(values: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(values, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join("".join(_char_forms(c) for c in value) for value in ordered))


def register(*values: str | None) -> None:
    """Treat each value as a secret from now on (``None``, empty and short ones are ignored)."""
    global _pattern
    new = {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH} - _values
    if not new:
        return
    with _lock:
        _values.update(new)
        _pattern = _compile(_values)


def registered() -> frozenset[str]:
    return frozenset(_values)


def clear() -> None:
    """Forget every secret (tests)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None


def scrub(text: str, extra: Iterable[str | None] = ()) -> str:
    """``text`` with every registered secret (and each of ``extra``) redacted, in any
    of its raw, JSON-escaped or URL-encoded spellings."""
    extra_values = [v for v in extra if isinstance(v, str) and len(v) >= MIN_LENGTH]
    if extra_values:
        register(*extra_values)
    pattern = _pattern
    if pattern is None or not isinstance(text, str) or not text:
        return text
    return pattern.sub(REDACTED, text)


def scrub_data(value: Any) -> Any:
    """``value`` (JSON-like data) with every string, keys too, scrubbed."""
    if _pattern is None:
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub_data(v) for v in value)
    if isinstance(value, dict):
        return {scrub_data(k): scrub_data(v) for k, v in value.items()}
    return value
