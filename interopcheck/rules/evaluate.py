"""targets x rules -> violations: the one loop used by lint and live checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from interopcheck.findings import Severity
from interopcheck.rules.registry import (
    REGISTRY,
    Condition,
    Registry,
    RuleContext,
    RuleFn,
    Violation,
)
from interopcheck.rules.targets import Target

__all__ = ["evaluate"]

_Pairs = list[tuple[RuleFn, RuleContext]]


def _test(cond: Condition) -> Callable[[Any], bool]:
    """A precondition as one call on the target."""
    if callable(cond):
        return cond
    if len(cond) == 1:
        key = cond[0]
        return lambda target: key in target.value
    return lambda target: any(k in target.value for k in cond)


def evaluate(targets: Iterable[Target], *, registry: Registry = REGISTRY,
             enabled: Iterable[str] | None = None, severities: Mapping[str, Severity] | None = None,
             mode: str = "static", options: Mapping[str, dict[str, Any]] | None = None,
             ) -> list[Violation]:
    """Run every enabled rule that applies in ``mode`` on every target of its ``given`` kinds.

    Rules with a ``when`` (keys the target's value must hold one of, or a predicate) run only
    on targets that meet it, asked once for all the rules sharing it; they run after the
    target's other rules (the order of one rule's findings, target by target, is what the
    callers depend on, and it does not change)."""
    wanted = set(enabled) if enabled is not None else None
    severities = severities or {}
    by_kind: dict[type, tuple[_Pairs, list[tuple[Callable[[Any], bool], _Pairs]]]] = {}
    active = [r for r in registry if mode in r.modes and (wanted is None or r.id in wanted)]
    out: list[Violation] = []
    extend = out.extend
    for target in targets:
        kind = type(target)
        plan = by_kind.get(kind)
        if plan is None:
            always: _Pairs = []
            keyed: dict[Condition, _Pairs] = {}
            for r in active:
                if issubclass(kind, r.given):
                    pair = (r.fn_for(kind) or r.fn,
                            RuleContext(r, severities.get(r.id), (options or {}).get(r.id)))
                    cond = r.when_for(kind)
                    (always if cond is None else keyed.setdefault(cond, [])).append(pair)
            plan = by_kind[kind] = (always, [(_test(c), pairs) for c, pairs in keyed.items()])
        for fn, ctx in plan[0]:
            extend(fn(ctx, target))
        for test, pairs in plan[1]:
            if test(target):
                for fn, ctx in pairs:
                    extend(fn(ctx, target))
    return out
