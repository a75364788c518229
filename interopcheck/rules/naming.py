"""Naming and URI rules (``naming.rst``, ``terms.rst``, ``uri.rst``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from interopcheck.rules._schema import json_type, literal_segments, segments
from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import ApiDocument, Exchange, Operation, Parameter, Schema, escape

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SEGMENT = re.compile(r"^[a-z0-9-]+$")
BOOL_VERB = re.compile(r"^(is|enable|disable|allow|use)_")
NEGATIVE = re.compile(r"^(disabled|not_.*|no_.*|non_.*)$")
METHOD_SEGMENTS = frozenset({"delete", "remove", "update", "edit", "create", "get", "list",
                             "show"})
VERSION_SEGMENT = re.compile(r"^v\d+(\.\d+)?$")
WELL_KNOWN = "/.well-known/"
MASS_NOUNS = frozenset({"metadata", "info", "detail", "details", "action", "actions", "usage",
                        "diagnostics", "statistics", "consoles", "limits", "quota", "versions"})


def _paths(api: ApiDocument) -> dict[str, Operation]:
    first: dict[str, Operation] = {}
    for op in api.operations:
        first.setdefault(op.path, op)
    return first


def _path_pointer(api: ApiDocument, path: str) -> str:
    return "/paths/" + escape(path)


def _path_finding(ctx: RuleContext, api: ApiDocument, path: str, msg: str) -> Violation:
    v = ctx.finding(msg, api)
    v.pointer = _path_pointer(api, path)
    return v


@rule("NAME001", level="SHOULD", guideline="naming",
      description="Collection segments (followed by an {id}) are plural", given=ApiDocument)
def name001(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    for path in _paths(api):
        segs = segments(path)
        for seg, nxt in itertools.pairwise(segs):
            if not seg.startswith("{") and nxt.startswith("{") and not _plural(seg) \
                    and seg not in MASS_NOUNS and not _not_a_member(seg, nxt):
                yield _path_finding(ctx, api, path, f"collection segment {seg!r} in {path} "
                                                    "is not plural")


#: ``{path}``, ``{+path}``, ``{file_path}``: the rest of a path (Kubernetes' ``proxy/{path}``,
#: a file under a directory), not the id of a member of a collection
_PATH_PARAM = re.compile(r"^\{\+?[a-z_]*path\}$", re.IGNORECASE)


def _plural(seg: str) -> bool:
    return seg.endswith(("s", "ae"))  # "amphorae"


def _not_a_member(seg: str, nxt: str) -> bool:
    """The parameter after ``seg`` is not a member id: a version segment before a scope
    (``/v3/{project_id}``) or a path remainder (``proxy/{path}``)."""
    return bool(VERSION_SEGMENT.match(seg) or _PATH_PARAM.match(nxt))


@rule("NAME002", level="SHOULD", guideline="naming",
      description="Resource names in paths are lower case", given=ApiDocument)
def name002(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    for path in _paths(api):
        bad = [s for s in literal_segments(path) if s != s.lower()]
        if bad:
            yield _path_finding(ctx, api, path, f"path segment {bad[0]!r} is not lower case")


@rule("NAME003", level="SHOULD", guideline="naming",
      description="Resource names use hyphens, not underscores", given=ApiDocument)
def name003(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    for path in _paths(api):
        if path.startswith(WELL_KNOWN):
            continue  # RFC 8615 fixes /.well-known/ and the names registered under it
        bad = [s for s in literal_segments(path) if not SEGMENT.match(s.lower())]
        if bad:
            yield _path_finding(ctx, api, path, f"path segment {bad[0]!r} has underscores or "
                                                "punctuation; use hyphens")


def _own_properties(schema: Schema) -> dict[str, object]:
    props = schema.value.get("properties")
    return props if isinstance(props, dict) else {}


@rule("NAME004", level="SHOULD", guideline="naming",
      description="Body field names are snake_case", given=Schema, when=("properties",))
def name004(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    if schema.role == "action-body":
        return  # action names, not fields (ACT006)
    for name in _own_properties(schema):
        if not SNAKE.match(str(name)) and ":" not in str(name):
            yield ctx.finding(f"field {name!r} is not snake_case", schema, "properties", name)


#: Objects under these keys are free-form maps (user data, or keyed by names/ids).
FREE_FORM = frozenset({"metadata", "extra_specs", "properties", "mappings"})
_DATA_KEY = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                       r"[0-9a-fA-F]{12}$|^[^a-z]*$|^\$[a-z]+\(")


def _is_map(obj: dict[str, object]) -> bool:
    """An object keyed by data, not fields: UUIDs, ``DISK_GB``, ``CUSTOM_X``, digits, ``""``,
    or a profile template a recorded value was written back as (``$uuid(rp)``)."""
    return any(_DATA_KEY.match(str(k)) for k in obj)


def _walk_keys(value: object, path: tuple[str | int, ...] = (),
               ) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """(field name, JSON path) of every field of a live JSON body, skipping map keys."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_keys(item, (*path, i))
    elif isinstance(value, dict):
        is_map = _is_map(value)
        for k, v in value.items():
            if not is_map:
                yield str(k), (*path, k)
            if not (isinstance(k, str) and k in FREE_FORM):
                yield from _walk_keys(v, (*path, k))


