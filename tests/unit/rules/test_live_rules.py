"""Live halves of rules: one violating and one conforming target each."""

from __future__ import annotations

from typing import Any

import pytest

from interopcheck.rules import REGISTRY, evaluate
from interopcheck.rules.targets import ErrorBody, Exchange, VersionDocument

OK_ERR = {"errors": [{"status": 404, "title": "Not Found", "detail": "no such thing",
                      "code": "placement.resource_provider.not_found",
                      "links": [{"rel": "help", "href": "https://docs"}]}]}
V = {"id": "v1.0", "status": "CURRENT", "min_version": "1.0", "max_version": "1.39",
     "links": [{"rel": "self", "href": ""}]}


def ex(status: int = 200, method: str = "GET", body: Any = None, **headers: str) -> Exchange:
    h = {"openstack-api-version": ["placement 1.39"], "vary": ["openstack-api-version"],
         "cache-control": ["no-cache"], "location": ["http://x/things/1"]}
    for k, v in headers.items():
        key = k.replace("_", "-")
        if v is None:
            h.pop(key, None)
        else:
            h[key] = [v]
    url = h.pop("url", ["http://x/things"])[0]
    return Exchange(method, url, status, h, body)


def vdoc(body: Any) -> VersionDocument:
    return VersionDocument("http://x/", body)


LIVE: dict[str, tuple[Any, Any]] = {
    "ERR001": (ErrorBody(404, {"itemNotFound": {"code": 404, "message": "x"}}),
               ErrorBody(404, OK_ERR)),
    "ERR002": (ErrorBody(404, {"errors": [{"status": 404, "title": "Not Found"}]}),
               ErrorBody(404, OK_ERR)),
    "ERR003": (ErrorBody(400, OK_ERR), ErrorBody(404, OK_ERR)),
    "ERR004": (ErrorBody(404, {"errors": [{"code": "Not Found"}]}), ErrorBody(404, OK_ERR)),
    "ERR012": (ErrorBody(500, 'Traceback (most recent call last):\n  File "a.py", line 1'),
               ErrorBody(500, OK_ERR)),
    "VD003": (vdoc({"version": V}), vdoc({"versions": [V]})),
    "VD004": (vdoc({"versions": [{"id": "v1.0"}]}), vdoc({"versions": [V]})),
    "VD005": (vdoc({"versions": [V | {"id": "1.0"}]}), vdoc({"versions": [V]})),
    "VD006": (vdoc({"versions": [V | {"status": "stable"}]}), vdoc({"versions": [V]})),
    "VD008": (vdoc({"versions": [V | {"max_version": "1.039"}]}), vdoc({"versions": [V]})),
    "VD011": (vdoc({"versions": []}), vdoc({"versions": [V]})),
    "MV010": (ex(openstack_api_version=None), ex()),
    "MV011": (ex(vary="accept"), ex()),
    "HTTP007": (ex(201, "POST", location=None), ex(201, "POST")),
    "HTTP013": (ex(413), ex(403)),
    "HTTP014": (ex(422), ex(400)),
    "HTTP021": (ex(501), ex(400)),
    "CACHE001": (ex(cache_control=None), ex()),
    "RES001": (ex(body=[1, 2]), ex(body={"things": [1, 2]})),
    "ERR005": (ErrorBody(404, {"errors": [OK_ERR["errors"][0] | {"request_id": "req-1"}]},
                         {"x-openstack-request-id": ["req-2"]}),
               ErrorBody(404, {"errors": [OK_ERR["errors"][0] | {"request_id": "req-1"}]},
                         {"x-openstack-request-id": ["req-1"]})),
    "ERR006": (ErrorBody(404, {"errors": [OK_ERR["errors"][0] | {"links": []}]}),
               ErrorBody(404, OK_ERR)),
    "VD007": (vdoc({"versions": [V]}),
              vdoc({"versions": [V | {"links": [{"rel": "self", "href": "http://x/"},
                                                {"rel": "collection", "href": "http://x/"}]}]})),
    "CACHE002": (ex(cache_control="max-age=60"), ex(cache_control="max-age=60",
                                                    etag='"abc"')),
    "ETAG002": (ex(etag="abc"), ex(etag='W/"abc"')),
    "NAME004": (ex(body={"things": [{"id": 1, "createdAt": "x"}]}),
                ex(body={"things": [{"id": 1, "created_at": "x", "metadata": {"fooBar": 1},
                                     "usages": {"DISK_GB": 1, "CUSTOM_X": 2},
                                     "allocations": {"0c8a8d5e-5ea5-4e45-9a2b-0d5d1f2b3c4d": {},
                                                     "$uuid(rp)": {}}}]})),
    "TIME001": (ex(body={"thing": {"created_at": 1700000000, "updated_at": "yesterday"}}),
                ex(body={"thing": {"created_at": "2024-05-01T10:11:12Z", "updated_at": None,
                                   "expires_at": "2024-05-01T10:11:12.123456+02:00"}})),
    "LINK001": (ex(body={"thing": {"links": [{"rel": "self"}, "http://x/things/1"]}}),
                ex(body={"thing": {"links": [{"rel": "self", "href": "http://x/things/1",
                                              "type": "application/json"}]}})),
    "RES002": (ex(body={"items": [1, 2], "links": []}),
               ex(body={"things": [1, 2], "links": []})),
    "PAGE004": (ex(url="http://x/things?limit=1", body={"things": [1], "links": [
                    {"rel": "prev", "href": "http://x/things?limit=1&marker=a"},
                    {"rel": "more", "href": "http://x/things?page=2"}]}),
                ex(url="http://x/things?limit=1&marker=a", body={"things": [1], "links": [
                    {"rel": "prev", "href": "http://x/things?limit=1&marker=z"},
                    {"rel": "next", "href": "http://x/things?limit=1&marker=b"}]})),
    "HTTP009": (ex(200, "DELETE", body={"thing": {}}), ex(204, "DELETE")),
    "HTTP010": (ex(204, "PUT"), ex(200, "PUT", body={"thing": {}})),
    "MV007": (ErrorBody(406, {"errors": [{"status": 406, "title": "Not Acceptable"}]}),
              ErrorBody(406, {"errors": [{"status": 406, "title": "Not Acceptable",
                                          "min_version": "1.0", "max_version": "1.39"}]})),
}


