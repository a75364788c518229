"""targets x rules -> violations: the one loop used by lint and live checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from interopcheck.findings import Severity
from interopcheck.rules.registry import (
    REGISTRY,
    Condition,
    Registry,
    Rule,
    RuleContext,
    RuleFn,
    Violation,
)
from interopcheck.rules.targets import Target

__all__ = ["evaluate"]

_Pairs = list[tuple[RuleFn, RuleContext]]
#: per target kind: rules without a precondition; rules by the keys one of which the target's
#: value must hold (with all those keys together); rules by predicate
_Plan = tuple[_Pairs, frozenset[str], list[tuple[frozenset[str], _Pairs]],
              list[tuple[Callable[[Any], bool], _Pairs]]]


def _plan(kind: type, active: list[Rule], severities: Mapping[str, Severity],
          options: Mapping[str, dict[str, Any]]) -> _Plan:
    always: _Pairs = []
    keyed: dict[Condition, _Pairs] = {}
    for r in active:
        if issubclass(kind, r.given):
            pair = (r.fn_for(kind) or r.fn,
                    RuleContext(r, severities.get(r.id), options.get(r.id)))
            cond = r.when_for(kind)
            (always if cond is None else keyed.setdefault(cond, [])).append(pair)
    by_keys = [(frozenset(c), pairs) for c, pairs in keyed.items() if not callable(c)]
    by_test = [(c, pairs) for c, pairs in keyed.items() if callable(c)]
    return always, frozenset().union(*(k for k, _ in by_keys)), by_keys, by_test


def evaluate(targets: Iterable[Target], *, registry: Registry = REGISTRY,
             enabled: Iterable[str] | None = None, severities: Mapping[str, Severity] | None = None,
             mode: str = "static", options: Mapping[str, dict[str, Any]] | None = None,
             ) -> list[Violation]:
    """Run every enabled rule that applies in ``mode`` on every target of its ``given`` kinds.

    Rules with a ``when`` (keys the target's value must hold one of, or a predicate) run only
    on targets that meet it, asked once per target for all the rules sharing it; they run
    after the target's other rules (the order of one rule's findings, target by target, is
    what the callers depend on, and it does not change)."""
    wanted = set(enabled) if enabled is not None else None
    active = [r for r in registry if mode in r.modes and (wanted is None or r.id in wanted)]
    by_kind: dict[type, _Plan] = {}
    out: list[Violation] = []
    extend = out.extend
    for target in targets:
        kind = type(target)
        plan = by_kind.get(kind)
        if plan is None:
            plan = by_kind[kind] = _plan(kind, active, severities or {}, options or {})
        always, keys, by_keys, by_test = plan
        for fn, ctx in always:
            extend(fn(ctx, target))
        if by_keys:
            held = keys.intersection(target.value)  # one C call for all the key groups
            if held:
                for group, pairs in by_keys:
                    if not group.isdisjoint(held):
                        for fn, ctx in pairs:
                            extend(fn(ctx, target))
        for test, pairs in by_test:
            if test(target):
                for fn, ctx in pairs:
                    extend(fn(ctx, target))
    return out
