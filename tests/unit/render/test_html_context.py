"""The HTML report's folded context (issue 20): each request and answer written once, each
card naming them and the steps to the node that differs; a call sent without a version
header labelled so."""

from __future__ import annotations

import json
import re

from interopcheck.render import html
from interopcheck.render.html_context import steps, store
from tests.support.reports import finding, report

ANSWER = json.dumps({"status": 200, "headers": {"Content-Type": "application/json"},
                     "body": {"resource_providers": [{"name": "<b>rp</b>"}]}})


def test_steps_follow_every_kind_of_path() -> None:
    assert steps("body-shape", "$.resource_providers[*].name") == [
        "body", "resource_providers", "*", "name"]
    assert steps("error-code", "$.errors[0].code") == ["body", "errors", 0, "code"]
    assert steps("body-shape", '$.a["odd key"][2]') == ["body", "a", "odd key", 2]
    assert steps("error-detail", "$") == ["body"]
    assert steps("status", "status") == ["status"]
    assert steps("header-value", "Content-Type") == ["headers", {"h": "Content-Type"}]


def test_each_answer_is_written_once_and_cards_point_at_it() -> None:
    many = tuple(finding("body-shape", f"$.k{i}", "integer", "string", request="{}",
                         response_a=ANSWER, response_b=ANSWER) for i in range(50))
    page = html.render(report(findings=many))
    assert page.count('<template id="ctx-') == 2  # the request and the one answer
    refs = set(re.findall(r'data-ref="(ctx-[0-9a-f]+)"', page))
    assert len(refs) == 2 and all(f'<template id="{r}">' in page for r in refs)
    assert "&lt;b&gt;rp&lt;/b&gt;" in page and "<b>rp</b>" not in page  # text, not markup
    assert 'data-steps="[&quot;body&quot;, &quot;k7&quot;]"' in page
    assert store(()) == ""


def test_a_call_without_a_version_header_is_not_a_version_called_none() -> None:
    page = html.render(report(findings=(finding("status", "status", "200", "404",
                                                microversion="none"),)))
    assert '<span class="badge mv" title="sent without a version header' in page
    assert ">no version header</span>" in page
    assert ">none</span>" not in page
