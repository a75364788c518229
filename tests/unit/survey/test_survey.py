"""``interopcheck survey``: each single-resource form, collection format, action style, error
format and version header is counted per document and overall, in every format."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from interopcheck.cli import main
from tests.unit.rules._docs import ERRORS, MV_PARAM, S, obj, op, resp

ARRAY = {"type": "array", "items": obj(id=S)}
NOVA_FAULT = obj(itemNotFound=obj(message=S, code={"type": "integer"}))

#: a Nova-like API: wrapped resources, one-element-list and bare ones, every action style
NOVA_LIKE: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "compute", "version": "2.1"},
    "paths": {
        "/servers": {
            "get": op(("200", resp("200", obj(servers=ARRAY, servers_links=ARRAY)))),
            "post": op(("202", resp("202", obj(server=obj(id=S)))),
                       ("404", resp("404", NOVA_FAULT))),
        },
        "/servers/{id}": {"get": op(("200", resp("200", obj(server=obj(id=S)))),
                                    ("404", resp("404", NOVA_FAULT)),
                                    params=[MV_PARAM])},
        "/servers/{id}/action": {"post": op(("202", resp("202")))},
        "/flavors/{id}": {"get": op(("200", resp("200", obj(id=S, name=S))),
                                    ("404", resp("404", ERRORS)))},
        "/keypairs/{id}": {"get": op(("200", resp("200", ARRAY)), ("400", resp("400")))},
        "/hosts/{id}": {"get": op(("200", resp("200", obj(hosts=ARRAY))))},
        "/hosts": {"get": op(("200", resp("200", ARRAY)))},
        "/images/{id}/deactivate": {"post": op(("204", resp("204")))},
    },
}
GLANCE_LIKE: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "image", "version": "2"},
    "paths": {"/v2/images/{id}": {"get": op(("200", resp("200", obj(id=S, status=S))))},
              "/v2/images": {"get": op(("200", resp("200", obj(images=ARRAY))))}},
}


@pytest.fixture
def specs(tmp_path: Path) -> list[str]:
    out = []
    for name, doc in (("compute.json", NOVA_LIKE), ("image.json", GLANCE_LIKE)):
        (tmp_path / name).write_text(json.dumps(doc))
        out.append(str(tmp_path / name))
    return out


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(["survey", *argv], stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def test_counts_per_document_and_overall(specs: list[str]) -> None:
    rc, out, _ = _run(*specs, "-f", "json")
    assert rc == 0
    data = json.loads(out)
    nova, glance = data["documents"]
    assert nova["single_resource"]["counts"] == {
        "bare": 1, "wrapped": 2, "list": 1, "wrapped-list": 1, "unspecified": 0}
    assert nova["single_resource"]["examples"]["wrapped"] == "POST /servers 202"
    assert nova["collection"]["counts"]["wrapped"] == 1
    assert nova["collection"]["counts"]["bare-list"] == 1
    assert nova["collection_links"] == 1
    assert nova["action_style"]["counts"] == {"action-body": 1, "actions-collection": 0,
                                              "rpc-url": 1}
    assert nova["error_format"]["counts"] == {"errors-list": 1, "single-key-fault": 2,
                                              "bare-message": 0, "other": 0, "undeclared": 1}
    assert nova["fault_keys"] == {"itemNotFound": 2}
    assert nova["version_headers"] == {"OpenStack-API-Version": 1}
    assert glance["single_resource"]["counts"]["bare"] == 1
    overall = data["overall"]
    assert overall["single_resource"]["counts"]["bare"] == 2
    assert overall["operations"] == nova["operations"] + glance["operations"]


def test_text_markdown_html(specs: list[str]) -> None:
    text = _run(*specs)[1]
    assert "Single-resource form" in text and "compute.json" in text
    assert "all documents" in text
    markdown = _run(*specs, "-f", "markdown")[1]
    assert "| compute.json | 1 (20%) | 2 (40%) | 1 (20%) | 1 (20%) | 0 | 5 |" in markdown
    page = _run(*specs, "-f", "html")[1]
    cells: list[str] = []

    class Cells(HTMLParser):
        def handle_data(self, data: str) -> None:
            cells.append(data)

    Cells().feed(page)
    assert "itemNotFound (2)" in cells and "image.json" in cells


def test_unreadable_document_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: notes\n")
    rc, out, err = _run(str(tmp_path / "notes.yaml"))
    assert rc == 2 and out == "" and err.count("\n") == 1 and "not an OpenAPI" in err
