"""``interopcheck lint --baseline OLD NEW``: every change between two OpenAPI documents,
classified by the two policies of ``api_interoperability.rst`` (§1.16 INTEROP001-009):

* **breaks clients** (stability): would code written against OLD fail against NEW?
* **needs a microversion bump** (interoperability): is it an observable change that may only
  appear behind a new microversion?

Microversion-aware: each document's surface is taken *at a version* (operations, parameters,
properties and ``oneOf`` variants outside their ``x-openstack`` min/max are left out).
Changes visible at OLD's maximum are changes to an existing version: every one that needs a
bump is an error. Changes that appear only above OLD's maximum are behind a new microversion,
which is fine if NEW's maximum is above OLD's. The report also says whether NEW bumped its
maximum where the policy requires it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from interopcheck.findings import Severity
from interopcheck.lint.loader import Loader, LoadError
from interopcheck.lint.sources import api_document, version_range
from interopcheck.rules._schema import json_type
from interopcheck.rules.targets import ApiDocument, Node, Operation

__all__ = ["CHANGE_RULES", "Change", "DiffReport", "diff_specs", "render_diff", "surface"]

Version = tuple[int, int]
#: the interoperability rules a change is filed under (api_interoperability.rst, §1.16)
CHANGE_RULES = {
    "INTEROP002": "an API (operation) added without a new microversion",
    "INTEROP003": "an API (operation) removed without a new microversion",
    "INTEROP004": "a status code changed, added or removed",
    "INTEROP005": "a response header added or removed",
    "INTEROP007": "a field or parameter added or removed, or made (not) required",
    "INTEROP008": "a field's type or format changed",
    "INTEROP009": "an enumeration widened or narrowed",
}


@dataclass(slots=True)
class Item:
    kind: str  # operation | parameter | response | header | property | request-body
    attrs: dict[str, Any]
    where: Node | None


@dataclass(slots=True)
class Change:
    rule: str
    kind: str
    change: str  # added | removed | changed
    subject: str
    detail: str
    breaks_clients: bool
    needs_bump: bool
    versioned: bool  # only visible above OLD's maximum microversion
    severity: Severity
    file: str = ""
    pointer: str = ""
    line: int = 0
    column: int = 0
    #: the SourceFile the pointer is in (inline ``x-interopcheck-ignore`` is read there)
    source: Any = None


@dataclass(slots=True)
class DiffReport:
    old: str
    new: str
    old_max: Version | None
    new_max: Version | None
    changes: list[Change] = field(default_factory=list)
    bump_required: bool = False
    bumped: bool = False


def _in(value: Any, v: Version | None) -> bool:
    if v is None:
        return True
    lo, hi = version_range(value)
    return (lo is None or lo <= v) and (hi is None or v <= hi)


def _op_key(op: Operation) -> str:
    return f"{op.method.upper()} {op.path}"


def _schema_items(out: dict[tuple[str, ...], Item], base: tuple[str, ...], node: Node,
                  v: Version | None, side: str, depth: int = 0,
                  stack: frozenset[tuple[int, str]] = frozenset(), required: bool = True,
                  ) -> None:
    node = node.deref()
    value = node.value
    key = (id(node.source), node.pointer)
    if not isinstance(value, dict) or depth > 12 or key in stack or not _in(value, v):
        return
    stack = stack | {key}
    path = base
    attrs = out.get(path).attrs if path in out else {}
    t = json_type(value)
    if t:
        attrs["type"] = t
    for k in ("format", "nullable"):
        if k in value:
            attrs[k] = value[k]
    if isinstance(value.get("type"), list) and "null" in value["type"]:
        attrs["nullable"] = True
    if isinstance(value.get("enum"), list):
        attrs["enum"] = sorted(map(str, value["enum"]))
    attrs.setdefault("required", required)
    if path not in out:
        out[path] = Item("property" if len(path) > 2 else "body", attrs, node)
    req = set(value.get("required") or [])
    props = node.get("properties")
    if props is not None and isinstance(props.value, dict):
        for name in props.value:
            _schema_items(out, (*path, str(name)), props.child(name), v, side, depth + 1, stack,
                          name in req)
    items = node.get("items")
    if items is not None:
        _schema_items(out, (*path, "[]"), items, v, side, depth + 1, stack, True)
    for comb in ("allOf", "oneOf", "anyOf"):
        members = node.get(comb)
        if members is not None and isinstance(members.value, list):
            for i in range(len(members.value)):
                _schema_items(out, path, members.child(i), v, side, depth + 1, stack, required)


def surface(api: ApiDocument, v: Version | None) -> dict[tuple[str, ...], Item]:
    """Everything a client can observe, at microversion ``v`` (None: ignore bounds)."""
    out: dict[tuple[str, ...], Item] = {}
    for op in api.operations:
        if not _in(op.value, v):
            continue
        k = _op_key(op)
        out[(k,)] = Item("operation", {}, Node(op.source, op.pointer, op.value))
        for p in op.parameters:
            if p.where == "header" and p.name.lower() == "openstack-api-version":
                continue
            if _in(p.value, v):
                schema = p.value.get("schema") if isinstance(p.value.get("schema"), dict) else {}
                attrs = {"required": bool(p.value.get("required")), "type": json_type(schema)}
                if isinstance(schema.get("enum"), list):
                    attrs["enum"] = sorted(map(str, schema["enum"]))
                out[(k, "param", p.where, p.name)] = Item(
                    "parameter", attrs, Node(p.source, p.pointer, p.value))
        if op.request_schema is not None:
            _schema_items(out, (k, "request"), op.request_schema, v, "request")
        for status, resp in op.responses.items():
            out[(k, status)] = Item("response", {}, Node(resp.source, resp.pointer, resp.value))
            for h, hn in resp.headers.items():
                out[(k, status, "header", h)] = Item("header", {}, hn)
            if resp.schema is not None:
                _schema_items(out, (k, status, "body"), resp.schema, v, "response")
    return out


def _subject(key: tuple[str, ...]) -> str:
    if len(key) == 1:
        return key[0]
    if key[1] == "param":
        return f"{key[0]} {key[2]} parameter {key[3]}"
    if key[1] == "request":
        return f"{key[0]} request body {'/' + '/'.join(key[2:])}"
    if len(key) >= 4 and key[2] == "header":
        return f"{key[0]} {key[1]} header {key[3]}"
    if len(key) >= 3 and key[2] == "body":
        return f"{key[0]} {key[1]} body {'/' + '/'.join(key[3:])}"
    return f"{key[0]} {key[1]}"


def _classify(key: tuple[str, ...], change: str, item: Item, detail: str = "",
              ) -> tuple[str, bool]:
    """(rule, breaks_clients) for one change; every change here needs a version bump."""
    request = len(key) > 1 and key[1] in ("request", "param")
    if item.kind == "operation":
        return ("INTEROP002", False) if change == "added" else ("INTEROP003", True)
    if item.kind == "response":
        return "INTEROP004", change == "removed" and key[1].startswith("2")
    if item.kind == "header":
        return "INTEROP005", change == "removed"
    if change == "changed":
        if detail.startswith("enum"):
            return "INTEROP009", "removed" in detail if request else "added" in detail
        if detail.startswith("required"):
            # newly required input, or output that may now be missing, breaks clients
            return "INTEROP007", detail.endswith("True") if request else detail.endswith("False")
        return "INTEROP008", True
    if item.kind == "parameter":
        return "INTEROP007", change == "removed" or bool(item.attrs.get("required"))
    if request:
        return "INTEROP007", change == "removed" or bool(item.attrs.get("required"))
    return "INTEROP007", change == "removed"


def _status_changes(removed: set[tuple[str, ...]], added: set[tuple[str, ...]],
                    a: dict[tuple[str, ...], Item], b: dict[tuple[str, ...], Item],
                    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(old, new) response keys of one operation whose status changed within its class:
    the only removed and the only added response of that class (2xx, 4xx, ...)."""
    def by_op(keys: set[tuple[str, ...]], items: dict[tuple[str, ...], Item],
              ) -> dict[tuple[str, str], list[tuple[str, ...]]]:
        out: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for k in keys:
            if len(k) == 2 and items[k].kind == "response" and (k[0],) not in keys:
                out.setdefault((k[0], k[1][:1]), []).append(k)
        return out

    gone, new = by_op(removed, a), by_op(added, b)
    return [(olds[0], new[group][0]) for group, olds in sorted(gone.items())
            if len(olds) == 1 and len(new.get(group, ())) == 1]


