"""One request: build it from a step, send it, and turn the answer into data.

``send`` never raises for anything a cloud can do. It returns an :class:`Outcome`
holding either an :class:`~interopcheck.compare.Exchange` (symbolised, with
secrets redacted) or an :class:`Issue`: one line saying what went wrong, where,
and what to do. Issues are answers that cannot be compared:

- the cloud is unreachable, times out, or drops the connection;
- a redirect (interopcheck never follows one: the URL given is wrong);
- an HTML page where the request did not ask for HTML (a proxy, a login page);
- a body that claims to be JSON and is not, or a 5xx / 2xx body that is not JSON;
- ``401`` to a request that carried the token (the token is wrong);
- an answer past a cap: more than ``MAX_RAW_BYTES`` as sent or ``MAX_BODY_BYTES``
  decoded (a gzip bomb), still arriving when the call's time is up (a body trickling one
  byte at a time: each call ends within twice its timeout, since the body's reads get
  only the time left), or JSON nested deeper than ``MAX_JSON_DEPTH``. The body is read
  streaming, so a capped answer never sits whole in memory.

Everything kept from an answer (text, headers, issue lines, the request's URL and
body) is scrubbed of the cloud's token and every registered secret
(:mod:`interopcheck.secrets`), in raw, JSON-escaped and URL-encoded spellings.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from interopcheck import secrets
from interopcheck.exchange import REDACTED, Exchange, parse_body
from interopcheck.microversion import Version
from interopcheck.profile.model import UNSET, Profile, Step
from interopcheck.profile.templates import TemplateError, Variables, extract
from interopcheck.report import Problem
from interopcheck.runner.clouds import MAX_TIMEOUTS, Cloud, safe_url

__all__ = ["Issue", "Outcome", "json_problem", "receive", "send", "send_request"]

#: Request headers that say nothing about the call (they vary by client).
UNRECORDED_REQUEST_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "connection", "content-length"}
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
#: Largest answer read, as it comes over the wire (bytes).
MAX_RAW_BYTES = 32 * 1024 * 1024
#: Largest answer read once its Content-Encoding is undone (bytes).
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Deepest JSON nesting accepted in an answer (comparison and rendering recurse).
MAX_JSON_DEPTH = 100
_PIECE = 1 << 20


class _Capped(Exception):
    """An answer went past a cap; ``what`` is the problem line."""

    def __init__(self, what: str, what_to_do: str) -> None:
        super().__init__(what)
        self.what = what
        self.what_to_do = what_to_do


def _scrub(cloud: Cloud, text: str) -> str:
    """``text`` without the cloud's token or any registered secret, however encoded."""
    return secrets.scrub(cloud.scrub(text), (cloud.token,))


def _scrub_issue(cloud: Cloud, issue: Issue) -> Issue:
    return Issue(issue.cloud, issue.category, _scrub(cloud, issue.where),
                 _scrub(cloud, issue.what), _scrub(cloud, issue.what_to_do))


def _json_depth_ok(data: Any) -> bool:
    """True unless ``data`` nests deeper than ``MAX_JSON_DEPTH`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                return False
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return True


def _check_json(text: str) -> tuple[str | None, ValueError | None]:
    """``(too deep, decode error)`` for a body that claims to be JSON."""
    try:
        data = json.loads(text)
    except RecursionError:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels", None
    except ValueError as exc:
        return None, exc
    if not _json_depth_ok(data):
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels", None
    return None, None


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body with its Content-Encoding undone, in pieces of at most 1 MiB.

    gzip and deflate are inflated here with ``max_length`` (httpx inflates each network
    read whole: 64 KiB of a gzip bomb became 64 MiB in one piece); other codings go
    through httpx's own decoders.
    """
    if response.is_stream_consumed:  # built in memory (a mock transport): decoded already
        content = response.content
        for start in range(0, len(content), _PIECE):
            yield content[start:start + _PIECE]
        return
    coding = response.headers.get("content-encoding", "").strip().lower()
    if coding in ("", "identity"):
        yield from response.iter_raw()
        return
    if coding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if "gzip" in coding else zlib.MAX_WBITS)
    first = True
    for raw in response.iter_raw():
        data = raw
        while data:
            try:
                piece = inflater.decompress(data, _PIECE)
            except zlib.error:
                if not (first and coding == "deflate"):
                    raise httpx.DecodingError("the answer's deflate data is broken") from None
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as httpx does
                first = False
                continue
            first = False
            data = inflater.unconsumed_tail
            if piece:
                yield piece
    tail = inflater.flush()
    if tail:
        yield tail


