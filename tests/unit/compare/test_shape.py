"""interopcheck.compare.shape: JSON values to shapes, rendering, and shape diffs."""

from __future__ import annotations

import pytest

from interopcheck.compare.shape import (
    ABSENT,
    UUID_KEY,
    Array,
    Object,
    Scalar,
    ShapeDiff,
    Variants,
    diff,
    is_uuid_like,
    render,
    shape_of,
)

U1 = "6d7190d8-bde0-4e6d-9b9a-6373b9c7d87e"
U2 = "0d9fbd1e-9eb4-4bfc-9b03-34b6e8b8e2c1"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(None, "null"), (True, "bool"), (False, "bool"), (0, "int"), (1.0, "float"), ("", "str")],
)
def test_scalars_keep_only_their_json_type(value: object, kind: str) -> None:
    assert shape_of(value) == Scalar(kind)


def test_bool_is_not_int_and_int_is_not_float() -> None:
    assert shape_of(True) != shape_of(1)
    assert shape_of(1) != shape_of(1.0)


def test_values_do_not_matter() -> None:
    a = {"name": "a", "generation": 0, "links": [{"rel": "self", "href": "/x"}]}
    b = {"name": "zzz", "generation": 42, "links": [{"rel": "inventories", "href": "/y"}]}
    assert shape_of(a) == shape_of(b)
    assert diff(shape_of(a), shape_of(b)) == []


def test_objects_keep_sorted_keys() -> None:
    shape = shape_of({"b": 1, "a": "x"})
    assert shape == Object((("a", Scalar("str")), ("b", Scalar("int"))))
    assert render(shape) == '{"a": str, "b": int}'


def test_uuid_keys_become_a_placeholder() -> None:
    a = shape_of({"allocations": {U1: {"resources": {"VCPU": 1}}}})
    b = shape_of({"allocations": {U2: {"resources": {"VCPU": 2}}}})
    assert a == b
    assert isinstance(a, Object)
    inner = a.get("allocations")
    assert isinstance(inner, Object)
    assert inner.fields[0][0] == UUID_KEY


def test_dashless_uuid_keys_are_uuid_like_but_names_are_not() -> None:
    assert is_uuid_like(U1.replace("-", ""))
    assert not is_uuid_like("VCPU")
    assert not is_uuid_like(U1 + "0")


def test_several_uuid_keys_merge_into_one_entry() -> None:
    one = shape_of({U1: {"resources": {"VCPU": 1}}})
    two = shape_of({U1: {"resources": {"VCPU": 1}}, U2: {"resources": {"VCPU": 3}}})
    assert one == two


def test_differently_shaped_uuid_values_become_variants() -> None:
    shape = shape_of({U1: {"a": 1}, U2: [1]})
    assert isinstance(shape, Object)
    assert isinstance(shape.fields[0][1], Variants)


def test_differently_keyed_objects_under_uuid_keys_merge_key_by_key() -> None:
    assert render(shape_of({U1: {"a": 1}, U2: {"b": None}})) == '{"{uuid}": {"a": int, "b": null}}'


def test_list_elements_merge_into_one_object_with_each_keys_shapes() -> None:
    tree = [{"uuid": U1, "parent_provider_uuid": None}, {"uuid": U2, "parent_provider_uuid": U1}]
    assert render(shape_of(tree)) == '[{"parent_provider_uuid": (null | str), "uuid": str}]'


def test_non_uuid_keys_stay_distinct() -> None:
    assert shape_of({"VCPU": 1}) != shape_of({"DISK_GB": 1})


def test_arrays_are_sets_of_element_shapes() -> None:
    assert shape_of([1, 2, 3]) == shape_of([7]) == Array(frozenset({Scalar("int")}))
    assert shape_of([]) == Array(frozenset())
    assert shape_of([]) != shape_of([1])
    assert render(shape_of([1, "a"])) == "[int | str]"


def test_non_json_values_are_rejected() -> None:
    with pytest.raises(TypeError):
        shape_of({1, 2})


