"""Keystone tokens for httpx: a fresh token on every call, renewed when it expires.

The runner never holds a Keystone token. A cloud authenticated through Keystone
has :data:`TOKEN_MARKER` as its ``token``: the runner puts the marker in the
profile's auth header wherever a step sends a token (and nowhere else, so steps
that send no token or their own stay as they are). :class:`KeystoneAuth` is the
client's ``httpx.Auth``: just before a request leaves it swaps the marker for the
token of keystoneauth1's auth plugin, which re-authenticates by itself when the
token is about to expire. Exchanges, findings and reports therefore only ever
see the marker (and the auth header is redacted there anyway).

A ``401`` to a request that carried a token (revoked, or expired between the
plugin's check and the server's) invalidates the plugin's token and sends the
request once more with a new one; a second ``401`` goes back to the runner,
which reports the cloud's credentials as rejected.

Why a few lines of our own: keystoneauth1 renews tokens inside its own
``requests`` based Session, while interopcheck talks httpx (shared clients,
in-process transports, its own timeouts); this is the bridge between the two.
keystoneauth's renewal margin (``MIN_TOKEN_LIFE_SECONDS``, 120 s) is shortened
to a quarter of the token's lifetime for short-lived tokens, otherwise a cloud
issuing 60-second tokens would get a new token on every call.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import httpx

from interopcheck.errors import InteropcheckError

__all__ = ["TOKEN_MARKER", "KeystoneAuth"]

#: What a Keystone-authenticated cloud has as its token (never sent on the wire).
TOKEN_MARKER = "<keystone token>"

#: keystoneauth1's default margin before expiry at which it re-authenticates.
_DEFAULT_MARGIN = 120


class KeystoneAuth(httpx.Auth):
    """Swap :data:`TOKEN_MARKER` for a current token of a keystoneauth1 auth plugin."""

    def __init__(self, session: Any, plugin: Any, where: str) -> None:
        self._session = session
        self._plugin = plugin
        self._where = where
        self._lock = threading.Lock()
        self._current: str | None = None
        self._issued: list[str] = []
        #: How many times a new token replaced the previous one during the run.
        self.renewals = 0
        #: How many requests were sent again after a 401 with a new token.
        self.retries = 0

    def secrets(self) -> list[str]:
        """Every token this object has handed out (for scrubbing)."""
        with self._lock:
            return list(self._issued)

    def token(self) -> str:
        """The plugin's current token (a new one when the old is about to expire)."""
        from keystoneauth1 import exceptions as ks_exc

        with self._lock:
            try:
                token = self._plugin.get_token(self._session)
            except ks_exc.ClientException as exc:
                raise KeystoneTokenError(f"{self._where}: cannot get a token from Keystone: "
                                         f"{type(exc).__name__}") from None
            if not token:
                raise KeystoneTokenError(f"{self._where}: Keystone gave no token")
            if token != self._current:
                if self._current is not None:
                    self.renewals += 1
                self._current = token
                self._issued.append(token)
                self._tune_margin()
            return token

    def _tune_margin(self) -> None:
        ref = getattr(self._plugin, "auth_ref", None)
        expires, issued = getattr(ref, "expires", None), getattr(ref, "issued", None)
        if expires is None or issued is None:
            return
        lifetime = (expires - issued).total_seconds()
        if lifetime > 0 and hasattr(self._plugin, "MIN_TOKEN_LIFE_SECONDS"):
            self._plugin.MIN_TOKEN_LIFE_SECONDS = int(min(_DEFAULT_MARGIN, lifetime / 4))

    def _invalidate(self, token: str) -> None:
        with self._lock:
            if token == self._current:
                self._plugin.invalidate()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        names = [name for name, value in request.headers.items() if value == TOKEN_MARKER]
        if not names:
            yield request
            return
        token = self._apply(request, names)
        response = yield request
        if response.status_code == 401:
            self._invalidate(token)
            with self._lock:
                self.retries += 1
            self._apply(request, names)
            yield request

    def _apply(self, request: httpx.Request, names: list[str]) -> str:
        try:
            token = self.token()
        except KeystoneTokenError as exc:
            raise httpx.RequestError(str(exc), request=request) from None
        for name in names:
            request.headers[name] = token
        return token


class KeystoneTokenError(InteropcheckError):
    """Keystone would not give a token (one line, no secret in it)."""
