"""Gabbi YAML files as scenarios: run a file on one cloud with gabbi itself, keep every answer.

The file is read and run by the ``gabbi`` package (its YAML loader, its suite maker,
its HTTP client), so everything gabbi files can say works as gabbi defines it:
defaults, ``$HISTORY``, ``$RESPONSE``, ``$LOCATION``, ``$ENVIRON``, ``$LAST_URL``,
query parameters, polling, ``xfail``, ``skip``. Nothing here parses the format.
``fixtures:`` are ignored, as ``gabbi-run`` ignores them: give each cloud its state
with a setup command instead (``interopcheck diff --gabbi-setup``).

:func:`run_file` returns, for each test in file order, what gabbi sent and the
answer it got (an :class:`~interopcheck.compare.Exchange`, secrets redacted), and
whether the test's own expectations held on that cloud.
"""

from __future__ import annotations

import contextlib
import os
import threading
import unittest
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from interopcheck.compare import Exchange, parse_body
from interopcheck.errors import InteropcheckError

__all__ = ["GabbiError", "GabbiTest", "run_file"]

#: Pseudo headers gabbi's client adds to a response (httplib2 style).
_PSEUDO_HEADERS = frozenset({"status", "reason", "http_protocol_version"})
_ENVIRON_LOCK = threading.Lock()


class GabbiError(InteropcheckError):
    """A gabbi file that cannot be loaded (the message is the one line to print)."""


@dataclass(frozen=True, slots=True)
class GabbiTest:
    """One test of a gabbi file as run on one cloud."""

    name: str
    method: str
    url: str
    exchange: Exchange | None
    outcome: str  # pass, fail, error, skip, xfail, xpass
    message: str = ""


def _require_gabbi() -> Any:
    try:
        import gabbi.runner
        import gabbi.suitemaker
        import gabbi.utils
    except ImportError:
        raise GabbiError("--gabbi needs the gabbi package: pip install "
                         "'interopcheck[fuzz]'") from None
    return gabbi


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` for gabbi's ``$ENVIRON`` while a file runs."""
    with _ENVIRON_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _tests(suite: Any) -> Iterator[Any]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _tests(item)
        else:
            yield item


def _outcomes(result: unittest.TestResult) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for kind, items in (("fail", result.failures), ("error", result.errors),
                        ("xfail", result.expectedFailures)):
        for test, text in items:
            lines = [line for line in str(text).strip().splitlines() if line.strip()]
            out[id(test)] = (kind, lines[-1][:300] if lines else "")
    for test, reason in result.skipped:
        out[id(test)] = ("skip", str(reason)[:300])
    for test in result.unexpectedSuccesses:
        out[id(test)] = ("xpass", "")
    return out


def _path(url: str) -> str:
    """A URL gabbi built from ``$LOCATION`` or ``$LAST_URL`` as a path (no scheme, host)."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _exchange(test: Any) -> Exchange | None:
    response = getattr(test, "response", None)
    if response is None:
        return None
    data = test.test_data
    headers = [(k, v) for k, v in response.multi_items() if k.lower() not in _PSEUDO_HEADERS] \
        if hasattr(response, "multi_items") else \
        [(k, v) for k, v in dict(response).items() if k.lower() not in _PSEUDO_HEADERS]
    body_format, body = parse_body(response.get("content-type"), getattr(test, "output", "") or "")
    request_headers = {str(k): str(v) for k, v in (data.get("request_headers") or {}).items()}
    return Exchange.create(method=str(data.get("method", "GET")).upper(), url=_path(str(test.url)),
                           request_headers=request_headers, status=int(response["status"]),
                           headers=headers, body=body, body_format=body_format)


def run_file(path: str | Path, base_url: str, *, environ: Mapping[str, str] | None = None,
             app: Callable[[], Any] | None = None, timeout: float = 30.0) -> list[GabbiTest]:
    """Run the gabbi file at ``path`` against ``base_url`` and record each test.

    ``environ`` is exported for ``$ENVIRON`` while the file runs; ``app`` (a callable
    returning a WSGI application) runs the file in process through gabbi's intercept.
    """
    gabbi = _require_gabbi()
    path = Path(path)
    try:
        data = gabbi.utils.load_yaml(yaml_file=str(path))
    except (OSError, ValueError, Exception) as exc:
        raise GabbiError(f"--gabbi {path}: cannot read it: {str(exc).splitlines()[0]}") \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise GabbiError(f"--gabbi {path}: not a gabbi file (no 'tests' list)")
    parts = urlsplit(base_url)
    if not isinstance(data.get("defaults"), dict):
        data["defaults"] = {}
    defaults = data["defaults"]
    if parts.scheme == "https":
        defaults["ssl"] = True
    defaults.setdefault("timeout", timeout)
    handlers = gabbi.runner.initialize_handlers([], False)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        suite = gabbi.suitemaker.test_suite_from_dict(
            unittest.defaultTestLoader, path.stem, data, str(path.parent), parts.hostname,
            port, None, app, prefix=parts.path.rstrip("/"), handlers=handlers,
            test_loader_name="interopcheck")
    except Exception as exc:  # gabbi's GabbiFormatError and friends
        raise GabbiError(f"--gabbi {path}: {exc}") from None
    tests = list(_tests(suite))  # a suite lets go of its tests as they finish
    result = unittest.TestResult()
    with _environ(environ or {}):
        suite.run(result)
    outcomes = _outcomes(result)
    out = []
    for test in tests:
        data = getattr(test, "test_data", {}) or {}
        outcome, message = outcomes.get(id(test), ("pass", ""))
        if not getattr(test, "has_run", False) and outcome == "pass":
            outcome = "skip"
        out.append(GabbiTest(name=str(data.get("name", test.id())),
                             method=str(data.get("method", "GET")).upper(),
                             url=_path(str(getattr(test, "url", data.get("url", "")))),
                             exchange=_exchange(test), outcome=outcome, message=message))
    return out