def test_diff_of_an_extra_key_names_exactly_that_path() -> None:
    a = shape_of({"resource_providers": [{"uuid": U1, "name": "x"}]})
    b = shape_of({"resource_providers": [{"uuid": U2, "name": "y", "generation": 0}]})
    assert diff(a, b) == [ShapeDiff("$.resource_providers[*].generation", ABSENT, "int")]
    assert diff(b, a) == [ShapeDiff("$.resource_providers[*].generation", "int", ABSENT)]


def test_diff_of_a_type_change() -> None:
    a = shape_of({"inventories": {"VCPU": {"allocation_ratio": 1.0}}})
    b = shape_of({"inventories": {"VCPU": {"allocation_ratio": 1}}})
    assert diff(a, b) == [ShapeDiff("$.inventories.VCPU.allocation_ratio", "float", "int")]


def test_diff_of_null_versus_string() -> None:
    a = shape_of({"parent_provider_uuid": None})
    b = shape_of({"parent_provider_uuid": U1})
    assert diff(a, b) == [ShapeDiff("$.parent_provider_uuid", "null", "str")]


def test_diff_of_an_empty_list_against_a_filled_one() -> None:
    a, b = shape_of({"traits": []}), shape_of({"traits": ["CUSTOM_A"]})
    assert diff(a, b) == [ShapeDiff("$.traits", "[]", "[str]")]


def test_diff_under_a_uuid_key_and_a_key_that_is_no_identifier() -> None:
    a = shape_of({"allocations": {U1: {"resources": {"VCPU": 1}}}, "": {"x": 1}})
    b = shape_of({"allocations": {U2: {"resources": {"VCPU": "1"}}}, "": {"x": 1}})
    assert diff(a, b) == [ShapeDiff('$.allocations["{uuid}"].resources.VCPU', "int", "str")]


def test_diff_of_object_versus_array_is_reported_once_at_the_top() -> None:
    assert diff(shape_of({"a": 1}), shape_of([1])) == [ShapeDiff("$", '{"a": int}', "[int]")]


def test_diff_of_heterogeneous_lists_reports_the_unmatched_elements() -> None:
    a = shape_of([1, "x", None])
    b = shape_of([1, True, 2.0])
    (only,) = diff(a, b)
    assert only.path == "$[*]"
    assert "null" in only.a and "str" in only.a
    assert "bool" in only.b and "float" in only.b


def test_a_field_added_inside_mixed_list_elements_is_added_at_its_path() -> None:
    """A provider tree: parent null at the root, a string below; B adds a field to each."""
    tree = [{"uuid": U1, "parent_provider_uuid": None, "links": [{"rel": "self"}]},
            {"uuid": U2, "parent_provider_uuid": U1, "links": [{"rel": "self"}]}]
    more = [dict(p, description="d") for p in tree]
    a, b = shape_of({"resource_providers": tree}), shape_of({"resource_providers": more})
    assert diff(a, b) == [ShapeDiff("$.resource_providers[*].description", ABSENT, "str")]
    assert diff(b, a) == [ShapeDiff("$.resource_providers[*].description", "str", ABSENT)]
    # only in some elements of B: still added at that path, never a type change
    some = [tree[0], dict(tree[1], description="d")]
    assert diff(a, shape_of({"resource_providers": some})) == [
        ShapeDiff("$.resource_providers[*].description", ABSENT, "str")]


def test_a_list_whose_elements_are_only_sometimes_null_is_a_nullable_difference() -> None:
    a = shape_of([{"p": None}, {"p": U1}])
    b = shape_of([{"p": U1}])
    assert diff(a, b) == [ShapeDiff("$[*].p", "null", "(nothing else)")]


def test_long_shapes_are_shortened_to_the_differing_part() -> None:
    big = {f"key_{i}": {"nested": {"deeper": [1, 2]}} for i in range(20)}
    (only,) = diff(shape_of({"x": big}), shape_of({"x": 1}))
    assert only.path == "$.x" and only.b == "int"
    assert only.a == "{20 keys}"
    (small,) = diff(shape_of({"x": {"a": {"b": {"c": 1}}}}), shape_of({"x": 1}))
    assert small.a == '{"a": {"b": {"c": int}}}'


def test_diff_of_equal_shapes_is_empty() -> None:
    doc = {"a": [{"b": {U1: [1, 2]}}]}
    assert diff(shape_of(doc), shape_of(doc)) == []