def _compare(a: dict[tuple[str, ...], Item], b: dict[tuple[str, ...], Item], versioned: bool,
             ) -> list[Change]:
    out: list[Change] = []

    def add(key: tuple[str, ...], change: str, item: Item, detail: str) -> None:
        parent = key[:-1]
        # report a removed/added subtree once, at its top
        if len(key) > 1 and parent in (a if change == "removed" else b) \
                and parent not in (b if change == "removed" else a):
            return
        rule, breaks = _classify(key, change, item, detail)
        if rule == "INTEROP004" and change == "changed":
            breaks = True  # clients check for the old status
        # levels follow the verdicts: a break is an error, a compatible change that still
        # needs a version bump a warning, a change behind a new microversion information
        sev = Severity.INFO if versioned else Severity.ERROR if breaks else Severity.WARNING
        c = Change(rule, item.kind, change, _subject(key), detail, breaks, True, versioned, sev)
        if item.where is not None:
            loc = item.where.source.location(item.where.pointer)
            c.file, c.pointer, c.line, c.column = loc.file, loc.pointer, loc.line, loc.column
            c.source = item.where.source
        out.append(c)

    removed, added = a.keys() - b.keys(), b.keys() - a.keys()
    # a status code that changed (200 -> 201) is one change, not a removal and an addition
    for old_key, new_key in _status_changes(removed, added, a, b):
        removed.discard(old_key)
        added.discard(new_key)
        add(new_key, "changed", b[new_key], f"status {old_key[1]} -> {new_key[1]}")
        for k in [k for k in removed if k[:2] == old_key]:
            removed.discard(k)
        for k in [k for k in added if k[:2] == new_key]:
            added.discard(k)
    for key in removed:
        add(key, "removed", a[key], "")
    for key in added:
        add(key, "added", b[key], "")
    for key in a.keys() & b.keys():
        old, new = a[key].attrs, b[key].attrs
        for attr in sorted(set(old) | set(new)):
            if old.get(attr) != new.get(attr):
                if attr == "enum":
                    o, n = set(old.get(attr) or []), set(new.get(attr) or [])
                    detail = (f"enum added {sorted(n - o)}" if n - o else "") + \
                             (f" removed {sorted(o - n)}" if o - n else "")
                    detail = "enum" + detail.removeprefix("enum") if detail.startswith("enum") \
                        else "enum " + detail.strip()
                else:
                    detail = f"{attr}: {old.get(attr)} -> {new.get(attr)}"
                add(key, "changed", b[key], detail)
    out.sort(key=lambda c: (c.versioned, c.subject, c.detail))
    return out


