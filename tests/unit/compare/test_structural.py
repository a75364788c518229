"""interopcheck.compare.structural and exchange: comparing two exchanges by structure."""

from __future__ import annotations

from typing import Any

import pytest

from interopcheck.compare import REDACTED, CompareOptions, Difference, Exchange, compare
from interopcheck.compare.exchange import parse_body
from interopcheck.compare.structural import (
    Departure,
    detail_fragment,
    library_text_removed,
    normalise_location,
)

U1 = "6d7190d8-bde0-4e6d-9b9a-6373b9c7d87e"
U2 = "0d9fbd1e-9eb4-4bfc-9b03-34b6e8b8e2c1"
BASE = {
    "content-type": "application/json",
    "openstack-api-version": "placement 1.39",
    "vary": "openstack-api-version",
    "x-openstack-request-id": "req-1",
}
GENERIC_409 = "There was a conflict when trying to complete your request.\n\n "


def ex(status: int = 200, body: Any = None, headers: dict[str, str] | None = None,
       **kwargs: Any) -> Exchange:
    return Exchange.create(
        method=kwargs.pop("method", "GET"),
        url=kwargs.pop("url", "/resource_providers"),
        request_headers=kwargs.pop("request_headers", {}),
        status=status,
        headers=BASE if headers is None else headers,
        body=body,
        **kwargs,
    )


def error(status: int, detail: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": status, "title": "T", "detail": detail,
                             "request_id": "req-x", **extra}
    if code is not None:
        entry["code"] = code
    return {"errors": [entry]}


def test_different_uuids_values_and_request_ids_are_no_difference() -> None:
    a = ex(body={"uuid": U1, "name": "a", "generation": 0},
           headers={**BASE, "x-openstack-request-id": "req-1", "date": "Mon"})
    b = ex(body={"uuid": U2, "name": "b", "generation": 5},
           headers={**BASE, "x-openstack-request-id": "req-2", "server": "waitress"})
    assert compare(a, b) == []


def test_status_difference() -> None:
    assert compare(ex(200, {}), ex(201, {})) == [Difference("status", "status", "200", "201")]


def test_extra_key_is_exactly_one_body_shape_difference() -> None:
    a = ex(body={"resource_providers": [{"uuid": U1}]})
    b = ex(body={"resource_providers": [{"uuid": U2, "generation": 1}]})
    assert compare(a, b) == [
        Difference("body-shape", "$.resource_providers[*].generation", "(absent)", "int")
    ]


def test_type_change_is_a_body_shape_difference() -> None:
    a, b = ex(body={"allocation_ratio": 1.0}), ex(body={"allocation_ratio": 1})
    assert compare(a, b) == [Difference("body-shape", "$.allocation_ratio", "float", "int")]


def test_missing_and_extra_headers() -> None:
    a = ex(body={}, headers={**BASE, "cache-control": "no-cache"})
    b = ex(body={}, headers={**BASE, "etag": "x"})
    assert compare(a, b) == [
        Difference("header-missing", "cache-control", "no-cache", "(absent)"),
        Difference("header-extra", "etag", "(absent)", "x"),
    ]


def test_header_names_are_case_insensitive_and_server_headers_ignored() -> None:
    a = ex(body={}, headers={"Content-Type": "application/json", "Date": "x",
                             "Content-Length": "2", "Connection": "close"})
    b = ex(body={}, headers={"content-type": "application/json", "Transfer-Encoding": "chunked"})
    assert compare(a, b) == []


def test_configured_ignored_headers() -> None:
    a = ex(body={}, headers={**BASE, "last-modified": "x"})
    b = ex(body={})
    assert [d.kind for d in compare(a, b)] == ["header-missing"]
    assert compare(a, b, CompareOptions().ignoring("Last-Modified")) == []


@pytest.mark.parametrize(
    ("name", "va", "vb"),
    [
        ("openstack-api-version", "placement 1.39", "placement 1.38"),
        ("vary", "openstack-api-version", "Accept"),
        ("content-type", "application/json", "application/json; charset=UTF-8"),
        ("allow", "GET, POST", "GET"),
        ("cache-control", "no-cache", "no-store"),
    ],
)
def test_protocol_header_values_must_match(name: str, va: str, vb: str) -> None:
    a = ex(body={}, headers={**BASE, name: va})
    b = ex(body={}, headers={**BASE, name: vb})
    assert compare(a, b) == [Difference("header-value", name, va, vb)]


