"""Template substitution, captures and symbolisation within one run."""

from __future__ import annotations

import re

import pytest

from interopcheck.profile.templates import TemplateError, Variables, extract


def test_generated_values_are_stable_within_a_run_and_fresh_across_runs() -> None:
    v1, v2 = Variables(), Variables()
    url = v1.substitute("/resource_providers/$uuid(rp)")
    assert url == v1.substitute("/resource_providers/$uuid(rp)")
    assert url != v2.substitute("/resource_providers/$uuid(rp)")
    assert v1.substitute("$hex(rp)") == url.rsplit("/", 1)[1].replace("-", "")
    assert re.fullmatch(r"CUSTOM_GOLD_[0-9A-F]{12}", v1.substitute("$rc(gold)"))
    assert re.fullmatch(r"CUSTOM_FAST_X_[0-9A-F]{12}", v1.substitute("$trait(fast-x)"))
    assert re.fullmatch(r"rp1-[0-9a-f]{12}", v1.substitute("$name(rp1)"))


def test_whole_templates_keep_their_type_and_nest() -> None:
    v = Variables(environ={"REGION": "r1"})
    v.capture("g", 3)
    body = v.substitute({"$uuid(rp)": {"generation": "$var(g)", "note": "g=$var(g)"},
                         "list": ["$ENV(REGION)", 1, None]})
    (_key, value), = [(k, b) for k, b in body.items() if k != "list"]
    assert value == {"generation": 3, "note": "g=3"}
    assert body["list"] == ["r1", 1, None]
    assert v.substitute("$var(missing)") == "<uncaptured missing>"
    with pytest.raises(TemplateError, match="NOPE is not set"):
        v.substitute("$ENV(NOPE)")


def test_symbolise_writes_values_back_as_templates() -> None:
    v = Variables()
    rp = v.substitute("$uuid(rp)")
    name = v.substitute("$name(rp)")
    v.capture("loc", "http://x/resource_providers/" + "0" * 8 + "-aaaa-bbbb-cccc-" + "1" * 12)
    v.capture("g", 5)
    data = {rp: [f"/resource_providers/{rp}", f"{name} exists", 5], "loc": v.captured["loc"]}
    assert v.symbolise(data) == {
        "$uuid(rp)": ["/resource_providers/$uuid(rp)", "$name(rp) exists", 5],
        "loc": "$var(loc)",
    }
    assert Variables().symbolise({"a": ["b"]}) == {"a": ["b"]}


def test_extract() -> None:
    headers = {"location": "/x"}
    body = {"a": [{"b": 1}], "c": None}
    assert extract("body.a.0.b", 200, headers, body) == 1
    assert extract("body", 200, headers, body) is body
    assert extract("body.a.3.b", 200, headers, body) is None
    assert extract("header.Location", 200, headers, body) == "/x"
    assert extract("status", 204, headers, None) == 204