def _read_body(response: httpx.Response, deadline: float, timeout: float) -> bytes:
    """The decoded body, read within the deadline and the size caps (``_Capped``)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Capped(f"the answer's headers took longer than {timeout:g}s",
                      "the cloud is slow or hung: raise --timeout or check the service")
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):  # each read of the body gets only the time left
        timeouts["read"] = remaining
    pieces: list[bytes] = []
    size = 0
    for piece in _decoded(response):
        size += len(piece)
        raw = response.num_bytes_downloaded
        if raw > MAX_RAW_BYTES:
            raise _Capped(f"the answer is larger than {MAX_RAW_BYTES // 2**20} MiB; stopped "
                          f"reading it", "check the call and the service: an API answer "
                          "this large is a fault")
        if size > MAX_BODY_BYTES:
            raise _Capped(f"the answer decodes to more than {MAX_BODY_BYTES // 2**20} MiB "
                          f"({raw} bytes sent; a compression bomb?); stopped reading it",
                          "check the service and any proxy in front of it")
        if time.monotonic() > deadline:
            raise _Capped(f"the answer was still arriving after {timeout:g}s ({size} bytes "
                          f"so far); stopped reading it",
                          "the cloud is slow or hung: raise --timeout or check the service")
        pieces.append(piece)
    return b"".join(pieces)


@dataclass(frozen=True, slots=True)
class Issue:
    """Something that stopped a call from being compared; one line for the report."""

    cloud: str
    category: str
    where: str
    what: str
    what_to_do: str

    def problem(self) -> Problem:
        return Problem(cloud=self.cloud, where=self.where, what=self.what,
                       what_to_do=self.what_to_do)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one request gave: an exchange to compare, or an issue."""

    exchange: Exchange | None
    issue: Issue | None = None
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None


def _build(client: httpx.Client, cloud: Cloud, profile: Profile, step: Step,
           variables: Variables, version: Version | None) -> httpx.Request:
    headers: dict[str, str | None] = dict(profile.headers)
    if step.auth and cloud.token:
        headers[profile.auth.header.lower()] = cloud.token
    if version is not None:
        headers[profile.version_header.lower()] = profile.version_value(version)
    content: bytes | None = None
    if step.body is not UNSET:
        headers["content-type"] = "application/json"
        content = json.dumps(variables.substitute(step.body)).encode()
    elif step.data is not None:
        content = str(variables.substitute(step.data)).encode()
    headers.update({k: variables.substitute(v) for k, v in step.headers.items()})
    url = str(variables.substitute(step.url))
    if "://" in url:  # e.g. a captured Location: keep its path, on this cloud
        parts = urlsplit(url)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        base_path = urlsplit(cloud.base_url).path.rstrip("/")
        if base_path and url.startswith(base_path + "/"):
            url = url[len(base_path):]
    request = client.build_request(
        step.method, url, headers={k: v for k, v in headers.items() if v is not None},
        content=content, timeout=step.timeout or cloud.timeout,
    )
    for name, value in headers.items():
        if value is None and name in request.headers:
            del request.headers[name]
    return request


def _transport_issue(cloud: Cloud, where: str, exc: httpx.HTTPError, timeout: float) -> Issue:
    if isinstance(exc, httpx.TimeoutException):
        count = cloud.count_timeout()
        todo = "the cloud is slow or hung: raise --timeout or check the service"
        if count >= MAX_TIMEOUTS and cloud.mark_down(f"{count} calls timed out"):
            todo += f"; stopped calling {cloud.name} after {count} timeouts"
        return Issue(cloud.name, "timeout", where, f"no answer within {timeout:g}s", todo)
    if isinstance(exc, httpx.ConnectError):
        cloud.mark_down("unreachable")
        reason = cloud.scrub(str(exc)) or type(exc).__name__
        return Issue(cloud.name, "down", where, f"cannot connect to {cloud.display_url}: {reason}",
                     f"is the service running there? check {cloud.url_option or 'the URL'}")
    reason = cloud.scrub(str(exc)) or type(exc).__name__
    return Issue(cloud.name, "transport", where, f"the connection failed: {reason}",
                 "check the service and any proxy in front of it")


