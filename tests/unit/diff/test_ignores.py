"""Ignore rules: JSONPath-like paths, JSON Pointers, headers, status, scopes."""

from __future__ import annotations

import pytest

from interopcheck.ignores import covers, matches, parse_path
from interopcheck.microversion import parse, parse_versions
from interopcheck.profile import parse_ignore
from interopcheck.profile.model import IgnoreRule


def test_parse_path() -> None:
    assert parse_path("$") == ()
    assert parse_path('$.a["x-y"][*].b[0]') == ("a", "x-y", "*", "b", "[]")
    assert parse_path("$..links") == ("**", "links")
    assert parse_path("/a/0/b~1c/~0d") == ("a", "[]", "b/c", "~d")
    with pytest.raises(ValueError):
        parse_path("a.b")


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("$.resource_providers[*].links", "$.resource_providers[*].links[*].rel", True),
    ("$.resource_providers", "$.resource_providers[*].links", True),
    ("$.resource_providers[*].links", "$.resource_providers[*].name", False),
    ("$..links", "$.resource_providers[*].links", True),
    ("$..links", "$.links", True),
    ("$.*.generation", '$["{uuid}"].generation', True),
    ("/resource_providers/0/links", "$.resource_providers[*].links", True),
    ("/resource_providers/*/links", "$.resource_providers[*].links", True),
    ("/errors/0/detail", "$.errors[0].detail", True),
    ("$.errors[*].code", "$.errors[0].code", True),
    ("$", "$.anything", True),
])
def test_covers(pattern: str, path: str, expected: bool) -> None:
    assert covers(pattern, path) is expected


def _m(rule: IgnoreRule, kind: str, path: str, scenario: str = "s", call: str = "c",
       version: str = "1.20") -> bool:
    return matches(rule, scenario=scenario, call=call, version=parse(version), kind=kind,
                   path=path)


def test_rules_and_scopes() -> None:
    header = parse_ignore("header:X-Content-*")
    assert _m(header, "header-extra", "x-content-type-options")
    assert not _m(header, "body-shape", "$.x")
    status = parse_ignore("status")
    assert _m(status, "status", "status") and not _m(status, "body-shape", "$.x")
    body = parse_ignore({"path": "$.description", "kind": "body-shape", "scenario": "provider-*",
                         "microversions": "1.20-", "reason": "vendor field"})
    assert _m(body, "body-shape", "$.description", scenario="provider-lifecycle")
    assert not _m(body, "body-shape", "$.description", scenario="traits")
    assert not _m(body, "body-shape", "$.description", version="1.19")
    assert not _m(body, "error-code", "$.description")
    scoped = IgnoreRule(path="$", call="show", microversions=parse_versions("1.0"))
    assert _m(scoped, "body-shape", "$.x", call="show", version="1.0")
    assert not _m(scoped, "body-shape", "$.x", call="list", version="1.0")


@pytest.mark.parametrize("bad", ["links", 3, {"path": "$.a", "header": "x"}, {"kind": "status"}])
def test_bad_rules(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_ignore(bad)
