"""The HTTP server of ``refcloud serve``: waitress, hardened against slow and odd clients.

What it withstands (measured by ``tests/functional/hostile/test_refcloud_server.py``
and ``benchmarks/slow_clients.py``):

- **Slow clients** (slowloris): reading a request is waitress's asynchronous main
  loop, not a worker thread, so a slow client costs a socket, not a thread. Up to
  ``CONNECTION_LIMIT`` connections are accepted (waitress's default of 100 let 120
  slow clients lock everybody out); a request whose head and body have not arrived
  ``REQUEST_READ_TIMEOUT`` seconds after its first byte is dropped, however steadily
  it trickles (waitress alone only drops *idle* connections); one client address may
  hold at most ``CONNECTIONS_PER_CLIENT`` connections (more are closed at once); idle
  keep-alive connections close after ``IDLE_TIMEOUT``.
- **Sizes**: request head up to 64 KiB (``431`` above), body up to
  ``refcloud.limits.MAX_BODY_BYTES`` (``413``, also for a chunked body while it arrives).
- **Framing**: waitress's own errors (``400`` bad request line, header or chunk,
  ``413``, ``431``, ``501`` unknown transfer coding) are sent in the API-SIG errors
  format as JSON instead of waitress's text/plain page, and the connection closes.
  A request with both ``Content-Length`` and ``Transfer-Encoding`` is refused with
  ``400`` and the connection closed (RFC 9112 6.3: the two disagree on where the next
  request starts, the classic request-smuggling set-up), so nothing pipelined after
  it is served.

Own code rather than another server: waitress is already refcloud's server and does
the parsing; these are small subclasses at its documented extension points
(``channel_class``, ``parser_class``, ``error_task_class``, ``maintenance``).
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from refcloud import limits

__all__ = ["CONNECTIONS_PER_CLIENT", "CONNECTION_LIMIT", "REQUEST_READ_TIMEOUT", "make_server"]

CONNECTION_LIMIT = 1000
CONNECTIONS_PER_CLIENT = 500
REQUEST_READ_TIMEOUT = 30.0
IDLE_TIMEOUT = 60.0
MAX_HEADER_BYTES = 64 * 1024
#: How often the main loop looks for requests past their read deadline (seconds).
SWEEP_INTERVAL = 2.0


class HardenedParser(HTTPRequestParser):
    """waitress's parser that also remembers when the request began and refuses
    ``Content-Length`` together with ``Transfer-Encoding``."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.monotonic()

    def parse_header(self, header_plus: bytes) -> None:
        head = header_plus.lower()
        has_te = b"\ntransfer-encoding:" in head
        has_cl = b"\ncontent-length:" in head
        super().parse_header(header_plus)
        if has_te and has_cl:
            self.connection_close = True
            raise ParsingError(
                "Content-Length and Transfer-Encoding together are refused")


class JsonErrorTask(ErrorTask):
    """waitress's own error answers, in the API-SIG errors format."""

    def execute(self) -> None:
        error = self.request.error
        detail = limits.excerpt(f"{error.reason}: {error.body}", 300)
        body = json.dumps({"errors": [{
            "status": error.code, "title": error.reason, "detail": detail,
            "request_id": f"req-{uuid.uuid4()}",
        }]}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([
            ("Content-Type", "application/json"),
            ("Connection", "close"),
        ])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class HardenedChannel(HTTPChannel):
    parser_class = HardenedParser
    error_task_class = JsonErrorTask

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Adjustments,
                 map: Any = None) -> None:
        super().__init__(server, sock, addr, adj, map=map)
        host = addr[0] if isinstance(addr, tuple) else addr
        same = sum(1 for ch in server.active_channels.values()
                   if isinstance(ch.addr, tuple) and ch.addr[0] == host)
        if same > server.connections_per_client:
            self.will_close = True


class HardenedServer(TcpWSGIServer):
    channel_class = HardenedChannel

    def __init__(self, *args: Any, connections_per_client: int = CONNECTIONS_PER_CLIENT,
                 request_read_timeout: float = REQUEST_READ_TIMEOUT,
                 balance: tuple[Any, int] | None = None, **kwargs: Any) -> None:
        self.connections_per_client = connections_per_client
        self.request_read_timeout = request_read_timeout
        self.balance = balance
        super().__init__(*args, **kwargs)

    def readable(self) -> bool:
        """Accept new connections; under ``refcloud serve --workers`` (``balance``: the
        workers' shared connection counts and this worker's index) only while this worker
        holds no more connections than the least loaded one (refcloud/workers.py)."""
        accepting = bool(super().readable())
        if self.balance is not None:
            counts, index = self.balance
            mine = counts[index] = len(self.active_channels)  # published even when full
            return accepting and mine <= min(counts)
        return accepting

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = time.monotonic() - self.request_read_timeout
        for channel in list(self.active_channels.values()):
            request = getattr(channel, "request", None)
            if request is not None and not request.completed \
                    and getattr(request, "started", cutoff) < cutoff:
                channel.will_close = True


def make_server(app: Callable, *, host: str, port: int, threads: int,
                outbuf_overflow: int, connection_limit: int = CONNECTION_LIMIT,
                connections_per_client: int = CONNECTIONS_PER_CLIENT,
                request_read_timeout: float = REQUEST_READ_TIMEOUT,
                sock: socket.socket | None = None,
                balance: tuple[Any, int] | None = None) -> HardenedServer:
    """A listening (not yet running) server for ``app``; ``OSError`` if it cannot bind.

    ``sock``: an already bound socket to serve on instead (``refcloud serve --workers``,
    refcloud/workers.py); ``host`` and ``port`` then only name it. ``balance``: the workers'
    shared connection counts and this worker's index (``HardenedServer.readable``).
    """
    adj = Adjustments(
        host=host, port=port, threads=threads, ident="refcloud",
        clear_untrusted_proxy_headers=True, outbuf_overflow=outbuf_overflow,
        connection_limit=connection_limit, channel_timeout=IDLE_TIMEOUT,
        cleanup_interval=SWEEP_INTERVAL, max_request_header_size=MAX_HEADER_BYTES,
        max_request_body_size=limits.MAX_BODY_BYTES + 1,
        asyncore_use_poll=True,  # select() stops at 1,024 descriptors
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    return HardenedServer(app, {}, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0],
                          _sock=sock, bind_socket=sock is None,
                          connections_per_client=connections_per_client,
                          request_read_timeout=request_read_timeout, balance=balance)