def _snippet(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _response_issue(cloud: Cloud, step: Step, where: str, request: httpx.Request,
                    response: httpx.Response, text: str) -> Issue | None:
    status = response.status_code
    content_type = response.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    is_json_media = media == "application/json" or media.endswith("+json")
    accept = request.headers.get("accept", "").lower()
    if 300 <= status < 400 and status != 304:
        target = safe_url(response.headers.get("location", "")) or "(no Location)"
        cloud.mark_down("redirects")
        return Issue(cloud.name, "redirect", where, f"answered {status} redirect to {target}",
                     f"interopcheck does not follow redirects: give the final URL as "
                     f"{cloud.url_option or 'the URL'}")
    if status == 401 and step.auth:
        cloud.mark_down("rejects the token")
        what = ("answered 401: the token was rejected" if cloud.token
                else "answered 401: no token was given")
        return Issue(cloud.name, "auth", where, what,
                     f"give a valid token with {cloud.token_option or 'the token option'}")
    if not text.strip():
        return None
    if media == "text/html" and "html" not in accept:
        match = _TITLE.search(text)
        title = f" ({_snippet(match.group(1))!r})" if match else ""
        return Issue(cloud.name, "html", where,
                     f"answered {status} with an HTML page{title} instead of JSON",
                     f"a proxy, login page or web server answered: check that "
                     f"{cloud.url_option or 'the URL'} points at the API itself")
    if is_json_media:
        too_deep, exc = _check_json(text)
        if too_deep:
            return Issue(cloud.name, "invalid-json", where,
                         f"answered {status} with {too_deep}; not compared",
                         "the service or a proxy in front of it is broken: check its logs")
        if exc is not None:
            why = (f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError)
                   else _snippet(str(exc)))
            return Issue(cloud.name, "invalid-json", where,
                         f"answered {status} with Content-Type {media} but the body is not "
                         f"valid JSON ({why})",
                         "the service or a proxy in front of it is broken: check its logs")
        return None
    wants_json = not accept or "json" in accept or "*/*" in accept
    if wants_json and (status >= 500 or 200 <= status < 300):
        return Issue(cloud.name, "not-json", where,
                     f"answered {status} with a {media or 'untyped'} body instead of JSON "
                     f"({_snippet(text)!r})",
                     "the service or a proxy in front of it failed: check its logs"
                     if status >= 500 else
                     f"check that {cloud.url_option or 'the URL'} points at the API itself")
    return None


def receive(cloud: Cloud, request: httpx.Request, where: str, timeout: float,
            ) -> tuple[httpx.Response | None, str, Issue | None]:
    """Send ``request`` and read its answer within the caps: ``(response, text, None)``
    (the response closed, its body as scrubbed text) or ``(None, "", issue)``.
    Also used by ``interopcheck check``, which builds its own requests."""
    deadline = time.monotonic() + timeout
    try:
        response = cloud.client().send(request, stream=True)
        try:
            content = _read_body(response, deadline, timeout)
        finally:
            response.close()
        text = content.decode(response.encoding or "utf-8", errors="replace")
    except _Capped as exc:
        return None, "", _scrub_issue(cloud, Issue(cloud.name, "capped", where, exc.what,
                                                   exc.what_to_do))
    except httpx.HTTPError as exc:
        return None, "", _scrub_issue(cloud, _transport_issue(cloud, where, exc, timeout))
    except Exception as exc:  # a broken transport or proxy library: still one line
        reason = _scrub(cloud, f"{type(exc).__name__}: {exc}")
        return None, "", _scrub_issue(cloud, Issue(
            cloud.name, "transport", where, f"the request failed unexpectedly: {reason}",
            "check the service and any proxy in front of it"))
    return response, _scrub(cloud, text), None


