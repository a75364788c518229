"""OAS001-OAS004: the document itself must be a well-formed OpenAPI document.

Not API-SIG guideline text but its precondition (the api-docs guideline asks for OpenAPI):
a broken document would otherwise lint clean, because every other rule skips what it cannot
read. The checks run while loading (:mod:`interopcheck.lint.loader`, duplicate keys and
``$ref``) and in :mod:`interopcheck.lint.validate` (the OAS JSON Schema); these rules turn the
recorded problems into findings, so rule switches, levels and ignores apply to them as to any
other rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Schema

__all__: list[str] = []

_TYPES = frozenset({"array", "boolean", "integer", "number", "object", "string", "null"})


def _problems(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    loader = getattr(api.source, "loader", None)
    for p in getattr(loader, "problems", ()):
        if p.rule == ctx.rule.id:
            yield Violation(p.rule, ctx.severity, p.message, p.pointer, p.source, target=api)


@rule("OAS001", level="MUST", guideline="api-docs", given=ApiDocument,
      description="The document is valid against the OpenAPI 3.0/3.1 JSON Schema")
def oas001(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    yield from _problems(ctx, api)


@oas001.also(Schema, when=("type",))
def oas001_schema_type(ctx: RuleContext, s: Schema) -> Iterator[Violation]:
    # OAS 3.1's schema leaves Schema Objects to JSON Schema; 3.0's schema checks `type` itself
    loader = getattr(s.source, "loader", None)
    if getattr(loader, "oas_version", "3.0") != "3.1" or "type" not in s.value:
        return
    t = s.value["type"]
    names = t if isinstance(t, list) else [t]
    bad = [n for n in names if not isinstance(n, str) or n not in _TYPES]
    if bad:
        yield ctx.finding(f"not valid OpenAPI 3.1: type {bad[0]!r} is not one of "
                          f"{', '.join(sorted(_TYPES))}", s, "type")


@rule("OAS002", level="MUST", guideline="api-docs", given=ApiDocument,
      description="No duplicate keys (a loader keeps one value and silently drops the other)")
def oas002(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    yield from _problems(ctx, api)


@rule("OAS003", level="MUST", guideline="api-docs", given=ApiDocument,
      description="Every $ref resolves")
def oas003(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    yield from _problems(ctx, api)


@rule("OAS004", level="MUST", guideline="api-docs", given=ApiDocument,
      description="$refs stay local: remote ones and files outside the spec's root are not "
                  "read (--allow-ref DIR)")
def oas004(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    yield from _problems(ctx, api)
