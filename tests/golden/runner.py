"""Load the golden sequences, run them against an httpx.Client, and compare runs.

``sequences.yaml`` holds a list of sequences; each has a ``name``, an optional
``description``, a default ``microversion`` (a string such as ``"1.20"``, or
``null`` for "send no OpenStack-API-Version header"; default ``null``) and a list
of ``steps``. A step is::

    - name: create                   # optional label used in reports
      POST: /resource_providers      # METHOD: url  (or ``method:`` and ``url:``)
      microversion: "1.20"           # overrides the sequence default; null = no header
      headers: {accept: text/html}   # extra request headers; a null value removes one
      body: {name: $name(rp1)}       # a JSON body (sent as application/json)
      data: "{not json"              # or a raw body (no content type unless in headers)
      auth: false                    # send no X-Auth-Token (default: x-auth-token admin)
      capture: {gen: body.resource_provider_generation, loc: header.location}
      status: 200                    # real Placement's status; record.py checks it

Variables, substituted in the url, headers, body and data:

- ``$uuid(x)`` a fresh UUID per run of the sequence (the same ``x`` gives the same
  value within the run); ``$hex(x)`` the same UUID without dashes;
- ``$name(x)`` a unique name, ``$rc(X)`` a unique ``CUSTOM_`` resource class and
  ``$trait(X)`` a unique ``CUSTOM_`` trait;
- ``$var(x)`` a value captured by an earlier step. A string that is exactly one
  ``$var(x)`` becomes the captured value with its JSON type (e.g. an integer).

Recorded and replayed exchanges are *symbolised*: every generated value is written
back as its variable (``$uuid(rp1)``), so runs compare equal and recordings are
stable. Secrets are redacted by :class:`~interopcheck.compare.Exchange`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from interopcheck.compare import CompareOptions, Difference, Exchange, compare, parse_body
from interopcheck.profile.templates import Variables as ProfileVariables
from interopcheck.profile.templates import extract

HERE = Path(__file__).resolve().parent
SEQUENCES_FILE = HERE / "sequences.yaml"
RECORDED_DIR = HERE / "recorded"
ADMIN_TOKEN = "admin"

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SEQUENCE_KEYS = frozenset({"name", "description", "microversion", "steps"})
STEP_KEYS = frozenset(
    {"name", "method", "url", "microversion", "headers", "body", "data", "auth", "capture",
     "status"}
)
# Request headers that say nothing about the test (they vary by client).
UNRECORDED_REQUEST_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "connection", "content-length"}
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_UNSET: Any = object()


class SequenceFormatError(ValueError):
    """sequences.yaml is malformed; the message names the sequence and step."""


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    method: str
    url: str
    microversion: str | None
    headers: Mapping[str, str | None]
    body: Any
    data: str | None
    auth: bool
    capture: Mapping[str, str]
    status: int | None  # what real Placement answers (checked by record.py only)

    @property
    def label(self) -> str:
        mv = self.microversion if self.microversion is not None else "no version"
        return f"step {self.index} {self.name!r}: {self.method} {self.url} [{mv}]"


@dataclass(frozen=True)
class Sequence:
    name: str
    description: str
    steps: tuple[Step, ...]
    digest: str

    @property
    def microversions(self) -> frozenset[str]:
        return frozenset(s.microversion for s in self.steps if s.microversion is not None)


def _fail(where: str, message: str) -> SequenceFormatError:
    return SequenceFormatError(f"{SEQUENCES_FILE.name}: {where}: {message}")


def _parse_step(raw: Any, index: int, seq_name: str, default_mv: str | None) -> Step:
    where = f"sequence {seq_name!r} step {index}"
    if not isinstance(raw, dict):
        raise _fail(where, "a step must be a mapping")
    raw = dict(raw)
    shortcuts = [k for k in raw if k in METHODS]
    if len(shortcuts) > 1 or (shortcuts and ("method" in raw or "url" in raw)):
        raise _fail(where, "give one METHOD: url shortcut or method + url")
    if shortcuts:
        method = shortcuts[0]
        url = raw.pop(method)
    else:
        method, url = raw.pop("method", None), raw.pop("url", None)
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    if not isinstance(method, str) or not isinstance(url, str):
        raise _fail(where, "method and url must be strings")
    if "body" in raw and "data" in raw:
        raise _fail(where, "give body or data, not both")
    mv = raw.get("microversion", default_mv)
    if mv is not None and not isinstance(mv, str):
        raise _fail(where, f"microversion must be a quoted string or null, not {mv!r}")
    capture = raw.get("capture", {}) or {}
    for var, expr in capture.items():
        if not isinstance(expr, str) or not expr.startswith(("body", "header.")):
            raise _fail(where, f"capture {var!r} must be body[.path] or header.<name>")
    return Step(
        index=index,
        name=str(raw.get("name", f"{method} {url}")),
        method=method.upper(),
        url=url,
        microversion=mv,
        headers={str(k).lower(): (None if v is None else str(v))
                 for k, v in (raw.get("headers") or {}).items()},
        body=raw.get("body", _UNSET),
        data=raw.get("data"),
        auth=bool(raw.get("auth", True)),
        capture=dict(capture),
        status=raw.get("status"),
    )


def parse_sequences(document: Any) -> list[Sequence]:
    """Validate the loaded YAML document and build the sequences."""
    if not isinstance(document, dict) or not isinstance(document.get("sequences"), list):
        raise _fail("top level", "expected a mapping with a 'sequences' list")
    out: list[Sequence] = []
    seen: set[str] = set()
    for i, raw in enumerate(document["sequences"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise _fail(f"sequence #{i}", "a sequence is a mapping with a string 'name'")
        name = raw["name"]
        if not _NAME.match(name) or name in seen:
            raise _fail(f"sequence {name!r}", "names are unique, lower-case [a-z0-9._-]")
        seen.add(name)
        unknown = set(raw) - SEQUENCE_KEYS
        if unknown:
            raise _fail(f"sequence {name!r}", f"unknown keys {sorted(unknown)}")
        steps_raw = raw.get("steps")
        if not isinstance(steps_raw, list) or not steps_raw:
            raise _fail(f"sequence {name!r}", "needs a non-empty 'steps' list")
        default_mv = raw.get("microversion")
        if default_mv is not None and not isinstance(default_mv, str):
            raise _fail(f"sequence {name!r}", "microversion must be a quoted string or null")
        steps = tuple(_parse_step(s, j, name, default_mv) for j, s in enumerate(steps_raw, 1))
        digest = hashlib.sha256(
            json.dumps(raw, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        out.append(Sequence(name, str(raw.get("description", "")), steps, digest))
    return out


def load_sequences(path: Path = SEQUENCES_FILE) -> list[Sequence]:
    with path.open(encoding="utf-8") as f:
        return parse_sequences(yaml.safe_load(f))


class Variables(ProfileVariables):
    """The profile runner's variables (:class:`interopcheck.profile.templates.Variables`:
    ``$uuid``, ``$hex``, ``$name``, ``$rc``, ``$trait``, ``$var``); only generated values
    are symbolised, as the recordings were made (captured values stay as they are)."""

    SYMBOLISE_CAPTURED = False


def _build_request(client: httpx.Client, step: Step, variables: Variables) -> httpx.Request:
    headers: dict[str, str | None] = {}
    if step.auth:
        headers["x-auth-token"] = ADMIN_TOKEN
    if step.microversion is not None:
        headers["openstack-api-version"] = f"placement {step.microversion}"
    content: bytes | None = None
    if step.body is not _UNSET:
        headers["content-type"] = "application/json"
        content = json.dumps(variables.substitute(step.body)).encode()
    elif step.data is not None:
        content = str(variables.substitute(step.data)).encode()
    headers.update({k: variables.substitute(v) for k, v in step.headers.items()})
    request = client.build_request(
        step.method,
        variables.substitute(step.url),
        headers={k: v for k, v in headers.items() if v is not None},
        content=content,
    )
    for name, value in headers.items():
        if value is None and name in request.headers:
            del request.headers[name]
    return request


def run_sequence(sequence: Sequence, client: httpx.Client) -> list[Exchange]:
    """Run every step (whatever the responses) and return the symbolised Exchanges."""
    variables = Variables()
    exchanges: list[Exchange] = []
    for step in sequence.steps:
        request = _build_request(client, step, variables)
        response = client.send(request)
        body_format, body = parse_body(response.headers.get("content-type"), response.text)
        for var, expr in step.capture.items():
            captured = extract(expr, response.status_code, response.headers, body)
            if captured is not None:
                variables.captured[var] = captured
        url = request.url.raw_path.decode("ascii")
        request_body: Any = None
        if request.content:
            _fmt, request_body = parse_body(request.headers.get("content-type"),
                                           request.content.decode("utf-8", "replace"))
        exchanges.append(
            Exchange.create(
                method=request.method,
                url=variables.symbolise(url),
                request_headers=[
                    (k, variables.symbolise(v)) for k, v in request.headers.items()
                    if k.lower() not in UNRECORDED_REQUEST_HEADERS
                ],
                status=response.status_code,
                headers=[(k, variables.symbolise(v)) for k, v in response.headers.items()],
                body=variables.symbolise(body),
                body_format=body_format,
                request_body=variables.symbolise(request_body),
            )
        )
    return exchanges


# ---- recordings -------------------------------------------------------------------------


def recording_path(sequence: Sequence, directory: Path = RECORDED_DIR) -> Path:
    return directory / f"{sequence.name}.json"


def recording_document(
    sequence: Sequence, exchanges: list[Exchange], source: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "sequence": sequence.name,
        "description": sequence.description,
        "digest": sequence.digest,
        "recorded_from": dict(source),
        "steps": [
            {"step": step.index, "name": step.name, **ex.to_dict()}
            for step, ex in zip(sequence.steps, exchanges, strict=True)
        ],
    }


class RecordingError(Exception):
    """The recording is missing or does not belong to the current sequence."""


def load_recording(sequence: Sequence, directory: Path = RECORDED_DIR) -> list[Exchange]:
    path = recording_path(sequence, directory)
    if not path.exists():
        raise RecordingError(
            f"no recording {path.relative_to(HERE.parent.parent)}; "
            "run: python tests/golden/record.py URL"
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("digest") != sequence.digest:
        raise RecordingError(
            f"recording {path.name} is stale (sequence changed since it was recorded); "
            "re-record with: python tests/golden/record.py URL " + sequence.name
        )
    return [Exchange.from_dict(s) for s in document["steps"]]


# ---- comparing runs ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepDifferences:
    step: Step
    differences: tuple[Difference, ...]


def compare_runs(
    sequence: Sequence,
    expected: list[Exchange],
    actual: list[Exchange],
    options: CompareOptions | None = None,
) -> list[StepDifferences]:
    """The differences per step (only steps that have some)."""
    out: list[StepDifferences] = []
    for step, a, b in zip(sequence.steps, expected, actual, strict=True):
        diffs = compare(a, b) if options is None else compare(a, b, options)
        if diffs:
            out.append(StepDifferences(step, tuple(diffs)))
    return out


def report(
    sequence: Sequence, found: list[StepDifferences], names: tuple[str, str] = ("real", "refcloud")
) -> str:
    """A readable report: one block per differing step."""
    lines = [f"{sequence.name}: {len(found)} of {len(sequence.steps)} steps differ "
             f"(A={names[0]}, B={names[1]})"]
    for item in found:
        lines.append(f"  {item.step.label}")
        lines.extend(f"    - {d}" for d in item.differences)
    return "\n".join(lines)


def describe(sequences: list[Sequence]) -> dict[str, Any]:
    """Counts for the report: sequences, steps, microversions."""
    versions = sorted(
        set().union(*(s.microversions for s in sequences)),
        key=lambda v: tuple(int(p) if p.isdigit() else -1 for p in v.split(".")),
    )
    return {
        "sequences": len(sequences),
        "steps": sum(len(s.steps) for s in sequences),
        "microversions": versions,
    }

