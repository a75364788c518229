"""The rule registry: one :class:`Rule` object per catalog id, registered by ``@rule``.

A rule is metadata (id from ``apisig-rules.md``, severity, one-line description, guideline
link) plus one function ``fn(ctx, target) -> Iterator[Violation]``. ``given`` names the
target kinds it inspects (:mod:`interopcheck.rules.targets`); ``modes`` says whether it runs
on OpenAPI documents (``static``), on live exchanges (``live``) or both. A source (the OpenAPI
walker in :mod:`interopcheck.lint.sources`, or the live checker) produces targets; the
evaluator hands each target to every enabled rule whose ``given`` contains its kind.
``when`` (optional) names the keys a target's ``value`` must hold one of for the rule to have
anything to say about it (most schemas have no ``properties``: the field rules skip them
without a call), or is a predicate on the target (a header parameter, an operation of a
microversioned API), asked once per target for all the rules that share it; it is a promise
the rule keeps, checked by a test that runs it anyway.
A rule can gain more target kinds later with :meth:`Rule.also` (e.g. the live half of a rule
whose static half already exists), so one rule object covers both modes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from interopcheck.findings import Severity
from interopcheck.rules.targets import Location, Target, escape

__all__ = [
    "GUIDELINES",
    "REGISTRY",
    "Level",
    "Registry",
    "Rule",
    "RuleContext",
    "Severity",
    "Violation",
    "rule",
]

GUIDELINE_BASE = "https://specs.openstack.org/openstack/api-sig/guidelines/"
#: guideline short name -> page (the catalog's source file for each area).
GUIDELINES: dict[str, str] = {
    "microversion": "microversion_specification.html",
    "discoverability": "discoverability.html",
    "errors": "errors.html",
    "methods": "http/methods.html",
    "response-codes": "http/response-codes.html",
    "caching": "http/caching.html",
    "headers": "headers.html",
    "naming": "naming.html",
    "terms": "terms.html",
    "uri": "uri.html",
    "representation": "representation_structure.html",
    "links": "links.html",
    "pagination": "pagination_filter_sort.html",
    "counting": "counting.html",
    "time": "time.html",
    "tags": "tags.html",
    "metadata": "metadata.html",
    "etags": "etags.html",
    "interop": "api_interoperability.html",
    "extensions": "extensions.html",
    "api-docs": "api-docs.html",
}


class Level(str, enum.Enum):
    """Strength the guideline text implies (catalog §0.1)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"
    INFO = "INFO"
    EXTRA = "EXTRA"


_DEFAULT_SEVERITY = {Level.MUST: Severity.ERROR, Level.SHOULD: Severity.WARNING,
                     Level.MAY: Severity.INFO, Level.INFO: Severity.INFO,
                     Level.EXTRA: Severity.INFO}

RuleFn = Callable[["RuleContext", Any], Iterable["Violation"]]
#: a rule's precondition on a kind of target: keys its value holds one of, or a predicate
Condition = tuple[str, ...] | Callable[[Any], bool]
#: ``when`` as given to :func:`rule` / :meth:`Rule.also`: for every kind, or per kind
Predicate = Callable[[Any], bool]
When = Iterable[str] | Predicate | Mapping[type, Iterable[str] | Predicate] | None


@dataclass(slots=True)
class Violation:
    """One finding of one rule at one place. ``location`` is filled in by the evaluator."""

    rule: str
    severity: Severity
    message: str
    pointer: str
    source: Any = None  # the SourceFile the pointer is in (lint), or None (live)
    location: Location | None = None
    extra: dict[str, str] = field(default_factory=dict)
    #: the target the rule was looking at (an Operation, an Exchange, ...)
    target: Any = None

    @property
    def where(self) -> str:
        """``file:line:column pointer`` (:class:`~interopcheck.findings.AnyFinding`)."""
        if self.location is None:
            return self.pointer
        loc = self.location
        return f"{loc.file}:{loc.line}:{loc.column} {self.pointer}".rstrip()


