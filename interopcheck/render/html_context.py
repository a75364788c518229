"""A finding's context in the HTML report: the request and both answers, with the node that
differs marked inside each answer, built only when the reader opens it.

The answers are kept as JSON text in ``Finding.extra`` (``request``, ``response_a``,
``response_b``); the findings of one call share them. Each distinct text is written once
(:func:`store`, a ``<template>`` named by its hash), and each card's folded context names
the texts it shows and the steps of its path (:func:`steps`: ``$.a[*].b`` becomes
``["body", "a", "*", "b"]``, a header name a case-blind ``{"h": name}`` step, ``status``
``["status"]``). When the reader opens a context, :data:`SCRIPT` parses the texts,
pretty-prints them as text nodes (never as HTML), wraps the nodes the steps reach in
``<mark class="diff-node">`` (or, where a side has no such node, the nearest one it has in
``diff-parent``) and scrolls each answer to its first mark. A report of 6,000 findings thus
carries each answer once and lays out none of them until asked.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from interopcheck.findings import Finding

__all__ = ["SCRIPT", "STYLE", "context", "steps", "store"]

#: The ``extra`` entries shown as JSON documents (the others as table rows).
DOCUMENTS = (("request", "request"), ("response_a", "A answered"), ("response_b", "B answered"))
_STEP = re.compile(r'\.([^.\[\]"]+)|\["((?:[^"\\]|\\.)*)"\]|\[(\*|\d+)\]')

STYLE = """
article.finding{content-visibility:auto;contain-intrinsic-size:auto 180px}
.ctx-docs{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin-top:6px}
.ctx-doc.ctx-request{grid-column:1/-1}
.ctx-lbl{font-size:12px;font-weight:600;color:var(--muted)}
pre.ctx-body{position:relative;margin:0;max-height:360px;overflow:auto;white-space:pre-wrap;
overflow-wrap:anywhere;padding:6px;border:1px solid var(--line);border-radius:6px}
.ctx-request pre.ctx-body{max-height:160px}
mark.diff-node{background:#ffd84d;color:#000;outline:2px solid #d19a00;border-radius:2px}
mark.diff-parent{background:#ffe9b3;color:#000;outline:1px dashed #d19a00}
@media (max-width:820px){.ctx-docs{grid-template-columns:1fr}}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var MAX_MARKS = 200;
  function isObject(n) { return n !== null && typeof n === "object" && !Array.isArray(n); }
  function marksFor(root, steps) {
    var marks = {}, count = 0;
    function mark(at, cls) {
      var key = JSON.stringify(at);
      if (!(key in marks)) { marks[key] = cls; count += 1; }
    }
    function go(node, i, at) {
      if (count >= MAX_MARKS) { return; }
      if (i === steps.length) { mark(at, "diff-node"); return; }
      var step = steps[i];
      if (step === "*" && Array.isArray(node) && node.length) {
        node.forEach(function (item, j) { go(item, i + 1, at.concat([j])); });
      } else if (typeof step === "number" && Array.isArray(node) && step < node.length) {
        go(node[step], i + 1, at.concat([step]));
      } else if (isObject(step) && isObject(node)) {
        var want = String(step.h).toLowerCase();
        var key = Object.keys(node).filter(function (k) { return k.toLowerCase() === want; })[0];
        if (key === undefined) { mark(at, "diff-parent"); }
        else { go(node[key], i + 1, at.concat([key])); }
      } else if (typeof step === "string" && step !== "*" && isObject(node) &&
                 Object.prototype.hasOwnProperty.call(node, step)) {
        go(node[step], i + 1, at.concat([step]));
      } else {
        mark(at, "diff-parent");
      }
    }
    go(root, 0, []);
    return marks;
  }
  function pretty(node, at, marks, pad, into) {
    var cls = marks[JSON.stringify(at)], box = into;
    if (cls) {
      box = document.createElement("mark");
      box.className = cls;
      box.title = cls === "diff-node" ? "what differs" :
        "this side has no such node: the nearest one it has";
      into.appendChild(box);
    }
    function text(s) { box.appendChild(document.createTextNode(s)); }
    if (Array.isArray(node) && node.length) {
      text("[\n");
      node.forEach(function (v, j) {
        text(pad + "  ");
        pretty(v, at.concat([j]), marks, pad + "  ", box);
        text(j < node.length - 1 ? ",\n" : "\n");
      });
      text(pad + "]");
    } else if (isObject(node) && Object.keys(node).length) {
      var keys = Object.keys(node);
      text("{\n");
      keys.forEach(function (k, j) {
        text(pad + "  " + JSON.stringify(k) + ": ");
        pretty(node[k], at.concat([k]), marks, pad + "  ", box);
        text(j < keys.length - 1 ? ",\n" : "\n");
      });
      text(pad + "}");
    } else {
      text(JSON.stringify(node));
    }
  }
  function build(details) {
    var docs = details.querySelector(".ctx-docs");
    if (!docs || docs.dataset.built) { return; }
    docs.dataset.built = "1";
    var steps = JSON.parse(details.dataset.steps || "null");
    docs.querySelectorAll(".ctx-doc").forEach(function (doc) {
      var source = document.getElementById(doc.dataset.ref);
      var pre = document.createElement("pre");
      pre.className = "ctx-body";
      var value;
      try { value = JSON.parse(source.content.textContent); } catch (err) { value = undefined; }
      if (value === undefined) {
        pre.textContent = source.content.textContent;
      } else {
        var marks = steps && doc.dataset.marks ? marksFor(value, steps) : {};
        pretty(value, [], marks, "", pre);
      }
      doc.appendChild(pre);
    });
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.open || !details.classList || !details.classList.contains("extra")) { return; }
    build(details);
    details.querySelectorAll("pre.ctx-body").forEach(function (box) {
      var mark = box.querySelector("mark");
      if (mark) { box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3); }
    });
    var docs = details.querySelector(".ctx-docs");
    if (docs) { docs.scrollIntoView({block: "nearest"}); }
  }, true);
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _ref(text: str) -> str:
    return "ctx-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def steps(kind: str, path: str) -> list[Any] | None:
    """Where a finding's ``path`` leads inside a response dict (``status``, ``headers``,
    ``body``), as JSON-ready steps; ``None`` when the path names no node of the answer."""
    if kind == "status":
        return ["status"]
    if kind.startswith("header"):
        return ["headers", {"h": path}]
    if not path.startswith("$"):
        return None
    out: list[Any] = ["body"]
    rest = path[1:]
    while rest:
        match = _STEP.match(rest)
        if match is None:
            return out  # a form not understood: mark what was reached
        name, quoted, index = match.groups()
        if name is not None:
            out.append(name)
        elif quoted is not None:
            out.append(json.loads(f'"{quoted}"'))
        else:
            out.append("*" if index == "*" else int(index))
        rest = rest[match.end():]
    return out