def test_other_header_values_are_ignored() -> None:
    a = ex(body={}, headers={**BASE, "last-modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    b = ex(body={}, headers={**BASE, "last-modified": "Tue, 02 Jan 2024 00:00:00 GMT"})
    assert compare(a, b) == []


def test_location_ignores_scheme_host_and_uuids_but_not_the_path() -> None:
    a = ex(201, headers={"location": f"http://127.0.0.1:8781/resource_providers/{U1}"})
    b = ex(201, headers={"location": f"http://refcloud/resource_providers/{U2}"})
    assert compare(a, b) == []
    c = ex(201, headers={"location": f"http://refcloud/resource_classes/{U2}"})
    assert compare(a, c) == [
        Difference("header-value", "location", "/resource_providers/{uuid}",
                   "/resource_classes/{uuid}")
    ]
    assert normalise_location("https://h/placement/x?a=1") == "/placement/x?a=1"


def test_different_error_code_is_exactly_that_difference() -> None:
    a = ex(409, error(409, GENERIC_409 + "resource provider generation conflict  ",
                      "placement.concurrent_update"))
    b = ex(409, error(409, GENERIC_409 + "resource provider generation conflict  ",
                      "placement.undefined_code"))
    assert compare(a, b) == [
        Difference("error-code", "$.errors[0].code", "placement.concurrent_update",
                   "placement.undefined_code")
    ]


def test_missing_error_code_is_a_body_shape_difference() -> None:
    a = ex(409, error(409, GENERIC_409 + "x", "placement.concurrent_update"))
    b = ex(409, error(409, GENERIC_409 + "x"))
    assert compare(a, b) == [
        Difference("body-shape", "$.errors[*].code", "str", "(absent)")
    ]


def test_error_status_inside_the_body_must_match() -> None:
    a = ex(400, error(400, "x"))
    b = ex(400, error(409, "x"))
    assert compare(a, b) == [Difference("error-code", "$.errors[0].status", "400", "409")]


def test_error_detail_compares_the_specific_message_with_uuids_normalised() -> None:
    a = ex(404, error(404, f"The resource could not be found.\n\n No resource provider with "
                           f"uuid {U1} found  "))
    b = ex(404, error(404, f"Not found, sorry.\n\n No resource provider with uuid {U2} found"))
    assert compare(a, b) == []
    c = ex(404, error(404, f"The resource could not be found.\n\n No provider {U2} found  "))
    assert compare(a, c) == [
        Difference("error-detail", "$.errors[0].detail",
                   "No resource provider with uuid {uuid} found", "No provider {uuid} found")
    ]


def test_error_count_difference() -> None:
    one = error(400, "x")
    two = {"errors": one["errors"] * 2}
    assert compare(ex(400, one), ex(400, two)) == [
        Difference("body-shape", "$.errors", "1 errors", "2 errors")
    ]


def test_detail_fragment() -> None:
    assert detail_fragment("Generic.\n\n Specific " + U1 + "  ") == "Specific {uuid}"
    assert detail_fragment("no generic part") == "no generic part"


def test_text_error_bodies_compare_their_text() -> None:
    text = "404 Not Found\n\nThe resource could not be found.\n\n No resource provider {}  "
    a = ex(404, text.format(U1), headers={"content-type": "text/plain; charset=UTF-8"})
    b = ex(404, text.format(U2).replace("\n\n ", "\n\n"),
           headers={"content-type": "text/plain; charset=UTF-8"})
    assert compare(a, b) == []
    c = ex(404, "404 Not Found", headers={"content-type": "text/plain; charset=UTF-8"})
    assert [d.kind for d in compare(a, c)] == ["error-detail"]


def test_text_json_and_empty_bodies_differ() -> None:
    kinds = [
        compare(ex(200, None), ex(200, "text"))[0].kind,
        compare(ex(200, {}), ex(200, "text"))[0].kind,
    ]
    assert kinds == ["body-shape", "body-shape"]


WEBOB_401 = {"message": "This server could not verify ...", "code": "401 Unauthorized",
             "title": "Unauthorized"}


def test_the_comparator_excuses_no_departure_of_its_own() -> None:
    """Two clouds whose 401 bodies differ (webob's vs the errors format) differ."""
    headers = {"content-type": "application/json", "x-openstack-request-id": "req-1"}
    a = ex(401, WEBOB_401, headers=headers)
    b = ex(401, error(401, "This server could not verify ..."), headers=headers)
    assert {d.kind for d in compare(a, b)} == {"body-shape"}
    assert CompareOptions().departures == ()


def test_a_departure_passed_by_the_caller_is_applied_narrowly() -> None:
    headers = {"content-type": "application/json", "x-openstack-request-id": "req-1"}
    a = ex(401, WEBOB_401, headers=headers)
    b = ex(401, error(401, "x"), headers={**headers, "openstack-api-version": "placement 1.0"})
    body_401 = Departure("401-body", "a test", lambda ea, eb, d: d.kind == "body-shape"
                         and ea.status == eb.status == 401)
    options = CompareOptions(departures=(body_401,))
    assert [d.kind for d in compare(a, b, options)] == ["header-extra"]
    kinds = {d.kind for d in compare(ex(401, WEBOB_401), ex(403, error(403, "x")), options)}
    assert {"status", "body-shape"} <= kinds


def test_database_error_text_is_accepted_only_after_a_matching_prefix() -> None:
    driver = ("(sqlite3.IntegrityError) UNIQUE constraint failed: inventories.x [SQL: INSERT "
              "INTO inventories ...] [parameters: (12, 0, '2026-01-01')]")
    a = ex(409, error(409, GENERIC_409 + "Update conflict: " + driver + "  "))
    b = ex(409, error(409, GENERIC_409 + "Update conflict: duplicate inventory"))
    assert compare(a, b) == []
    c = ex(409, error(409, GENERIC_409 + "Conflict: duplicate inventory"))
    assert [d.kind for d in compare(a, c)] == ["error-detail"]


JSONSCHEMA_418 = ("JSON does not validate: 'name' is a required property\n\nFailed validating "
                  "'required' in schema:\n    {'type': 'object', 'properties': {...}}\n\n"
                  "On instance:\n    {}")
JSONSCHEMA_426 = ("JSON does not validate: 'name' is a required property\n\nFailed validating "
                  "'required' in schema:\n    {'additionalProperties': False,\n     'properties':"
                  " {'name': {'maxLength': 200, 'type': 'string'}}}\n\nOn instance:\n    {}")


def test_library_text_is_not_compared() -> None:
    a = ex(400, error(400, "The server could not comply.\n\n " + JSONSCHEMA_418))
    b = ex(400, error(400, "The server could not comply.\n\n " + JSONSCHEMA_426))
    assert compare(a, b) == []
    assert library_text_removed(JSONSCHEMA_418) == (
        "JSON does not validate: 'name' is a required property")
    assert library_text_removed("bad <placement.objects.Foo object at 0x7f3a2b> here") == (
        "bad <placement.objects.Foo object> here")


def test_the_message_before_library_text_is_still_compared() -> None:
    other = JSONSCHEMA_418.replace("'name' is a required property", "'uuid' is too long")
    a = ex(400, error(400, "The server could not comply.\n\n " + JSONSCHEMA_418))
    b = ex(400, error(400, "The server could not comply.\n\n " + other))
    found = compare(a, b)
    assert [d.kind for d in found] == ["error-detail"]
    assert found[0].a == "JSON does not validate: 'name' is a required property"
    assert found[0].b == "JSON does not validate: 'uuid' is too long"


def test_exchange_redacts_secrets_and_lowercases_names() -> None:
    e = ex(request_headers={"X-Auth-Token": "s3cret", "Authorization": "Bearer t",
                            "Accept": "application/json"})
    assert e.request_header("x-auth-token") == REDACTED
    assert e.request_header("authorization") == REDACTED
    assert e.request_header("ACCEPT") == "application/json"
    assert "s3cret" not in repr(e.to_dict())


def test_exchange_round_trips_through_dict() -> None:
    e = ex(201, None, headers={"Location": "http://h/x"}, method="post", request_body={"a": 1})
    again = Exchange.from_dict(e.to_dict())
    assert again == e
    assert again.method == "POST"
    assert again.header("LOCATION") == "http://h/x"


def test_parse_body() -> None:
    assert parse_body("application/json", '{"a": 1}') == ("json", {"a": 1})
    assert parse_body("application/json; charset=UTF-8", "[1]") == ("json", [1])
    assert parse_body("application/json", "{bad") == ("text", "{bad")
    assert parse_body("text/html", "<p>") == ("text", "<p>")
    assert parse_body("application/json", "") == ("empty", None)


def test_exchange_rejects_unknown_body_format() -> None:
    with pytest.raises(ValueError, match="body_format"):
        ex(body={}, body_format="xml")
