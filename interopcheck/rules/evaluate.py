"""targets x rules -> violations: the one loop used by lint and live checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from interopcheck.findings import Severity
from interopcheck.rules.registry import REGISTRY, Registry, RuleContext, RuleFn, Violation
from interopcheck.rules.targets import Target

__all__ = ["evaluate"]


def evaluate(targets: Iterable[Target], *, registry: Registry = REGISTRY,
             enabled: Iterable[str] | None = None, severities: Mapping[str, Severity] | None = None,
             mode: str = "static", options: Mapping[str, dict[str, Any]] | None = None,
             ) -> list[Violation]:
    """Run every enabled rule that applies in ``mode`` on every target of its ``given`` kinds."""
    wanted = set(enabled) if enabled is not None else None
    severities = severities or {}
    by_kind: dict[type, list[tuple[RuleFn, RuleContext]]] = {}
    active = [r for r in registry if mode in r.modes and (wanted is None or r.id in wanted)]
    out: list[Violation] = []
    for target in targets:
        kind = type(target)
        pairs = by_kind.get(kind)
        if pairs is None:
            pairs = [(r.fn_for(kind) or r.fn,
                      RuleContext(r, severities.get(r.id), (options or {}).get(r.id)))
                     for r in active if issubclass(kind, r.given)]
            by_kind[kind] = pairs
        for fn, ctx in pairs:
            out.extend(fn(ctx, target))
    return out
