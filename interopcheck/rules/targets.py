"""Target kinds: what rules inspect (Spectral's ``given``), shared by lint and live checks.

Static kinds come from an OpenAPI document (:mod:`interopcheck.lint.sources`); each carries
``source`` (the file it was found in, after ``$ref`` resolution) and ``pointer`` (a JSON
Pointer into that file), so a finding's file/line/column is where the node really is.
Live kinds (``MODES = ("live",)``) come from recorded HTTP exchanges; their ``pointer`` is
a JSON Pointer into the response body and ``source`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


class Dereferencer(Protocol):
    def deref(self, node: Node) -> Node: ...


class SourceFile(Protocol):
    """The file a static target was found in (lint's loader provides it; rules need only
    its loader, to follow ``$ref``): rules import nothing of lint."""

    loader: Dereferencer

__all__ = ["ApiDocument", "ErrorBody", "Exchange", "Location", "Node", "Operation",
           "Parameter", "Response", "Schema", "Target", "VersionDocument", "escape"]


def escape(token: str | int) -> str:
    t = str(token)
    if "~" not in t and "/" not in t:  # nearly every key: no copies
        return t
    return t.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is: file, JSON Pointer, 1-based line and column (0 if unknown)."""

    file: str
    pointer: str
    line: int = 0
    column: int = 0


class Target:
    MODES: ClassVar[tuple[str, ...]] = ("static",)


@dataclass(slots=True, eq=False)
class Node:
    """A value located in a document: ``source`` + ``pointer``."""

    source: SourceFile
    pointer: str
    value: Any

    def child(self, *tokens: str | int) -> Node:
        value, pointer = self.value, self.pointer
        for t in tokens:
            value = value[t]
            pointer += "/" + escape(t)
        return Node(self.source, pointer, value)

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return Node(self.source, self.pointer + "/" + escape(key), self.value[key])
        return None

    def deref(self) -> Node:
        """Follow ``$ref`` (local or another file) until a non-reference node."""
        if not (isinstance(self.value, dict) and "$ref" in self.value):
            return self
        return self.source.loader.deref(self)

    def ref_target(self) -> str | None:
        """The ``$ref`` this node holds, if any."""
        v = self.value
        return v.get("$ref") if isinstance(v, dict) and isinstance(v.get("$ref"), str) else None


@dataclass(slots=True, eq=False)
class Schema(Target):
    """One schema object (each distinct file+pointer once). ``name``: property or component name."""

    source: SourceFile
    pointer: str
    value: dict[str, Any]
    name: str | None = None
    node: Node | None = None
    #: "action-body" for a POST .../{id}/action request body (or one of its oneOf variants):
    #: its top-level keys are action names, not fields.
    role: str | None = None


@dataclass(slots=True, eq=False)
class Parameter(Target):
    source: SourceFile
    pointer: str
    name: str
    where: str  # query | header | path | cookie
    value: dict[str, Any]
    operation: Operation | None = None


@dataclass(slots=True, eq=False)
class Response:
    status: str
    source: SourceFile
    pointer: str
    value: dict[str, Any]
    headers: dict[str, Node] = field(default_factory=dict)  # lower-case name -> header node
    schema: Node | None = None  # dereferenced body schema (application/json or first JSON type)
    media_type: str | None = None
    operation: Operation | None = None


@dataclass(slots=True, eq=False)
class Operation(Target):
    path: str
    method: str  # lower case
    source: SourceFile
    pointer: str
    value: dict[str, Any]
    parameters: list[Parameter] = field(default_factory=list)
    responses: dict[str, Response] = field(default_factory=dict)
    request_schema: Node | None = None
    request_media: str | None = None
    min_version: tuple[int, int] | None = None
    max_version: tuple[int, int] | None = None
    api: ApiDocument | None = None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def success_codes(self) -> list[str]:
        return [s for s in self.responses if s.startswith("2") or s == "2XX"]

    def param(self, name: str, where: str | None = None) -> Parameter | None:
        low = name.lower()
        for p in self.parameters:
            if p.name.lower() == low and (where is None or p.where == where):
                return p
        return None


@dataclass(slots=True, eq=False)
class ApiDocument(Target):
    """The whole API, for consistency rules (one single-resource form, one action style)."""

    source: SourceFile
    pointer: str
    value: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    microversioned: bool = False
    min_version: tuple[int, int] | None = None
    max_version: tuple[int, int] | None = None
    service_type: str | None = None


# ---- live kinds (produced by the live checker from recorded exchanges) ----

@dataclass(slots=True, eq=False)
class Exchange(Target):
    """One request/response pair. ``headers``: lower-case name -> list of values."""

    MODES: ClassVar[tuple[str, ...]] = ("live",)
    method: str
    url: str
    status: int
    headers: dict[str, list[str]]
    body: Any = None
    path_template: str | None = None
    microversion: str | None = None
    request_headers: dict[str, list[str]] = field(default_factory=dict)
    pointer: str = ""
    source: Any = None


@dataclass(slots=True, eq=False)
class ErrorBody(Target):
    """A 4xx/5xx response body (parsed JSON, or the raw text if not JSON)."""

    MODES: ClassVar[tuple[str, ...]] = ("live",)
    status: int
    body: Any
    headers: dict[str, list[str]] = field(default_factory=dict)
    pointer: str = ""
    source: Any = None


@dataclass(slots=True, eq=False)
class VersionDocument(Target):
    """A version discovery document from ``GET /`` (or ``/vN/``)."""

    MODES: ClassVar[tuple[str, ...]] = ("live",)
    url: str
    body: Any
    headers: dict[str, list[str]] = field(default_factory=dict)
    pointer: str = ""
    source: Any = None
