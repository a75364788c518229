"""Count the payload conventions of OpenAPI documents (one :class:`DocumentSurvey` each).

What is counted, per operation response (2xx for resources, 4xx/5xx for errors):

* **single resource** (GET/PUT/PATCH on ``.../{id}``: 200; a create, POST to a collection:
  its 201/202/200): ``bare`` ``{...}``, ``wrapped`` ``{"server": {...}}``, ``list`` (a
  one-element list ``[{...}]``), ``wrapped-list`` ``{"servers": [{...}]}``
  (:func:`interopcheck.rules.single_resource.form_of`, the RES004 classifier), or
  ``unspecified`` (a schema without properties); a response whose schema has ``oneOf``
  variants (microversions) counts once per distinct form.
* **collection** (GET on a literal last segment): ``wrapped`` (an object whose array is named
  after the collection), ``wrapped-other-key``, ``bare-list`` (a top-level array),
  ``object`` (no array: a map or a summary), ``unspecified`` (no properties); ``links``
  beside the array is counted apart.
* **action style**: ``action-body`` (``POST /{id}/action`` with the action as the key),
  ``actions-collection``, ``rpc-url`` (a verb in the URL: ``/{id}/accept``,
  ``PUT /routers/{id}/add_router_interface``) (:func:`interopcheck.rules.actions.action_style`
  plus verb segments).
* **error format**: ``errors-list`` (API-SIG ``{"errors": [...]}``), ``single-key-fault``
  (``{"itemNotFound": {"message", "code"}}``; the key names are kept), ``bare-message``,
  ``other``, ``undeclared`` (no body schema).
* **microversion headers**: request header parameters named like ``*-API-Version``, with the
  number of operations declaring each, and the operations with ``x-openstack`` bounds.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from interopcheck.lint.loader import Loader, LoadError
from interopcheck.lint.sources import api_document
from interopcheck.rules._schema import json_type, properties, segments, variants
from interopcheck.rules.actions import action_style
from interopcheck.rules.collections import collection_key
from interopcheck.rules.http import ACTION_SEGMENTS, is_create
from interopcheck.rules.single_resource import form_of
from interopcheck.rules.targets import ApiDocument, Node, Operation

__all__ = ["CATEGORIES", "DocumentSurvey", "Survey", "survey_document", "survey_files"]

#: category -> its values in display order
CATEGORIES: dict[str, tuple[str, ...]] = {
    "single_resource": ("bare", "wrapped", "list", "wrapped-list", "unspecified"),
    "collection": ("wrapped", "wrapped-other-key", "bare-list", "object", "unspecified"),
    "action_style": ("action-body", "actions-collection", "rpc-url"),
    "error_format": ("errors-list", "single-key-fault", "bare-message", "other", "undeclared"),
}
_MESSAGE_KEYS = frozenset({"message", "detail", "title", "description", "faultstring"})


@dataclass(slots=True)
class DocumentSurvey:
    name: str
    title: str = ""
    operations: int = 0
    versions: str = ""
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {c: Counter() for c in CATEGORIES})
    #: one example ("GET /servers/{id} 200") per category and value
    examples: dict[str, dict[str, str]] = field(
        default_factory=lambda: {c: {} for c in CATEGORIES})
    collection_links: int = 0
    fault_keys: Counter[str] = field(default_factory=Counter)
    mv_headers: Counter[str] = field(default_factory=Counter)
    #: operations with an ``x-openstack`` microversion bound (min-ver/max-ver)
    mv_bounded: int = 0

    def add(self, category: str, value: str, example: str) -> None:
        self.counts[category][value] += 1
        self.examples[category].setdefault(value, example)


@dataclass(slots=True)
class Survey:
    documents: list[DocumentSurvey]

    def overall(self) -> DocumentSurvey:
        total = DocumentSurvey("all documents", f"{len(self.documents)} documents")
        for d in self.documents:
            total.operations += d.operations
            total.collection_links += d.collection_links
            total.fault_keys.update(d.fault_keys)
            total.mv_headers.update(d.mv_headers)
            total.mv_bounded += d.mv_bounded
            for c in CATEGORIES:
                total.counts[c].update(d.counts[c])
                for value, ex in d.examples[c].items():
                    total.examples[c].setdefault(value, f"{d.name}: {ex}")
        return total


def _member(op: Operation) -> bool:
    segs = segments(op.path)
    return bool(segs) and segs[-1].startswith("{")


def _single_responses(op: Operation) -> Iterator[tuple[str, Node]]:
    if op.method in ("get", "put", "patch") and _member(op):
        statuses: tuple[str, ...] = ("200",)
    elif is_create(op) and not _collection_get_like(op):
        statuses = ("201", "202", "200")
    else:
        return
    for status in statuses:
        resp = op.responses.get(status)
        if resp is not None and resp.schema is not None:
            yield status, resp.schema
            return


def _collection_get_like(op: Operation) -> bool:
    last = segments(op.path)[-1] if segments(op.path) else ""
    return last in ("detail", "details")


def _forms(schema: Node) -> list[str]:
    out: list[str] = []
    for v in variants(schema):
        form = form_of(v)
        if form is not None and form not in out:
            out.append(form)
    return out or ["unspecified"]


def _collection(op: Operation, schema: Node) -> tuple[str, bool]:
    # microversion variants: the newest (last) one with properties says most
    node = schema.deref()
    for v in variants(schema):
        if json_type(v.value) == "array" or properties(v):
            node = v
    if json_type(node.value) == "array":
        return "bare-list", False
    props = properties(node)
    if not props:
        return "unspecified", False
    arrays = [k for k, v in props.items() if json_type(v.value) == "array"
              and k != "links" and not k.endswith("_links")]
    links = any(k == "links" or k.endswith("_links") for k in props)
    if not arrays:
        return "object", links
    expected = collection_key(op.path)
    return ("wrapped" if expected & set(arrays) else "wrapped-other-key"), links


def _error_format(schema: Node | None) -> tuple[str, str | None]:
    if schema is None:
        return "undeclared", None
    node = next(iter(variants(schema)))
    props = properties(node)
    errs = props.get("errors")
    if errs is not None and json_type(errs.value) == "array":
        return "errors-list", None
    if len(props) == 1:
        (key, inner), = props.items()
        if json_type(inner.value) == "object" and set(properties(inner)) & (
                _MESSAGE_KEYS | {"code"}):
            return "single-key-fault", key
    if set(props) & _MESSAGE_KEYS:
        return "bare-message", None
    return ("other", None) if props or json_type(node.value) else ("undeclared", None)


def _action(op: Operation) -> str | None:
    style = action_style(op)
    if style:
        return style
    segs = segments(op.path)
    if op.method in ("post", "put") and len(segs) >= 2 and segs[-2].startswith("{") \
            and (segs[-1] in ACTION_SEGMENTS - {"config"} or segs[-1].startswith(
                ("add_", "remove_", "add-", "remove-"))):
        return "rpc-url"
    return None


def survey_document(api: ApiDocument, name: str) -> DocumentSurvey:
    info = api.value.get("info") if isinstance(api.value.get("info"), dict) else {}
    doc = DocumentSurvey(name, str(info.get("title", "")), len(api.operations))
    if api.min_version and api.max_version:
        doc.versions = (f"{api.min_version[0]}.{api.min_version[1]}-"
                        f"{api.max_version[0]}.{api.max_version[1]}")
    for op in api.operations:
        for status, schema in _single_responses(op):
            for form in _forms(schema):
                doc.add("single_resource", form, f"{op.label} {status}")
        if op.method == "get" and not _member(op):
            resp = op.responses.get("200")
            if resp is not None and resp.schema is not None:
                kind, links = _collection(op, resp.schema)
                doc.add("collection", kind, f"{op.label}")
                doc.collection_links += links
        style = _action(op)
        if style:
            doc.add("action_style", style, op.label)
        for status, resp in op.responses.items():
            if status[:1] in ("4", "5"):
                kind, key = _error_format(resp.schema)
                doc.add("error_format", kind, f"{op.label} {status}")
                if key:
                    doc.fault_keys[key] += 1
        for p in op.parameters:
            if p.where == "header" and p.name.lower().endswith("api-version"):
                doc.mv_headers[p.name] += 1
        if op.min_version is not None or op.max_version is not None:
            doc.mv_bounded += 1
    return doc


def survey_files(paths: Iterable[str | os.PathLike[str]]) -> Survey:
    """Load each document (a LoadError names the file) and survey it."""
    docs = []
    for path in paths:
        loader = Loader()
        root = loader.load(path)
        if not isinstance(root.data, dict) or "openapi" not in root.data:
            raise LoadError(f"{path}: not an OpenAPI 3.x document (no 'openapi' key)")
        docs.append(survey_document(api_document(root), os.path.basename(str(path))))
    return Survey(docs)