@dataclass(slots=True)
class Rule:
    id: str
    level: Level
    description: str
    guideline: str
    given: tuple[type[Target], ...]
    fn: RuleFn
    modes: frozenset[str]
    severity: Severity
    #: target kind -> the implementation for it (``fn`` dispatches over these)
    impls: dict[type, RuleFn] = field(default_factory=dict)
    #: target kind -> the precondition of the rule on it (see the module doc)
    when: dict[type, Condition] = field(default_factory=dict)

    def fn_for(self, kind: type) -> RuleFn | None:
        """The implementation for targets of ``kind`` (no per-call dispatch), or None."""
        for given, fn in self.impls.items():
            if issubclass(kind, given):
                return fn
        return None

    def when_for(self, kind: type) -> Condition | None:
        """The precondition on ``kind`` targets: keys their value must hold one of, or a
        predicate; None: any target."""
        for given, keys in self.when.items():
            if issubclass(kind, given):
                return keys
        return None

    @property
    def url(self) -> str:
        page, _, anchor = self.guideline.partition("#")
        link = GUIDELINE_BASE + GUIDELINES.get(page, page)
        return f"{link}#{anchor}" if anchor else link

    def also(self, *given: type[Target], modes: Iterable[str] = (),
             when: When = None) -> Callable[[RuleFn], RuleFn]:
        """Decorator adding an implementation for more target kinds (e.g. the live half)."""

        def wrap(fn: RuleFn) -> RuleFn:
            previous, kinds = self.fn, self.given

            def dispatch(ctx: RuleContext, target: Any) -> Iterable[Violation]:
                if isinstance(target, given):
                    return fn(ctx, target)
                return previous(ctx, target) if isinstance(target, kinds) else ()

            self.fn = dispatch
            self.impls.update(dict.fromkeys(given, fn))
            self.when.update(_when(when, given))
            self.given = kinds + tuple(g for g in given if g not in kinds)
            self.modes = self.modes | frozenset(modes or _modes_of(given))
            return fn

        return wrap

    def check(self, ctx: RuleContext, target: Target) -> Iterator[Violation]:
        yield from self.fn(ctx, target)


def _condition(cond: Iterable[str] | Predicate) -> Condition:
    return cond if callable(cond) else tuple(cond)


def _when(when: When, kinds: tuple[type[Target], ...]) -> dict[type, Condition]:
    if when is None:
        return {}
    if isinstance(when, Mapping):
        return {kind: _condition(cond) for kind, cond in when.items()}
    return dict.fromkeys(kinds, _condition(when))


def _modes_of(kinds: Iterable[type[Target]]) -> frozenset[str]:
    out: set[str] = set()
    for kind in kinds:
        out.update(getattr(kind, "MODES", ("static",)))
    return frozenset(out)


class Registry:
    """Rules by id; ``for_kind`` is the index the evaluator uses."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, r: Rule) -> None:
        if r.id in self._rules:
            raise ValueError(f"rule {r.id} is already registered "
                             f"(by {self._rules[r.id].fn.__module__})")
        self._rules[r.id] = r

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)


REGISTRY = Registry()


def rule(rule_id: str, *, level: str | Level, description: str, guideline: str,
         given: type[Target] | tuple[type[Target], ...], modes: Iterable[str] = (),
         severity: Severity | None = None, when: When = None,
         registry: Registry | None = None) -> Callable[[RuleFn], Rule]:
    """Register ``fn`` as catalog rule ``rule_id``; duplicate ids are rejected. ``when``: keys
    one of which a target's ``value`` must hold for the rule to run on it (for every kind in
    ``given``, or per kind as a mapping)."""
    kinds = given if isinstance(given, tuple) else (given,)
    lvl = Level(level)

    def wrap(fn: RuleFn) -> Rule:
        r = Rule(id=rule_id, level=lvl, description=description, guideline=guideline,
                 given=kinds, fn=fn, modes=frozenset(modes) or _modes_of(kinds),
                 severity=severity or _DEFAULT_SEVERITY[lvl], impls=dict.fromkeys(kinds, fn),
                 when=_when(when, kinds))
        (registry if registry is not None else REGISTRY).add(r)
        return r

    return wrap


class RuleContext:
    """What a rule function gets besides its target: the rule and a finding factory."""

    __slots__ = ("options", "rule", "severity")

    def __init__(self, r: Rule, severity: Severity | None = None,
                 options: dict[str, Any] | None = None) -> None:
        self.rule = r
        self.severity = severity or r.severity
        self.options = options or {}

    def finding(self, message: str, at: Any, *suffix: str | int,
                severity: Severity | None = None) -> Violation:
        """A violation at ``at`` (a target or Node with ``source``/``pointer``) + suffix tokens."""
        pointer = at.pointer
        for token in suffix:
            pointer += "/" + escape(token)
        return Violation(self.rule.id, severity or self.severity, message, pointer,
                         getattr(at, "source", None), target=at)
