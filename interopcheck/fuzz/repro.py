"""Reproducing a generated call: a curl line and a profile step to paste.

The curl line never holds the token: it reads it from ``$OS_TOKEN``. The profile
step is one entry of a profile's ``calls:`` list (the format of
``profiles/placement.yaml``), in YAML flow style. (Own code rather than schemathesis's
``Case.as_curl_command``: the line must name the token variable instead of a value and
be built from the call as sent, after generated headers were filtered.)
"""

from __future__ import annotations

import json
import shlex
from typing import Any

import yaml

from interopcheck.fuzz.wire import Call, Connection

__all__ = ["curl_line", "profile_step"]

_PLAIN_HEADERS = frozenset({"content-type"})


def curl_line(call: Call, base_url: str, connection: Connection, version: str | None) -> str:
    """``curl -i -X METHOD URL -H ... --data-raw BODY`` for ``call`` on ``base_url``."""
    url = base_url.rstrip("/") + call.url
    parts = ["curl", "-i", "-X", call.method, shlex.quote(url),
             "-H", f'"{connection.auth_header}: $OS_TOKEN"']
    if version is not None:
        parts += ["-H", shlex.quote(f"{connection.version_header}: "
                                    f"{connection.version_value(version)}")]
    for name, value in call.headers:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if call.body is not None:
        parts += ["--data-raw", shlex.quote(call.body.decode("utf-8", "replace"))]
    return " ".join(parts)


def profile_step(call: Call, version: str | None, name: str) -> str:
    """A profile step (``{name: ..., POST: /url, microversion: "1.20", body: ...}``)."""
    step: dict[str, Any] = {"name": name, call.method: call.url}
    step["microversion"] = version
    headers = {k: v for k, v in call.headers
               if k.lower() not in _PLAIN_HEADERS or call.body is None}
    fmt, value = call.body_value()
    content_type = (call.content_type or "").split(";")[0].strip().lower()
    if fmt == "json" and content_type in ("application/json", ""):
        step["body"] = value
    elif call.body is not None:
        step["data"] = call.body.decode("utf-8", "replace")
        if call.content_type:
            headers["Content-Type"] = call.content_type
    if headers:
        step["headers"] = headers
    text = yaml.safe_dump(step, default_flow_style=True, sort_keys=False, width=10_000,
                          allow_unicode=True).strip()
    return text if text.startswith("{") else json.dumps(step)