def json_problem(content_type: str | None, text: str) -> str | None:
    """Why a JSON answer cannot be used although it parses (nested too deep), or None."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return _check_json(text)[0]
    return None


def send_request(cloud: Cloud, profile: Profile, step: Step, variables: Variables,
                 version: Version | None, where: str) -> Outcome:
    """Send ``step`` to ``cloud`` at ``version`` (``None``: no version header)."""
    try:
        client = cloud.client()
        request = _build(client, cloud, profile, step, variables, version)
    except TemplateError as exc:
        return Outcome(None, Issue(cloud.name, "template", where, str(exc),
                                   "set the variable or fix the profile"))
    response, text, failed = receive(cloud, request, where, step.timeout or cloud.timeout)
    if failed is not None or response is None:
        return Outcome(None, failed)
    headers = {k.lower(): _scrub(cloud, v) for k, v in response.headers.items()}
    issue = _response_issue(cloud, step, where, request, response, text)
    if issue is not None:
        issue = _scrub_issue(cloud, issue)
        body_format, body = (("text", text) if issue.category in ("invalid-json",)
                             else parse_body(response.headers.get("content-type"), text))
        return Outcome(None, issue, response.status_code, headers, body)
    body_format, body = parse_body(response.headers.get("content-type"), text)
    return Outcome(_exchange(cloud, profile, variables, request, response, headers, body_format,
                             body),
                   None, response.status_code, headers, body)


def _exchange(cloud: Cloud, profile: Profile, variables: Variables, request: httpx.Request,
              response: httpx.Response, headers: Mapping[str, str], body_format: str,
              body: Any) -> Exchange:
    auth_header = profile.auth.header.lower()
    request_headers = [
        [k.lower(), REDACTED if k.lower() == auth_header else _scrub(cloud, v)]
        for k, v in request.headers.items() if k.lower() not in UNRECORDED_REQUEST_HEADERS
    ]
    request_body: Any = None
    if request.content:
        _fmt, request_body = parse_body(request.headers.get("content-type"),
                                        _scrub(cloud, request.content.decode("utf-8", "replace")))
    raw_path = _scrub(cloud, request.url.raw_path.decode("ascii", "replace"))
    base_path = urlsplit(cloud.base_url).path.rstrip("/")
    if base_path and raw_path.startswith(base_path + "/"):
        raw_path = raw_path[len(base_path):]
    # One pass writes every generated value back as its template.
    url, req_headers, resp_headers, body, request_body = variables.symbolise(
        [raw_path, request_headers, [[k, v] for k, v in headers.items()], body, request_body])
    return Exchange.create(
        method=request.method,
        url=url,
        request_headers=[(k, v) for k, v in req_headers],
        status=response.status_code,
        headers=[(k, v) for k, v in resp_headers],
        body=body,
        body_format=body_format,
        request_body=request_body,
    )


def send(cloud: Cloud, profile: Profile, step: Step, variables: Variables, sweep: Version,
         latest: Version, where: str) -> Outcome:
    """Send a scenario step at the sweep version (or the step's own version).

    A step with ``poll`` is sent again every ``interval`` seconds until its ``until``
    expression has one of the wanted values; the last answer is returned, or an
    Issue when ``timeout`` runs out first.
    """
    version = step.microversion(sweep, latest)
    outcome = send_request(cloud, profile, step, variables, version, where)
    poll = step.poll
    if poll is None:
        return outcome
    deadline = time.monotonic() + poll.timeout
    while True:
        if outcome.issue is not None:
            return outcome
        value = extract(poll.until, outcome.status or 0, outcome.headers, outcome.body)
        if value in poll.values:
            return outcome
        if time.monotonic() >= deadline:
            wanted = ", ".join(str(v) for v in poll.values)
            return Outcome(None, Issue(
                cloud.name, "poll-timeout", where,
                f"{poll.until} was {value!r}, not one of {wanted}, after {poll.timeout:g}s",
                "the asynchronous change did not settle: check the service or raise the "
                "step's poll timeout"), outcome.status, outcome.headers, outcome.body)
        time.sleep(poll.interval)
        outcome = send_request(cloud, profile, step, variables, version, where)
