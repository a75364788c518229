"""The snapshot file: a cloud's recorded behaviour under one profile, as versioned JSON.

Layout (``schema_version`` :data:`SCHEMA_VERSION`; JSON Schema:
``interopcheck/schemas/snapshot.schema.json``)::

    {"format": "interopcheck-snapshot", "schema_version": 1,
     "provenance": {tool, profile, profile_version, profile_hash, service_type,
                    cloud: {url, min_version, max_version}, latest, microversions,
                    recorded_at, runs},
     "exchanges": [<stored exchange>, ...],         # each distinct one once
     "jobs": {SCENARIO: {VERSION: [RUN, RUN]}},      # the two recorded runs
     "capabilities": {...}}                          # optional, see interopcheck.capabilities

A RUN is ``{"calls": [[step index, step name, exchange index | null, skipped | null],
...], "issues": [[category, where, what, what_to_do], ...]}``. A file whose name ends
in ``.gz`` is gzip-compressed; reading recognises gzip by its magic bytes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from interopcheck.errors import InteropcheckError
from interopcheck.profile.model import Profile

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "Snapshot",
    "SnapshotError",
    "check_profile",
    "load_snapshot",
    "profile_hash",
    "profile_version",
    "reference_names",
    "resolve",
    "save_snapshot",
    "schema",
]

FORMAT = "interopcheck-snapshot"
SCHEMA_VERSION = 1
_REFERENCE = "reference"
_SUFFIX = ".snapshot.json.gz"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SnapshotError(InteropcheckError):
    """A snapshot that cannot be used; the message is the one line to print."""


@dataclass
class Snapshot:
    """A parsed snapshot file (``data`` is the JSON document)."""

    data: dict[str, Any]
    source: str = ""

    @property
    def provenance(self) -> dict[str, Any]:
        return self.data["provenance"]

    @property
    def label(self) -> str:
        return self.source or self.provenance["cloud"].get("url", "snapshot")


def schema() -> dict[str, Any]:
    """The published JSON Schema of the snapshot format."""
    text = resources.files("interopcheck").joinpath("schemas/snapshot.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def _document(profile: Profile) -> Any:
    path = Path(profile.path)
    return _read_document(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_document(path: str, _mtime_ns: int) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def profile_hash(profile: Profile) -> str:
    """``sha256:<hex>`` of the profile document (comments and layout do not count)."""
    text = json.dumps(_document(profile), sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


_VERSION_LINE = re.compile(r"""^version:[ \t]*["']?([^"'\s#]+)""", re.MULTILINE)


def profile_version(profile: Profile) -> str:
    """The profile's declared top-level ``version`` (``"0"`` when it declares none).

    Read from the file's text (a top-level key starts its line): parsing the whole YAML
    again costs more than the rest of a snapshot diff's start.
    """
    version = getattr(profile, "version", None)
    if not version:
        path = Path(profile.path)
        match = _VERSION_LINE.search(_read_text(str(path), path.stat().st_mtime_ns))
        version = match.group(1) if match else None
    return str(version) if version not in (None, "") else "0"


@functools.lru_cache(maxsize=8)
def _read_text(path: str, _mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def check_profile(snapshot: Snapshot, profile: Profile) -> None:
    """Refuse a snapshot recorded with another profile or another profile version."""
    prov = snapshot.provenance
    if prov["profile"] != profile.name:
        raise SnapshotError(
            f"{snapshot.label}: recorded with profile {prov['profile']!r}, not "
            f"{profile.name!r}: pass --profile {prov['profile']} or record the cloud again "
            f"with this profile")
    wanted = profile_version(profile)
    if str(prov["profile_version"]) != wanted:
        raise SnapshotError(
            f"{snapshot.label}: recorded with profile {profile.name} version "
            f"{prov['profile_version']}, this profile is version {wanted}: record the cloud "
            f"again (interopcheck record URL --out FILE)")


def reference_names() -> list[str]:
    """Names of the snapshots shipped in the package (``placement-16.0``, ...)."""
    folder = resources.files("interopcheck.snapshot").joinpath(_REFERENCE)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(_SUFFIX)] for p in folder.iterdir()
                  if p.name.endswith(_SUFFIX))


def resolve(ref: str) -> Path | None:
    """The file a snapshot reference names: a path, or a packaged reference name."""
    path = Path(ref)
    if path.is_file():
        return path
    if "/" not in ref and ref in reference_names():
        folder = resources.files("interopcheck.snapshot").joinpath(_REFERENCE)
        return Path(str(folder.joinpath(ref + _SUFFIX)))
    return None


def load_snapshot(ref: str) -> Snapshot:
    """Read and check a snapshot file (or packaged reference); SnapshotError if unusable."""
    path = resolve(ref)
    if path is None:
        names = ", ".join(reference_names()) or "none"
        raise SnapshotError(f"{ref}: no such snapshot file or reference (packaged: {names}); "
                            f"give a path written by interopcheck record")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, ValueError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{ref}: cannot read the snapshot: {exc}; record it again with "
                            f"interopcheck record") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(f"{ref}: not an interopcheck snapshot (no \"format\": "
                            f"\"{FORMAT}\"); give a file written by interopcheck record")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotError(f"{ref}: snapshot schema version {data.get('schema_version')!r}, "
                            f"this interopcheck reads {SCHEMA_VERSION}: record it again")
    _validate_head(ref, data)
    return Snapshot(data, source=ref)


def _validate_head(ref: str, data: dict[str, Any]) -> None:
    """Check everything but the (large, regular) exchange table against the schema."""
    import jsonschema

    head = {k: v for k, v in data.items() if k not in ("exchanges", "jobs")}
    head["exchanges"], head["jobs"] = [], {}
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(head),
                    key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise SnapshotError(f"{ref}: not a valid snapshot at {where}: {errors[0].message}")
    if not isinstance(data.get("exchanges"), list) or not isinstance(data.get("jobs"), dict):
        raise SnapshotError(f"{ref}: not a valid snapshot: no exchanges or jobs")


def save_snapshot(snapshot: Snapshot, path: str | Path) -> int:
    """Write ``snapshot`` (gzip when the name ends in ``.gz``); the number of bytes written."""
    text = json.dumps(snapshot.data, ensure_ascii=False, separators=(",", ":"))
    raw = text.encode("utf-8")
    target = Path(path)
    if target.name.endswith(".gz"):
        raw = gzip.compress(raw, compresslevel=9, mtime=0)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
    except OSError as exc:
        raise SnapshotError(f"--out {path}: cannot write it: {exc.strerror or exc}") from None
    return len(raw)