@name004.also(Exchange)
def name004_live(ctx: RuleContext, ex: Exchange) -> Iterator[Violation]:
    seen: set[str] = set()
    for name, path in _walk_keys(ex.body):
        if name not in seen and not SNAKE.match(name) and ":" not in name:
            seen.add(name)
            yield ctx.finding(f"{ex.method} {ex.url}: field {name!r} is not snake_case", ex,
                              *path)


def _booleans(schema: Schema) -> Iterator[str]:
    for name, prop in _own_properties(schema).items():
        if isinstance(prop, dict) and json_type(prop) == "boolean":
            yield str(name)


@rule("NAME005", level="SHOULD", guideline="naming",
      description="Boolean fields read 'this is/has ___' (no is_/enable_ prefixes)", given=Schema,
      when=("properties",))
def name005(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    for name in _booleans(schema):
        if BOOL_VERB.match(name):
            yield ctx.finding(f"boolean {name!r} should be named for the state "
                              "(e.g. 'enabled', 'dhcp_enabled')", schema, "properties", name)


@rule("NAME006", level="SHOULD", guideline="naming",
      description="No negative boolean names (disabled, not_*, no_*, non_*)", given=Schema,
      when=("properties",))
def name006(ctx: RuleContext, schema: Schema) -> Iterator[Violation]:
    for name in _booleans(schema):
        if NEGATIVE.match(name):
            yield ctx.finding(f"negative boolean {name!r}", schema, "properties", name)


_TENANT = re.compile(r"(?i)tenant")


@rule("NAME008", level="SHOULD", guideline="terms",
      description="Say project, not tenant", given=(ApiDocument, Parameter, Schema),
      when={Schema: ("properties",)})
def name008(ctx: RuleContext, target: ApiDocument | Parameter | Schema) -> Iterator[Violation]:
    if isinstance(target, ApiDocument):
        for path in _paths(target):
            if _TENANT.search(path):
                yield _path_finding(ctx, target, path, f"path {path} says 'tenant'")
    elif isinstance(target, Parameter):
        if _TENANT.search(target.name):
            yield ctx.finding(f"parameter {target.name!r} says 'tenant'", target)
    else:
        for name in _own_properties(target):
            if _TENANT.search(str(name)):
                yield ctx.finding(f"field {name!r} says 'tenant'", target, "properties", name)


@rule("URI003", level="MUST", guideline="uri",
      description="No method-specific sub-URIs such as /things/{id}/delete", given=ApiDocument)
def uri003(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    for path in _paths(api):
        segs = segments(path)
        if len(segs) >= 2 and segs[-2].startswith("{") and segs[-1].lower() in METHOD_SEGMENTS:
            yield _path_finding(ctx, api, path, f"{path} is a method-specific URI; use the "
                                                "HTTP method on the resource")


@rule("URI004", level="SHOULD", guideline="uri",
      description="A literal segment beside an {id} segment must be a member (/servers/detail)",
      given=ApiDocument)
def uri004(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    paths = list(_paths(api))
    parents_with_param = {"/".join(segments(p)[:-1]) for p in paths
                          if segments(p) and segments(p)[-1].startswith("{")}
    for path in paths:
        segs = segments(path)
        if len(segs) >= 2 and not segs[-1].startswith("{") \
                and "/".join(segs[:-1]) in parents_with_param:
            yield _path_finding(ctx, api, path, f"{path} sits where a member id goes; use a "
                                                "query parameter instead")


_INSTANCE = re.compile(r"(?i)(^|[-_/])instances?([-_/]|$)")


@rule("NAME009", level="INFO", guideline="terms",
      description="Compute machines are servers, not instances", given=ApiDocument)
def name009(ctx: RuleContext, api: ApiDocument) -> Iterator[Violation]:
    info = api.value.get("info") if isinstance(api.value.get("info"), dict) else {}
    if "compute" not in f"{api.service_type} {info.get('title', '')}".lower():
        return
    for path in _paths(api):
        if _INSTANCE.search(path):
            yield _path_finding(ctx, api, path, f"path {path} says 'instance'; the term is "
                                                "'server'")
