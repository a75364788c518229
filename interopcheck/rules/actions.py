"""Action API rules (no merged guideline; the API-SIG recommendation and Nova convention).

* ACT003: GET never performs an action (an ``action``/``actions`` path under GET).
* ACT004: ``POST /resource/{id}/action`` bodies have the action name as the one top-level key.
* ACT005: one action style per API. Styles: ``action-body`` (the recommended
  ``/{id}/action`` + single-key body), ``actions-collection`` (``/{id}/actions``, Heat),
  ``rpc-url`` (``/{id}/actions/{name}`` or ``/{id}/<verb>``, Glance-like). RPC-style URLs are
  reported as a different style; mixing styles is reported.
* Long-running actions answer 202 with a Location to poll: HTTP008 in :mod:`.http`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from interopcheck.findings import Severity
from interopcheck.rules._schema import (
    get_operation,
    json_type,
    post_operation,
    properties,
    segments,
    variants,
)
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Operation, Schema

ACTION_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

VERB_SEGMENT = re.compile(r"^(start|stop|reboot|reset|resize|migrate|rebuild|shutdown|suspend|"
                          r"resume|pause|unpause|lock|unlock|activate|deactivate|reactivate|"
                          r"enable|disable|restore|evacuate|rescue|unrescue|shelve|unshelve|"
                          r"confirm|revert|cancel|retry|abandon|refresh|sync|import|export)"
                          r"([-_].*)?$")


def action_style(op: Operation) -> str | None:
    if op.method != "post":
        return None
    segs = segments(op.path)
    if len(segs) >= 2 and segs[-1] == "action" and segs[-2].startswith("{"):
        return "action-body"
    if len(segs) >= 2 and segs[-1] == "actions" and segs[-2].startswith("{"):
        return "actions-collection"
    if len(segs) >= 3 and segs[-2] == "actions":
        return "rpc-url"
    if len(segs) >= 2 and segs[-2].startswith("{") and VERB_SEGMENT.match(segs[-1]):
        return "rpc-url"
    return None


@rule("ACT003", level="SHOULD", guideline="methods",
      description="Actions use POST; GET never performs an action", given=Operation,
      when=get_operation)
def act003(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if op.method != "get":
        return
    segs = segments(op.path)
    if "action" in segs or (len(segs) >= 2 and segs[-2].startswith("{")
                            and VERB_SEGMENT.match(segs[-1])):
        yield ctx.finding(f"GET {op.path} performs an action; actions use POST", op)


@rule("ACT004", level="EXTRA", guideline="methods",
      description="POST .../{id}/action bodies have the action as the one top-level key",
      given=Operation, severity=Severity.WARNING, when=post_operation)
def act004(ctx: RuleContext, op: Operation) -> Iterator[Violation]:
    if action_style(op) != "action-body":
        return
    if op.request_schema is None:
        yield ctx.finding(f"{op.label} has no request body naming the action", op)
        return
    for v in variants(op.request_schema):
        if json_type(v.value) != "object":
            yield ctx.finding(f"{op.label} action body is not an object", v)
            continue
        props = properties(v)
        if len(props) != 1:
            yield ctx.finding(f"{op.label} action body has {len(props)} top-level keys "
                              f"({', '.join(sorted(props)[:4])}); expected exactly one, the "
                              "action name", v)


@rule("ACT005", level="EXTRA", guideline="methods",
      description="One action style per API (POST /{id}/action with the action as the key)",
      given=ApiDocument, severity=Severity.WARNING)
def act005(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    styled = [(op, s) for op in api.operations if (s := action_style(op))]
    if not styled:
        return
    counts = Counter(s for _, s in styled)
    main = "action-body" if "action-body" in counts else counts.most_common(1)[0][0]
    yield ctx.finding(f"action style: {main} ({counts[main]} of {len(styled)} action "
                      f"operations)", api, severity=Severity.INFO)
    for op, style in styled:
        if style != "action-body":
            yield ctx.finding(f"{op.label} is a {style}-style action; the recommended form is "
                              "POST /{id}/action with the action as the one body key", op)
    if len(counts) > 1:
        yield ctx.finding(f"the API mixes action styles: {', '.join(sorted(counts))}", api)


@rule("ACT006", level="INFO", guideline="naming",
      description="Action names are snake_case (camelCase and os- prefixes are legacy)",
      given=Schema, when=("properties",))
def act006(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if schema.role != "action-body":
        return
    props = schema.value.get("properties")
    for name in props if isinstance(props, dict) else ():
        if not ACTION_NAME.match(str(name)):
            yield ctx.finding(f"action name {name!r} is not snake_case", schema, "properties",
                              name)