def _load_api(path: str, loader: Loader) -> ApiDocument:
    root = loader.load(path)
    if not isinstance(root.data, dict) or "openapi" not in root.data:
        raise LoadError(f"{path}: not an OpenAPI 3.x document (no 'openapi' key); "
                        "compare two OpenAPI documents")
    return api_document(root)


def diff_specs(old_path: str, new_path: str, *, old_loader: Loader | None = None,
               new_loader: Loader | None = None) -> DiffReport:
    old_api = _load_api(old_path, old_loader or Loader())
    new_api = _load_api(new_path, new_loader or Loader())
    old_max, new_max = old_api.max_version, new_api.max_version
    report = DiffReport(old_path, new_path, old_max, new_max)
    at_old = surface(new_api, old_max)
    report.changes = _compare(surface(old_api, old_max), at_old, versioned=False)
    if new_max is not None and old_max is not None and new_max > old_max:
        report.changes += _compare(at_old, surface(new_api, new_max), versioned=True)
    unversioned = [c for c in report.changes if c.needs_bump and not c.versioned]
    report.bump_required = bool(unversioned)
    report.bumped = bool(new_max and old_max and new_max > old_max)
    return report


def _v(v: Version | None) -> str:
    return f"{v[0]}.{v[1]}" if v else "(none)"


def render_diff(report: DiffReport, fmt: str = "text", *, problems: Sequence[Any] = (),
                suppressed: int = 0) -> str:
    """Text or JSON; ``problems``: NEW's own document findings (lint violations)."""
    if fmt == "json":
        return json.dumps({
            "problems": [{"rule": v.rule, "severity": v.severity.value, "message": v.message,
                          "file": v.location.file if v.location else report.new,
                          "pointer": v.pointer, "line": v.location.line if v.location else 0}
                         for v in problems],
            "suppressed": suppressed,
            "old": report.old, "new": report.new, "old_max": _v(report.old_max),
            "new_max": _v(report.new_max), "bump_required": report.bump_required,
            "bumped": report.bumped,
            "changes": [{"rule": c.rule, "kind": c.kind, "change": c.change,
                         "subject": c.subject, "detail": c.detail,
                         "breaks_clients": c.breaks_clients,
                         "needs_microversion_bump": c.needs_bump,
                         "behind_new_microversion": c.versioned,
                         "severity": c.severity.value, "file": c.file, "pointer": c.pointer,
                         "line": c.line} for c in report.changes],
        }, indent=2) + "\n"
    if fmt != "text":
        raise ValueError("--baseline reports are text or json")
    lines = [f"{report.old} (max {_v(report.old_max)}) -> {report.new} "
             f"(max {_v(report.new_max)})"]
    for v in problems:
        where = f"{v.location.file}:{v.location.line}:{v.location.column}" if v.location else ""
        lines.append(f"  {v.severity.value:<7} {v.rule:<10} {where} {v.message}")
    for c in report.changes:
        flags = ("breaks clients" if c.breaks_clients else "compatible") + ", " + \
            ("behind a new microversion" if c.versioned else "needs a microversion bump")
        where = f"{c.file}:{c.line}" if c.file else ""
        lines.append(f"  {c.severity.value:<7} {c.rule:<10} {c.change:<7} {c.subject}"
                     f"{' (' + c.detail + ')' if c.detail else ''}  [{flags}]  {where}")
    if report.bump_required:
        lines.append(f"{len([c for c in report.changes if not c.versioned])} change(s) alter "
                     f"existing microversion {_v(report.old_max)}: they must go behind a new "
                     "microversion" + (" (NEW did raise its maximum, but these changes are "
                                       "visible at the old one)" if report.bumped else
                                       "; NEW did not raise its maximum microversion"))
    elif report.bumped:
        lines.append(f"every change is behind the new maximum {_v(report.new_max)}: OK")
    elif not report.changes:
        lines.append("no changes")
    if suppressed:
        lines.append(f"{suppressed} change(s) suppressed by the configuration")
    return "\n".join(line for line in lines if line) + "\n"


