"""A cloud under comparison: where it is, its token, and an httpx client to reach it.

The token is held here only: it is sent in the profile's auth header and never
stored in an exchange, a finding, a problem or a report (``repr`` hides it too).
Tests inject a transport (``httpx.WSGITransport`` for an in-process refcloud,
``httpx.MockTransport`` for odd responses); the command line gives URLs.

A cloud also remembers whether it gave up answering (refused connections,
repeated timeouts, a rejected token): the runner stops calling a cloud that is
down, so a dead cloud costs one line, not one per request.
"""

from __future__ import annotations

import os
import re
import ssl
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

__all__ = ["MAX_TIMEOUTS", "Cloud", "resolve_token", "safe_url"]

#: After this many timed-out calls the runner stops calling the cloud.
MAX_TIMEOUTS = 3
#: ``--header`` names whose values are credentials (scrubbed like tokens).
_SECRET_HEADER = re.compile(r"auth|token|key|secret|cookie|pass|credential|session",
                            re.IGNORECASE)


def safe_url(url: str) -> str:
    """``url`` without user-info and query (the places credentials hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def resolve_token(option: str | None, env_var: str, default: str | None = None) -> str | None:
    """The token from the command-line option, else the environment, else ``default``."""
    if option:
        return option
    return os.environ.get(env_var) or default


@dataclass(eq=False)
class Cloud:
    """One deployment: ``name`` (A, B, A2, B2), its base URL, token and transport."""

    name: str
    base_url: str
    token: str | None = field(default=None, repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    timeout: float = 30.0
    #: How the user points at this cloud (named in hints): "URL_A", "--a2 URL", ...
    url_option: str = ""
    #: How the user gives this cloud's token (named in hints).
    token_option: str = ""
    #: An ``httpx.Auth`` that puts a fresh Keystone token where the token is the marker
    #: (:mod:`interopcheck.runner.keystone_auth`); None for a static token.
    auth: httpx.Auth | None = field(default=None, repr=False)
    #: TLS verification: True (system CAs), False (``--insecure``) or an SSL context
    #: (a private CA, a client certificate).
    verify: ssl.SSLContext | bool = field(default=True, repr=False)
    #: Headers sent on every call (``--header-a``); their values are scrubbed like tokens.
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    down: str | None = field(default=None, init=False)
    timeouts: int = field(default=0, init=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def display_url(self) -> str:
        if self.verify is False and self.base_url.startswith("https:"):
            return f"{safe_url(self.base_url)} (TLS NOT VERIFIED: --insecure)"
        return safe_url(self.base_url)

    def client(self) -> httpx.Client:
        """The shared client (created on first use; safe to share between threads)."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    base_url=self.base_url,
                    transport=self.transport,
                    timeout=httpx.Timeout(self.timeout),
                    follow_redirects=False,
                    trust_env=self.transport is None,
                    verify=self.verify,
                    auth=self.auth,
                    headers=dict(self.headers),
                )
            return self._client

    def mark_down(self, reason: str) -> bool:
        """Stop calling this cloud; True for the first caller (who reports it)."""
        with self._lock:
            if self.down is not None:
                return False
            self.down = reason
            return True

    def count_timeout(self) -> int:
        with self._lock:
            self.timeouts += 1
            return self.timeouts

    def secrets(self) -> list[str]:
        """Every secret this cloud sends: the token, header values, Keystone tokens."""
        found: Iterable[str] = getattr(self.auth, "secrets", lambda: ())()
        sent = [v for k, v in self.headers.items() if _SECRET_HEADER.search(k)]
        return [s for s in (self.token, *sent, *found) if s]

    def scrub(self, text: str) -> str:
        """``text`` with this cloud's secrets replaced (servers may echo headers back)."""
        for secret in self.secrets():
            if secret in text:
                text = text.replace(secret, "<redacted>")
        return text

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
