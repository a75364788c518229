"""Build a capabilities document from a snapshot, and compare two documents.

Document (``interopcheck/schemas/capabilities.schema.json``, ``schema_version`` 1)::

    {"format": "interopcheck-capabilities", "schema_version": 1,
     "service": {"type", "min_version", "max_version"},
     "source": {"tool", "profile", "profile_version", "cloud", "recorded_at"},
     "routes": [{"method", "path", "microversions": "1.0-1.39"}],
     "traits": {"standard": [...], "custom": [...]},
     "resource_classes": {"standard": [...], "custom": [...]},
     "features": [{"name", "since", "microversions", "description"}]}

A route exists at a microversion when one of the profile's calls to it answered 2xx
there (the probes the calls already make; an error answer says little: an unknown id,
bad input or no such route). Negotiation probes (versions outside the range) do not
count. Paths are templates: generated values and UUIDs become ``{uuid}``; generated
names, resource classes and traits, and upper-case names (``VCPU``, ``HW_CPU_X86_AVX``),
become ``{name}``.
"""

from __future__ import annotations

import re
from typing import Any

from interopcheck.capabilities.features import FEATURES
from interopcheck.causes import compress_versions
from interopcheck.microversion import Version, expand, parse
from interopcheck.snapshot.format import Snapshot

__all__ = ["FORMAT", "SCHEMA_VERSION", "build_document", "diff_documents", "versions_of"]

FORMAT = "interopcheck-capabilities"
SCHEMA_VERSION = 1
_TEMPLATE = re.compile(r"\$(uuid|hex|name|rc|trait|var)\(([^)]*)\)")
_TEMPLATE_NAMES = {"uuid": "{uuid}", "hex": "{uuid}", "name": "{name}", "rc": "{name}",
                   "trait": "{name}"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")
_UPPER_NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _segment(seg: str) -> str:
    whole = _TEMPLATE.fullmatch(seg)
    if whole:
        kind, key = whole.groups()
        return _TEMPLATE_NAMES.get(kind, f"{{{key}}}")
    if _UUID.match(seg):
        return "{uuid}"
    if _UPPER_NAME.match(seg):
        return "{name}"
    return _TEMPLATE.sub(lambda m: _TEMPLATE_NAMES.get(m.group(1), f"{{{m.group(2)}}}"), seg)


def route_of(url: str) -> str:
    """The route template of a recorded request path."""
    path = url.split("?", 1)[0]
    return "/".join(_segment(s) for s in path.split("/")) or "/"


def _sent_version(exchange: dict[str, Any], low: Version, high: Version) -> str | None:
    """The version a recorded call was served at (``low`` without a header), or None."""
    for name, value in exchange.get("request_headers", ()):
        if name.endswith("-api-version"):
            parts = str(value).split()
            if len(parts) != 2 or not re.fullmatch(r"\d+\.\d+", parts[-1]):
                return None
            version = parse(parts[-1])
            return str(version) if low <= version <= high else None
    return str(low)


def versions_of(text: str) -> set[str]:
    """``"1.0-1.2, 1.5"`` -> {"1.0", "1.1", "1.2", "1.5"}."""
    out: set[str] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        if high:
            out.update(str(v) for v in expand(parse(low), parse(high)))
        else:
            out.add(part)
    return out


def _routes(snapshot: Snapshot) -> list[dict[str, str]]:
    data = snapshot.data
    cloud = data["provenance"]["cloud"]
    low, high = parse(cloud["min_version"]), parse(cloud["max_version"])
    seen: dict[tuple[str, str], set[str]] = {}
    exchanges = data["exchanges"]
    for runs in data["jobs"].values():
        for run in (r[0] for r in runs.values() if r):
            for _index, _name, ref, _skipped in run["calls"]:
                if ref is None:
                    continue
                ex = exchanges[ref]
                if not 200 <= ex["status"] < 300:
                    continue  # an error says little: an unknown id, bad input, no route
                sent = _sent_version(ex, low, high)
                if sent is None:
                    continue  # a negotiation probe (a version outside the range)
                seen.setdefault((ex["method"], route_of(ex["url"])), set()).add(sent)
    return [{"method": m, "path": p, "microversions": compress_versions(v)}
            for (m, p), v in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0])) if v]


def _features(service: str, low: Version, high: Version) -> list[dict[str, str]]:
    out = []
    for name, since, description in FEATURES.get(service, ()):
        start = max(parse(since), low)
        if start <= high:
            out.append({"name": name, "since": since, "description": description,
                        "microversions": f"{start}-{high}" if start != high else str(start)})
    return out


def build_document(snapshot: Snapshot) -> dict[str, Any]:
    """The capabilities document of the recorded cloud."""
    prov = snapshot.provenance
    cloud = prov["cloud"]
    low, high = parse(cloud["min_version"]), parse(cloud["max_version"])
    inventory = snapshot.data.get("capabilities") or {}
    source = {"tool": prov["tool"], "profile": prov["profile"],
              "profile_version": prov["profile_version"], "cloud": cloud["url"],
              "recorded_at": prov["recorded_at"]}
    if cloud.get("release"):
        source["release"] = cloud["release"]
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "service": {"type": prov["service_type"], "min_version": str(low),
                    "max_version": str(high)},
        "source": source,
        "routes": _routes(snapshot),
        "traits": inventory.get("traits", {"standard": [], "custom": []}),
        "resource_classes": inventory.get("resource_classes", {"standard": [], "custom": []}),
        "features": _features(prov["service_type"], low, high),
    }


def _only(a: dict[tuple[str, str], set[str]], b: dict[tuple[str, str], set[str]]
          ) -> list[dict[str, str]]:
    out = []
    for key, versions in sorted(a.items()):
        missing = versions - b.get(key, set())
        if missing:
            out.append({"what": key[0], "name": key[1],
                        "microversions": compress_versions(missing)})
    return out


def _items(doc: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    high = doc["service"]["max_version"]
    low = doc["service"]["min_version"]
    everywhere = versions_of(f"{low}-{high}")
    items: dict[tuple[str, str], set[str]] = {
        ("version", v): {v} for v in everywhere}
    for route in doc["routes"]:
        items[("route", f"{route['method']} {route['path']}")] = versions_of(
            route["microversions"])
    for feature in doc["features"]:
        items[("feature", feature["name"])] = versions_of(feature["microversions"])
    for group in ("traits", "resource_classes"):
        for kind in ("standard", "custom"):
            for name in doc.get(group, {}).get(kind, ()):
                items[(group[:-1] if group == "traits" else "resource_class", name)] = \
                    {"all"}
    return items


def diff_documents(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What A can do that B cannot, and the reverse, each with the microversions."""
    ia, ib = _items(a), _items(b)
    return {"a": a["source"]["cloud"], "b": b["source"]["cloud"],
            "only_a": _only(ia, ib), "only_b": _only(ib, ia)}
