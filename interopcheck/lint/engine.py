"""``lint(path)``: load, produce targets, evaluate, locate, suppress, sort."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import interopcheck.rules  # noqa: F401  (registers the catalog)
from interopcheck.lint.causes import LintCause, group
from interopcheck.lint.config import LintConfig, is_suppressed
from interopcheck.lint.loader import DEFAULT_MAX_BYTES, Loader, LoadError, SourceFile
from interopcheck.lint.sources import api_document, iter_schemas
from interopcheck.lint.validate import oas_version, validate_document
from interopcheck.rules.evaluate import evaluate
from interopcheck.rules.registry import Violation
from interopcheck.rules.targets import ApiDocument, Operation, Target

__all__ = ["LintResult", "check_document", "gc_paused", "lint", "lint_source"]

_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(slots=True)
class LintResult:
    spec: str
    violations: list[Violation]
    suppressed: int = 0
    api: ApiDocument | None = None
    files: list[str] = field(default_factory=list)
    #: findings grouped by root cause (:mod:`interopcheck.lint.causes`), first-seen order
    causes: list[LintCause] = field(default_factory=list)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (back on after, if it was on).

    A lint run builds millions of objects (the parsed document, nodes, targets, findings)
    that all live until the report is written; every generation-2 collection walks all of
    them again and finds nothing to free. On Microsoft Graph beta (47 MB) that was more than
    half of the run's CPU time. Reference counting still frees everything that is not in a
    cycle; the few cycles are collected once the collector is back on.

    On the way out the survivors go straight to the oldest generation (``gc.freeze()`` then
    ``gc.unfreeze()``, unless the process froze objects itself): otherwise the first young
    collection after ``gc.enable()`` walks every one of them (half a second on Graph)."""
    was_on = gc.isenabled()
    nothing_frozen = gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if nothing_frozen:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _targets(api: ApiDocument) -> list[Target]:
    out: list[Target] = []
    seen: set[tuple[int, str]] = set()
    for op in api.operations:
        out.append(op)
        for p in op.parameters:
            key = (id(p.source), p.pointer)
            if key not in seen:
                seen.add(key)
                out.append(p)
    out.extend(iter_schemas(api))
    out.append(api)
    return out


def _versions(target: object) -> str | None:
    """The microversion range of the operation a finding is about (x-openstack bounds)."""
    op = target if isinstance(target, Operation) else getattr(target, "operation", None)
    if not isinstance(op, Operation) or (op.min_version is None and op.max_version is None):
        return None
    lo = f"{op.min_version[0]}.{op.min_version[1]}" if op.min_version else ""
    hi = f"{op.max_version[0]}.{op.max_version[1]}" if op.max_version else ""
    if lo and hi:
        return f"{lo}-{hi}"
    return f"{lo}+" if lo else f"up to {hi}"


def check_document(root: SourceFile, enabled: set[str]) -> None:
    """OAS001-OAS004: record the document's own problems on its loader (see rules.document)."""
    loader = root.loader
    loader.oas_version = oas_version(root.data)
    if "OAS001" in enabled:
        loader.problems.extend(validate_document(root))
    if enabled & {"OAS003", "OAS004"}:
        loader.check_refs()


def lint_source(root: SourceFile, config: LintConfig | None = None) -> LintResult:
    config = config or LintConfig()
    enabled = config.enabled()
    check_document(root, enabled)
    api = api_document(root)
    raw = evaluate(_targets(api), enabled=enabled, severities=config.severities)
    unique: list[Violation] = []
    seen: set[tuple[str, int, str, str]] = set()
    by_source: dict[int, tuple[SourceFile, set[str]]] = {}
    for v in raw:
        key = (v.rule, id(v.source), v.pointer, v.message)
        if key in seen:
            continue
        seen.add(key)
        unique.append(v)
        if v.source is not None:
            entry = by_source.get(id(v.source))
            if entry is None:
                entry = by_source[id(v.source)] = (v.source, set())
            entry[1].add(v.pointer)
    for src, pointers in by_source.values():
        src.prepare_locations(pointers)
    # no operation with x-openstack bounds: no finding has a microversion range
    versioned = any(op.min_version is not None or op.max_version is not None
                    for op in api.operations)
    # no file mentions x-interopcheck-ignore: no finding needs its ancestors looked at
    inline = any(getattr(src, "has_inline_ignores", True) for src, _ in by_source.values())
    out: list[Violation] = []
    suppressed = 0
    ignores = config.ignores
    for v in unique:
        if v.source is not None:
            v.location = v.source.location(v.pointer)
        versions = _versions(v.target) if versioned else None
        if versions:
            v.extra["microversions"] = versions
        if (inline and is_suppressed(v)) or (ignores and any(i.matches(v) for i in ignores)):
            suppressed += 1
            continue
        out.append(v)
    out.sort(key=lambda v: (v.location.file, v.location.line, v.location.column, v.rule)
             if v.location else ("", 0, 0, v.rule))
    files = sorted(s.name for s in root.loader.files.values()) or [root.name]
    return LintResult(root.name, out, suppressed, api, files, group(out, api))


def lint(path: str | os.PathLike[str], config: LintConfig | None = None, *,
         base_dir: str | os.PathLike[str] | None = None,
         allow_refs: Sequence[str | os.PathLike[str]] = (),
         max_bytes: int = DEFAULT_MAX_BYTES) -> LintResult:
    """Lint ``path``. File names in findings are relative to ``base_dir`` (default: the spec's
    directory); ``$ref`` reads files under the spec's directory and ``allow_refs`` only."""
    loader = Loader(Path(base_dir).resolve() if base_dir is not None else None,
                    allow_refs=allow_refs, max_bytes=max_bytes)
    with gc_paused():
        root = loader.load(path)
        if not isinstance(root.data, dict) or "openapi" not in root.data:
            what = "Swagger 2.0 is not supported" if isinstance(root.data, dict) \
                and "swagger" in root.data else "no 'openapi' key"
            raise LoadError(f"{root.name}: not an OpenAPI 3.x document ({what})")
        return lint_source(root, config)