def test_vd007_names_the_missing_collection_link() -> None:
    (v,) = evaluate([vdoc({"versions": [V]})], enabled={"VD007"}, mode="live")
    assert "collection" in v.message and v.pointer == "/versions/0/links"


def test_probe_rules_are_declared_without_targets() -> None:
    from interopcheck.rules.probes import PROBES

    for rule_id in PROBES:
        r = REGISTRY.get(rule_id)
        assert r.modes == {"live"} and r.given == ()
    assert evaluate([ex()], enabled=set(PROBES), mode="live") == []


@pytest.mark.parametrize("rule_id", sorted(LIVE))
def test_live_bad_and_good(rule_id: str) -> None:
    bad, good = LIVE[rule_id]
    found = evaluate([bad], enabled={rule_id}, mode="live")
    assert [v.rule for v in found] and {v.rule for v in found} == {rule_id}
    assert evaluate([good], enabled={rule_id}, mode="live") == []
    assert "live" in REGISTRY.get(rule_id).modes


def test_res002_skips_members_and_templates() -> None:
    for url in ("http://x/things/0c8a8d5e-5ea5-4e45-9a2b-0d5d1f2b3c4d", "http://x/things/$uuid(a)",
                "http://x/things/DISK_GB", "http://x/"):
        assert evaluate([ex(url=url, body={"items": [1]})], enabled={"RES002"},
                        mode="live") == []


def test_page004_needs_paging_parameters_and_reports_each_problem() -> None:
    bad = LIVE["PAGE004"][0]
    found = evaluate([bad], enabled={"PAGE004"}, mode="live")
    assert [v.pointer for v in found] == ["/links/0", "/links/1"]
    unpaged = ex(body=bad.body)
    assert evaluate([unpaged], enabled={"PAGE004"}, mode="live") == []


def test_http009_asynchronous_delete_is_info() -> None:
    (v,) = evaluate([ex(202, "DELETE")], enabled={"HTTP009"}, mode="live")
    assert v.severity.value == "info"


def test_name004_points_at_the_field() -> None:
    (v,) = evaluate([LIVE["NAME004"][0]], enabled={"NAME004"}, mode="live")
    assert v.pointer == "/things/0/createdAt"
