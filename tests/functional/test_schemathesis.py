"""schemathesis over every refcloud operation, in-process (WSGI), against ``openapi.yaml``.

The document spans all microversions; each run uses its view at one
microversion (``refcloud.openapi.at_version``), so request bodies are generated
for, and responses checked against, exactly that version's schemas. Checks:
no 5xx, response schema, status code, content type and response headers
conformance. The default run is small (a few examples per operation, at the
latest microversion and a few older ones, plus the stateful links); the
``schemathesis_full`` run does >= 200 examples per operation
(``pytest -m schemathesis_full tests/functional/test_schemathesis.py``).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import refcloud
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from refcloud import microversion, openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[2]
LATEST = int(microversion.MAX_VERSION.split(".")[1])
OLDER = (0, 12, 28)
OLDER_FULL = (0, 7, 12, 20, 28, 37)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
QUICK = settings(max_examples=3, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))
FULL = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def headers_at(minor: int) -> dict[str, str]:
    return {"x-auth-token": "admin", "openstack-api-version": f"placement 1.{minor}"}


def schema_at(minor: int) -> Any:
    """The schemathesis schema of the document at 1.``minor``, bound to a fresh refcloud."""
    doc = openapi.at_version(minor)
    # The version header is fixed by the run, not generated.
    for item in doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict):
                continue  # x-interopcheck-ignore
            op["parameters"] = [
                p for p in op["parameters"]
                if p.get("$ref") != "#/components/parameters/OpenStackAPIVersion"
            ]
    schema = schemathesis.openapi.from_dict(doc)
    schema.app = refcloud.make_app()
    schema.config.generation.update(modes=["positive", "negative"])
    return schema


#: examples run per (microversion, operation), reported at the end of the module
EXAMPLES: Counter[tuple[int, str]] = Counter()
FULL_RUN = any("schemathesis_full" in arg for arg in sys.argv)


@pytest.fixture(scope="module", autouse=True)
def _report_examples() -> Iterator[None]:
    yield
    if EXAMPLES:
        counts = sorted(EXAMPLES.values())
        low = [f"1.{m} {op}: {n}" for (m, op), n in sorted(EXAMPLES.items()) if n < 200]
        sys.stderr.write(
            f"\nschemathesis: {sum(counts)} examples over {len(counts)} (version, operation) "
            f"pairs; per pair min {counts[0]}, median {counts[len(counts) // 2]}, max "
            f"{counts[-1]}; {len(low)} pairs under 200"
            + "".join(f"\n  {line}" for line in low if FULL_RUN) + "\n")


def run_case(case: Any, minor: int) -> None:
    EXAMPLES[(minor, f"{case.operation.method.upper()} {case.operation.path}")] += 1
    # Credentials and version come from the run; never from generated data.
    for name in list(case.headers or {}):
        if name.lower() in ("x-auth-token", "openstack-api-version"):
            del case.headers[name]
    case.call_and_validate(headers=headers_at(minor), checks=CHECKS)


# ---- the document itself ------------------------------------------------


def test_document_is_valid_openapi_31() -> None:
    doc = openapi.load()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    for minor in (0, 12, LATEST):  # every view is checked in the schemathesis_full run
        validate(openapi.at_version(minor))


@pytest.mark.schemathesis_full
def test_every_version_view_is_valid_openapi_31() -> None:
    for minor in range(LATEST + 1):
        validate(openapi.at_version(minor))


def test_document_is_generated_from_refcloud_schemas() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "reference-impl/tools/gen_openapi.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


def test_document_covers_every_route() -> None:
    from refcloud.placement.routes import ROUTES

    paths = openapi.load()["paths"]
    for path, methods in ROUTES.items():
        if path == "":
            continue  # the empty path is the root, served as "/"
        assert path in paths, path
        assert {m.lower() for m in methods} == {
            k for k in paths[path] if not k.startswith("x-")}, path


def test_interopcheck_lint_is_clean() -> None:
    """Every finding is a deliberate departure real Placement makes (suppressed inline)."""
    from interopcheck.lint.engine import lint

    result = lint(openapi.PATH)
    assert [(v.rule, v.message) for v in result.violations
            if v.severity.value != "info"] == []


def test_version_views() -> None:
    v0 = openapi.at_version(0)
    assert "/allocation_candidates" not in v0["paths"]
    assert "/reshaper" not in v0["paths"]
    rc_put = openapi.at_version(7)["paths"]["/resource_classes/{name}"]["put"]
    assert "requestBody" not in rc_put
    assert {"201", "204"} <= set(rc_put["responses"]) and "200" not in rc_put["responses"]
    latest = openapi.at_version(LATEST)
    error_item = latest["components"]["schemas"]["ErrorResponse"]["properties"]["errors"]
    assert "code" in error_item["items"]["properties"]
    assert "code" not in openapi.at_version(22)["components"]["schemas"]["ErrorResponse"][
        "properties"]["errors"]["items"]["properties"]


# ---- stateless runs ---------------------------------------------------------

LATEST_SCHEMA = schema_at(LATEST)


@LATEST_SCHEMA.parametrize()
@QUICK
def test_latest(case: Any) -> None:
    run_case(case, LATEST)


@pytest.mark.parametrize("minor", OLDER)
def test_older_microversions(minor: int) -> None:
    schema = schema_at(minor)
    for result in schema.get_all_operations():
        operation = result.ok()

        @QUICK
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            run_case(case, minor)

        check()


@pytest.mark.schemathesis_full
@LATEST_SCHEMA.parametrize()
@FULL
def test_latest_full(case: Any) -> None:
    run_case(case, LATEST)


@pytest.mark.schemathesis_full
@pytest.mark.parametrize("minor", OLDER_FULL)
def test_older_microversions_full(minor: int) -> None:
    schema = schema_at(minor)
    for result in schema.get_all_operations():
        operation = result.ok()

        @FULL
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            run_case(case, minor)

        check()


# ---- stateful (links) -------------------------------------------------------


def _state_machine(minor: int) -> type:
    machine = schema_at(minor).as_state_machine()

    class Machine(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            # Each scenario starts from an empty refcloud: with state carried over, which
            # links succeed would depend on earlier scenarios, and hypothesis rejects that
            # (FlakyStrategyDefinition). The operations keep the app the schema had when
            # they were built, so the fresh one is passed to every call.
            self.app = refcloud.make_app()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers_at(minor), "app": self.app}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    return Machine


def test_stateful_latest() -> None:
    _state_machine(LATEST).run(settings=settings(
        max_examples=8, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))


@pytest.mark.schemathesis_full
def test_stateful_latest_full() -> None:
    _state_machine(LATEST).run(settings=settings(
        max_examples=200, stateful_step_count=10, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
