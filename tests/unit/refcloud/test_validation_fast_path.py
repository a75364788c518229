"""refcloud's compiled validation fast path never accepts what jsonschema rejects.

``refcloud.http.validate`` lets ``jsonschema-rs`` answer "valid" and leaves every other
case to ``jsonschema`` (which words Placement's 400s). That is only sound if the compiled
validator is never more permissive: here every Placement and servers-API schema of refcloud
meets generated bodies built from its own property names, pattern-like keys (trailing
newlines, lower case, non-ASCII digits), UUIDs with and without dashes, integers past 64
bits, floats that are whole numbers, and lone surrogates.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refcloud import http
from refcloud.compute import schemas as compute_schemas
from refcloud.placement import schemas as placement_schemas


def _schemas() -> Iterator[tuple[str, dict]]:
    seen: set[int] = set()
    for package in (placement_schemas, compute_schemas):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, value in vars(module).items():
                if (name.isupper() and isinstance(value, dict) and "type" in value
                        and id(value) not in seen):
                    seen.add(id(value))
                    yield f"{info.name}.{name}", value


SCHEMAS = dict(_schemas())


def _names(schema: Any) -> set[str]:
    """Every property name and enum string in a schema, and mutations of them."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            if key == "enum" and isinstance(value, list):
                found |= {v for v in value if isinstance(v, str)}
            found |= _names(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _names(item)
    return found


BASE_STRINGS = [
    "", "VCPU", "CUSTOM_FOO", "CUSTOM_FOO\n", "custom_foo", "HW_CPU_X86_AVX2", "_GROUP1",
    "_group", "\u0663", "1\u0663", "x" * 300, "COMPUTE", "!", "DISK_GB\n", "TEST",
    str(uuid.uuid4()), uuid.uuid4().hex, str(uuid.uuid4()).upper(), "{" + str(uuid.uuid4()) + "}",
    str(uuid.uuid4()) + "\n", "\ud800", "1", "1.5", "true", "in:", "!CUSTOM_FOO",
]


TRICKY: list[Any] = [
    *BASE_STRINGS, None, True, False, 0, -1, 2**31, 2**63, 2**64 + 1, 2**70, -(2**70),
    0.0, 1.0, 1.5, 16.0, 1e300, [], {},
]


def _mutated(instance: Any, data: st.DataObject) -> Any:
    """``instance`` with one value or key swapped for a tricky one (or unchanged)."""
    if isinstance(instance, dict) and instance:
        key = data.draw(st.sampled_from(sorted(instance, key=repr)))
        out = dict(instance)
        choice = data.draw(st.integers(0, 2))
        if choice == 0:
            out[key] = _mutated(out[key], data)
        elif choice == 1:
            out[key] = data.draw(st.sampled_from(TRICKY))
        else:
            value = out.pop(key)
            new_key = data.draw(st.sampled_from([k for k in TRICKY if isinstance(k, str)]
                                                + [key + "\n", key.lower()]))
            out[new_key] = value
        return out
    if isinstance(instance, list) and instance:
        index = data.draw(st.integers(0, len(instance) - 1))
        out = list(instance)
        out[index] = (_mutated(out[index], data) if data.draw(st.booleans())
                      else data.draw(st.sampled_from(TRICKY)))
        return out
    return data.draw(st.sampled_from([instance, *TRICKY]))


def _loose(schema: dict) -> st.SearchStrategy[Any]:
    """Random JSON built from the schema's names and tricky values."""
    names = sorted(_names(schema))
    strings = st.sampled_from(BASE_STRINGS + names + [n + "\n" for n in names]) | st.text(
        max_size=8)
    keys = st.sampled_from(BASE_STRINGS + names + [n + "\n" for n in names])
    scalars = (st.none() | st.booleans() | strings | st.sampled_from(TRICKY)
               | st.integers(-5, 10**6))
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=5),
        max_leaves=12,
    )


RECORDED = Path(__file__).resolve().parents[2] / "golden"
_PLACEHOLDER = re.compile(r"\$(\w+)\(([^)]*)\)")