def context(f: Finding, plain: Callable[[str], str]) -> str:
    """The folded context of ``f`` (empty without ``extra``); ``plain(value)`` renders the
    entries that are not JSON documents, as the report does elsewhere."""
    if not f.extra:
        return ""
    docs = dict(DOCUMENTS)
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{plain(v)}</td></tr>"
                   for k, v in sorted(f.extra.items()) if k not in docs or not v)
    parts = "".join(
        f'<div class="ctx-doc ctx-{"request" if key == "request" else key[-1]}" '
        f'data-ref="{_ref(f.extra[key])}"{"" if key == "request" else " data-marks=1"}>'
        f'<div class="ctx-lbl">{_e(label)}</div></div>'
        for key, label in DOCUMENTS if f.extra.get(key))
    path_steps = steps(f.kind, f.path)
    return (f'<details class="extra" data-steps="{_e(json.dumps(path_steps))}">'
            f"<summary>context</summary>{f'<table>{rows}</table>' if rows else ''}"
            f'{f"<div class=ctx-docs>{parts}</div>" if parts else ""}</details>')


def store(findings: Iterable[Finding]) -> str:
    """Each distinct request or answer text of ``findings``, once, as an inert template."""
    seen: dict[str, str] = {}
    for f in findings:
        for key, _label in DOCUMENTS:
            text = f.extra.get(key)
            if text:
                seen.setdefault(_ref(text), text)
    if not seen:
        return ""
    return ('<div id="ctx-store" hidden>' + "".join(
        f'<template id="{ref}">{_e(text)}</template>' for ref, text in seen.items())
        + "</div>")
