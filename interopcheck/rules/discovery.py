"""Version discovery rules (``discoverability.rst``), live on discovery documents."""

from __future__ import annotations

import re
from collections.abc import Iterator

from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import VersionDocument

MV_RE = re.compile(r"^([1-9]\d{0,8})\.([1-9]\d{0,8}|0)$")  # int() of 5,000 digits raises
ID_RE = re.compile(r"^v\d+(\.\d+)?$")
STATUSES = ("CURRENT", "SUPPORTED", "DEPRECATED", "EXPERIMENTAL")


def _entries(doc: VersionDocument) -> list[dict[str, object]]:
    body = doc.body
    versions = body.get("versions") if isinstance(body, dict) else None
    if isinstance(versions, dict):  # Keystone's {"versions": {"values": [...]}}
        versions = versions.get("values")
    if isinstance(versions, list):
        return [v for v in versions if isinstance(v, dict)]
    single = body.get("version") if isinstance(body, dict) else None
    return [single] if isinstance(single, dict) else []


@rule("VD003", level="SHOULD", guideline="discoverability",
      description="The discovery document is {\"versions\": [...]}", given=VersionDocument)
def vd003(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    if not (isinstance(doc.body, dict) and isinstance(doc.body.get("versions"), list)):
        yield ctx.finding(f"{doc.url} is not a {{\"versions\": [...]}} document", doc)


@rule("VD004", level="SHOULD", guideline="discoverability",
      description="Each version has id, links and status", given=VersionDocument)
def vd004(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    for i, entry in enumerate(_entries(doc)):
        missing = [k for k in ("id", "links", "status") if k not in entry]
        if missing:
            yield ctx.finding(f"version {i} lacks {', '.join(missing)}", doc, "versions", i)


@rule("VD005", level="SHOULD", guideline="discoverability",
      description="Version ids are v<major>[.<minor>]", given=VersionDocument)
def vd005(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    for i, entry in enumerate(_entries(doc)):
        if "id" in entry and not ID_RE.match(str(entry["id"])):
            yield ctx.finding(f"version id {entry['id']!r} is not vX[.Y]", doc, "versions", i)


@rule("VD006", level="MUST", guideline="discoverability",
      description="status is CURRENT/SUPPORTED/DEPRECATED/EXPERIMENTAL; exactly one CURRENT",
      given=VersionDocument)
def vd006(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    entries = _entries(doc)
    for i, entry in enumerate(entries):
        if "status" in entry and entry["status"] not in STATUSES:
            yield ctx.finding(f"status {entry['status']!r} is not one of {', '.join(STATUSES)}",
                              doc, "versions", i, "status")
    current = sum(1 for e in entries if e.get("status") == "CURRENT")
    if entries and current != 1:
        yield ctx.finding(f"{current} versions are CURRENT; exactly one must be", doc)


@rule("VD008", level="SHOULD", guideline="discoverability",
      description="min_version/max_version are X.Y with min <= max", given=VersionDocument)
def vd008(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    for i, entry in enumerate(_entries(doc)):
        bounds = {}
        for key in ("min_version", "max_version"):
            value = entry.get(key)
            if value in (None, ""):
                continue
            m = MV_RE.match(str(value))
            if not m:
                yield ctx.finding(f"{key} {value!r} is not X.Y", doc, "versions", i, key)
            else:
                bounds[key] = (int(m.group(1)), int(m.group(2)))
        if len(bounds) == 2 and bounds["min_version"] > bounds["max_version"]:
            yield ctx.finding("min_version is above max_version", doc, "versions", i)


@rule("VD011", level="MUST", guideline="discoverability",
      description="The discovery document lists at least one version", given=VersionDocument)
def vd011(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    if not _entries(doc):
        yield ctx.finding(f"{doc.url} lists no versions", doc)


@rule("VD007", level="SHOULD", guideline="discoverability",
      description="Each version links to self and to the collection (unversioned endpoint)",
      given=VersionDocument)
def vd007(ctx: RuleContext, doc: VersionDocument) -> Iterator[Violation]:
    for i, entry in enumerate(_entries(doc)):
        links = entry.get("links")
        rels = {str(link.get("rel")) for link in links if isinstance(link, dict)
                and isinstance(link.get("href"), str)} if isinstance(links, list) else set()
        for rel in ("self", "collection"):
            if rel not in rels:
                yield ctx.finding(f"version {entry.get('id', i)} has no '{rel}' link", doc,
                                  "versions", i, "links")