def _filled(value: Any) -> Any:
    """A recorded body with its ``$uuid(x)``/``$name(x)`` placeholders filled in."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(
            lambda m: str(uuid.uuid5(uuid.NAMESPACE_OID, m.group(2)))
            if m.group(1) == "uuid" else f"{m.group(1)}-{m.group(2)}", value)
    if isinstance(value, list):
        return [_filled(v) for v in value]
    if isinstance(value, dict):
        return {_filled(k): _filled(v) for k, v in value.items()}
    return value


def _recorded_bodies() -> list[Any]:
    """Every JSON request body of the exchanges recorded from the real Placement."""
    bodies: dict[str, Any] = {}
    for path in sorted(RECORDED.glob("recorded*/*.json")):
        for step in json.loads(path.read_text()).get("steps", []):
            request = step.get("request")
            body = request.get("body") if isinstance(request, dict) else None
            if isinstance(body, (dict, list)):
                body = _filled(body)
                bodies[json.dumps(body, sort_keys=True)] = body
    return list(bodies.values())


def _single_swaps(value: Any) -> Iterator[Any]:
    """``value`` with one leaf, one key or one member replaced by each tricky value."""
    if isinstance(value, dict):
        for key in value:
            for swapped in _single_swaps(value[key]):
                yield {**value, key: swapped}
            rest = {k: v for k, v in value.items() if k != key}
            for new_key in [k for k in TRICKY if isinstance(k, str)] + [key + "\n", key.lower()]:
                yield {**rest, new_key: value[key]}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for swapped in _single_swaps(item):
                yield [*value[:index], swapped, *value[index + 1:]]
    else:
        yield from TRICKY


def _check(schema: dict, instance: Any) -> bool:
    """True when the fast path accepted the instance (and jsonschema agreed)."""
    fast = http._compiled(schema)
    assert fast is not None
    try:
        accepted = fast.is_valid(instance)
    except Exception:  # refcloud then asks jsonschema
        return False
    if accepted:
        errors = list(jsonschema.validators.validator_for(schema)(
            schema, format_checker=http.FORMAT_CHECKER).iter_errors(instance))
        assert not errors, f"fast path accepted {instance!r}; jsonschema: {errors[0].message}"
    return accepted


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_fast_path_accepts_nothing_jsonschema_rejects(name: str) -> None:
    """Random JSON from the schema's own names and tricky values."""
    schema = SCHEMAS[name]
    loose = _loose(schema)

    @settings(max_examples=100, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(loose)
    def check(instance: Any) -> None:
        _check(schema, instance)

    check()


def test_fast_path_on_recorded_bodies_with_one_value_swapped() -> None:
    """Real Placement's request bodies, each valid one with every single value swapped."""
    bodies = _recorded_bodies()
    assert len(bodies) >= 100
    pairs = 0
    for schema in SCHEMAS.values():
        python = jsonschema.validators.validator_for(schema)(
            schema, format_checker=http.FORMAT_CHECKER)
        for body in bodies:
            if not python.is_valid(body):
                continue
            pairs += 1
            assert _check(schema, body), f"fast path refused a valid body: {body!r}"
            for variant in _single_swaps(body):
                _check(schema, variant)
    assert pairs >= 50


def test_schemas_were_found() -> None:
    assert len(SCHEMAS) >= 30
    assert "inventory.PUT_INVENTORY_SCHEMA" in SCHEMAS


def test_fast_path_takes_valid_bodies_and_leaves_the_errors_to_jsonschema() -> None:
    schema = SCHEMAS["inventory.PUT_INVENTORY_SCHEMA"]
    good = {"resource_provider_generation": 0,
            "inventories": {"VCPU": {"total": 4, "reserved": 2}, "CUSTOM_X": {"total": 1}}}
    assert _check(schema, good) is True
    # Rejected by both; the 400 still has jsonschema's wording (Placement's).
    bad = {"resource_provider_generation": 0, "inventories": {"VCPU": {"total": 0}}}
    assert _check(schema, bad) is False
    with pytest.raises(jsonschema.ValidationError, match="0 is less than the minimum of 1"):
        http.validate(bad, schema)
    http.validate(good, schema)
    # A trailing newline passes Python's "$" but not the compiled one: jsonschema decides.
    newline = {"resource_provider_generation": 0, "inventories": {"VCPU\n": {"total": 1}}}
    expected = list(jsonschema.validators.validator_for(schema)(
        schema, format_checker=http.FORMAT_CHECKER).iter_errors(newline))
    if expected:
        with pytest.raises(jsonschema.ValidationError):
            http.validate(newline, schema)
    else:
        http.validate(newline, schema)
