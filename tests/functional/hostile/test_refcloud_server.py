"""``refcloud serve`` against hostile HTTP clients (issue 15), over real loopback sockets.

Fast (default run): waitress's own errors (431, 413, 501, bad chunk, NUL in a header)
come back in the API-SIG errors format; Content-Length with Transfer-Encoding is
refused and nothing pipelined after it is served. ``-m hostile``: 120 slowloris
connections do not lock a normal client out.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.refcloud_proc import refcloud_process


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    directory = tmp_path_factory.mktemp("refcloud-hostile")
    with refcloud_process(f"sqlite:///{directory / 'refcloud.db'}", log_dir=directory,
                          threads=4) as rc:
        parts = urlsplit(rc.url)
        assert parts.hostname and parts.port
        yield parts.hostname, parts.port


def _exchange(addr: tuple[str, int], raw: bytes, wait: float = 5.0) -> bytes:
    """Send ``raw``, read until the server closes (or ``wait`` runs out)."""
    with socket.create_connection(addr, timeout=wait) as sock:
        sock.sendall(raw)
        chunks = []
        deadline = time.monotonic() + wait
        with contextlib.suppress(OSError):
            while time.monotonic() < deadline:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
    return b"".join(chunks)


def _responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Split pipelined HTTP/1.1 answers (each with a Content-Length)."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip()
                   for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:length]))
        data = rest[length:]
    return out


def _assert_errors_format(answer: bytes, status: int) -> None:
    (got, headers, body), *_ = _responses(answer)
    assert got == status, answer[:300]
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["errors"][0]
    assert error["status"] == status
    assert error["title"] and error["detail"] and error["request_id"].startswith("req-")


@pytest.mark.parametrize(("raw", "status"), [
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431,
                 id="header-too-large"),
    pytest.param(b"POST /resource_providers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 b"application/json\r\nContent-Length: 99999999999\r\n\r\n", 413,
                 id="content-length-too-large"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                 b"0\r\n\r\n", 501, id="unknown-transfer-coding"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"zz\r\nhello\r\n0\r\n\r\n", 400, id="bad-chunk"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", 400, id="nul-in-header"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
                 id="bad-content-length"),
])
def test_server_errors_use_the_errors_format(server: tuple[str, int], raw: bytes,
                                             status: int) -> None:
    _assert_errors_format(_exchange(server, raw), status)


def test_chunked_body_over_the_limit_is_413(server: tuple[str, int]) -> None:
    from refcloud import limits

    chunk = b"a" * 1_000_000
    with socket.create_connection(server, timeout=10) as sock:
        sock.sendall(b"POST /resource_providers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        with contextlib.suppress(OSError):
            for _ in range(limits.MAX_BODY_BYTES // len(chunk) + 2):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = b""
        with contextlib.suppress(OSError):
            while data := sock.recv(65536):
                answer += data
    _assert_errors_format(answer, 413)


def test_content_length_with_transfer_encoding_is_refused(server: tuple[str, int]) -> None:
    smuggled = b"GET /resource_providers HTTP/1.1\r\nHost: x\r\nX-Auth-Token: admin\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    raw = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(body)) + body
    answers = _responses(_exchange(server, raw))
    assert len(answers) == 1, answers  # the pipelined GET is never served
    _assert_errors_format(_exchange(server, raw), 400)


def test_normal_pipelining_still_works(server: tuple[str, int]) -> None:
    one = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    answers = _responses(_exchange(server, one * 2 + b"GET / HTTP/1.1\r\nHost: x\r\n"
                                   b"Connection: close\r\n\r\n"))
    assert [a[0] for a in answers] == [200, 200, 200]


# --- slow clients (-m hostile) ---------------------------------------------------------------

SLOW_CLIENTS = 120


def _slowloris(addr: tuple[str, int], stop: threading.Event,
               opened: list[socket.socket]) -> None:
    """Open SLOW_CLIENTS connections; send one header byte on each every 5 s."""
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(addr, timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        opened.append(sock)
    while not stop.wait(5):
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.sendall(b"X")


@pytest.mark.hostile
def test_slow_clients_do_not_lock_out_a_normal_client(server: tuple[str, int]) -> None:
    stop = threading.Event()
    opened: list[socket.socket] = []
    attacker = threading.Thread(target=_slowloris, args=(server, stop, opened), daemon=True)
    attacker.start()
    try:
        while len(opened) < SLOW_CLIENTS and attacker.is_alive():
            time.sleep(0.1)
        assert len(opened) == SLOW_CLIENTS
        url = f"http://{server[0]}:{server[1]}/"
        worst = 0.0
        for _ in range(8):  # over ~16 s, across several trickle rounds
            started = time.monotonic()
            resp = httpx.get(url, timeout=10)
            worst = max(worst, time.monotonic() - started)
            assert resp.status_code == 200
            time.sleep(2)
        assert worst < 1.0, f"a normal GET / took {worst:.2f}s beside {SLOW_CLIENTS} slow clients"
    finally:
        stop.set()
        attacker.join(10)
        for sock in opened:
            sock.close()


@pytest.mark.hostile
def test_trickling_request_is_dropped_after_the_read_deadline(
        server: tuple[str, int]) -> None:
    from refcloud import server as refcloud_server

    with socket.create_connection(server, timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < refcloud_server.REQUEST_READ_TIMEOUT + 15:
            try:
                sock.sendall(b"X")
                sock.settimeout(2)
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        assert closed
        assert time.monotonic() - started < refcloud_server.REQUEST_READ_TIMEOUT + 15
