"""Small hostile HTTP servers on loopback for interopcheck's tests (issue 15).

    with HostileServer("trickle") as url:
        ...  # every request gets the hostile answer named by the mode

Modes (``MODES``):

- ``trickle``: 200 JSON, Content-Length 1000, one byte every 2 s;
- ``big``: 200 JSON, Content-Length 1 GiB, bytes as fast as the client reads;
- ``gzip-bomb``: 200 JSON, ``Content-Encoding: gzip``, ~1 MB that inflates to 1 GiB;
- ``chunked``: 200 JSON, ``Transfer-Encoding: chunked``, chunks for ever;
- ``deep``: 200 JSON nested 1,000,000 levels deep;
- ``version``: ``GET /`` a version document whose ``max_version`` has 5,000 digits;
- ``echo-token``: a real version document at ``/``; every other request gets 200 with
  the request's token echoed back JSON-escaped (``\\uXXXX``, ``\\/``), URL-encoded in a
  header and raw in a ``Location`` path;
- ``redirect-token``: a real version document at ``/``; every other request a 302 whose
  ``Location`` carries the token in its path.

One thread per connection; every answer closes the connection.
"""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
import time
import zlib
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import quote

__all__ = ["MODES", "VERSION_DOC", "HostileServer"]

MODES = ("trickle", "big", "gzip-bomb", "chunked", "deep", "version", "echo-token",
         "redirect-token")
VERSION_DOC = {"versions": [{"id": "v1.0", "min_version": "1.0", "max_version": "1.39",
                             "status": "CURRENT", "links": []}]}


@lru_cache(maxsize=1)
def gzip_bomb(size: int = 1 << 30) -> bytes:
    """A gzip stream that inflates to ``size`` zero bytes (~1 MB for 1 GiB).

    Each 1 MiB of zeros is compressed after a full flush (dictionary reset), so every
    block after the first compresses to the same bytes: the stream is built by
    repeating them instead of compressing 1 GiB. The gzip trailer (CRC, length) is that
    of the data really compressed; a client stops long before it (that is the point).
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH) == again
    return first + again * (size // len(block) - 3) + comp.flush()


def _escape_all(text: str) -> str:
    r"""Every character as a JSON ``\uXXXX`` escape, ``/`` as ``\/``."""
    return "".join("\\/" if c == "/" else f"\\u{ord(c):04x}" for c in text)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def _read_request(self) -> tuple[str, str, dict[str, str]]:
        sock = self.request
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip()
                   for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0") or 0)
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return method, target, headers

    def _send(self, status: str, headers: list[tuple[str, str]], body: bytes = b"") -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        self.request.sendall(head.encode("latin-1") + b"Connection: close\r\n\r\n" + body)

    def _json(self, data: object, extra: list[tuple[str, str]] | None = None) -> None:
        body = json.dumps(data).encode()
        self._send("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body))), *(extra or [])], body)

    def handle(self) -> None:
        stop = self.server.stop
        try:
            _method, target, headers = self._read_request()
        except (OSError, ValueError):
            return
        mode = self.server.mode
        token = headers.get("x-auth-token", "")
        with contextlib.suppress(OSError):
            if mode in ("echo-token", "redirect-token") and target in ("/", ""):
                self._json(VERSION_DOC)
            elif mode == "echo-token":
                body = ('{"echo": "' + _escape_all(token) + '", "self": "http:\\/\\/x\\/t\\/'
                        + _escape_all(token) + '", "plain": "' + token + '"}').encode()
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body))),
                                      ("X-Echo", quote(token, safe="")),
                                      ("Location", f"/things/{token}/x?t={quote(token)}")], body)
            elif mode == "redirect-token":
                self._send("302 Found", [("Location", f"http://127.0.0.1:1/t/{token}/"
                                                      f"{quote(token, safe='')}?token={token}"),
                                         ("Content-Length", "0")])
            elif mode == "version":
                doc = {"versions": [{"id": "v1.0", "min_version": "1.0",
                                     "max_version": "1." + "9" * 5000, "status": "CURRENT"}]}
                self._json(doc)
            elif mode == "deep":
                depth = 1_000_000
                body = b"[" * depth + b"]" * depth
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))], body)
            elif mode == "trickle":
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", "1000")])
                while not stop.wait(2):
                    self.request.sendall(b" ")
            elif mode == "big":
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(1 << 30))])
                block = b" " * 65536
                for _ in range((1 << 30) // len(block)):
                    if stop.is_set():
                        break
                    self.request.sendall(block)
            elif mode == "gzip-bomb":
                body = gzip_bomb()
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Encoding", "gzip"),
                                      ("Content-Length", str(len(body)))], body)
            elif mode == "chunked":
                self._send("200 OK", [("Content-Type", "application/json"),
                                      ("Transfer-Encoding", "chunked")])
                chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
                while not stop.is_set():
                    self.request.sendall(chunk)
                    time.sleep(0.001)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)


@contextlib.contextmanager
def HostileServer(mode: str) -> Iterator[str]:
    """Serve ``mode`` on a free loopback port; yields the base URL."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == "gzip-bomb":
        gzip_bomb()  # built before the clock starts
    server = _Server(mode)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
