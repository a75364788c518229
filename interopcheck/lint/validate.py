"""Structural validation: the document against the official OpenAPI 3.0 / 3.1 JSON Schema.

The schemas are vendored (``schemas/``, Apache-2.0, see ``schemas/README.md``) and compiled
once per process with ``jsonschema-rs`` (Rust): the 13 MB GitHub document validates in tens
of milliseconds, where a pure-Python validator takes seconds. Errors under ``oneOf``/``anyOf``
(e.g. "a Response or a Reference") are narrowed to the branch that got furthest into the
document, so a finding names the real mistake (``type: objekt``) at its own line, not "not
valid under any of the schemas" at the enclosing response.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema_rs

from interopcheck.lint.loader import Problem, SourceFile
from interopcheck.rules.targets import escape

__all__ = ["SCHEMA_TYPES", "oas_version", "validate_document"]

#: the JSON Schema ``type`` names (OAS 3.1 leaves Schema Objects to the dialect; the rule
#: checks ``type`` against these itself)
SCHEMA_TYPES = frozenset({"array", "boolean", "integer", "number", "object", "string", "null"})
_MAX_MESSAGE = 160
_MAX_ERRORS = 1000


def oas_version(data: Any) -> str:
    """``"3.1"`` or ``"3.0"`` (the schema to validate with) from the ``openapi`` field."""
    value = str(data.get("openapi", "")) if isinstance(data, dict) else ""
    return "3.1" if value.startswith("3.1") else "3.0"


@functools.lru_cache(maxsize=2)
def _validator(version: str) -> Any:
    text = resources.files("interopcheck.lint").joinpath(
        "schemas", f"oas-{version}.json").read_text(encoding="utf-8")
    return jsonschema_rs.validator_for(json.loads(text))


def _is_ref_alternative(errors: list[Any]) -> bool:
    """The branch that only failed because the value is not a Reference Object."""
    return all(e.message == '"$ref" is a required property' for e in errors)


def _leaves(err: Any, depth: int = 0) -> Iterator[Any]:
    context = getattr(err.kind, "context", None)
    if context and depth < 10:
        branches = [b for b in context if b and not _is_ref_alternative(b)]
        if branches:
            best = max(branches, key=lambda b: max(len(e.instance_path) for e in b))
            for e in best:
                yield from _leaves(e, depth + 1)
            return
    yield err


def _pointer(path: Any) -> str:
    return "".join("/" + escape(t) for t in path)


def _message(err: Any, version: str) -> str:
    text = err.message
    if len(text) > _MAX_MESSAGE:
        text = text[:_MAX_MESSAGE - 1] + "…"
    return f"not valid OpenAPI {version}: {text}"


def _plain(data: Any) -> Any:
    """YAML may hold dates and timestamps, which the validator does not take: as strings."""
    return json.loads(json.dumps(data, default=str))


def validate_document(src: SourceFile) -> list[Problem]:
    """OAS001 problems for the root document ``src`` (at most 1000, one per place)."""
    version = oas_version(src.data)
    validator = _validator(version)
    try:
        errors = list(validator.iter_errors(src.data))
    except ValueError:
        errors = list(validator.iter_errors(_plain(src.data)))
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in errors:
        for leaf in _leaves(err):
            ptr = _pointer(leaf.instance_path)
            msg = _message(leaf, version)
            if (ptr, msg) in seen:
                continue
            seen.add((ptr, msg))
            out.append(Problem("OAS001", msg, src, ptr))
            if len(out) >= _MAX_ERRORS:
                return out
    return out
