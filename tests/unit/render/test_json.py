"""interopcheck.render.json: Report.to_dict() as JSON, valid against the documented schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from interopcheck.render import json as json_report
from interopcheck.report import REPORT_SCHEMA_VERSION
from tests.support.reports import EVIL, LONG, empty_report, report, sample_report


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json_report.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("build", [sample_report, empty_report, lambda: report()])
def test_output_validates_against_the_schema(validator, build) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json_report.render(build()))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [e.message for e in errors]


def test_it_is_to_dict_with_version_and_summary() -> None:
    built = sample_report()
    data = json.loads(json_report.render(built))
    assert data == json.loads(json.dumps(built.to_dict()))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert data["summary"] == {"findings": 9, "breaks_clients": 7, "needs_version_bump": 8,
                               "calls": 9, "problems": 2, "failing": 8,
                               "exit_code": 1}
    assert data["findings"][0]["severity"] == "error"


def test_values_are_kept_verbatim() -> None:
    text = json_report.render(sample_report())
    data = json.loads(text)
    values = {f["b"] for f in data["findings"]} | {f["a"] for f in data["findings"]}
    assert EVIL in values and LONG in values
    assert "CUSTOM_Ü" in text  # not \u-escaped


def test_schema_documents_every_field(validator) -> None:  # type: ignore[no-untyped-def]
    """additionalProperties is false everywhere, so a field added to the model fails here
    until the schema documents it; and every documented field is produced."""
    schema = json_report.schema()
    data = sample_report().to_dict()
    assert set(schema["properties"]) == set(data)
    assert set(schema["$defs"]["finding"]["properties"]) == set(data["findings"][0])
    assert set(schema["$defs"]["call"]["properties"]) == set(data["calls"][0])
    assert set(schema["$defs"]["problem"]["properties"]) == set(data["problems"][0])
    assert set(schema["$defs"]["cloud"]["properties"]) == set(data["cloud_a"])
    assert set(schema["properties"]["summary"]["properties"]) == set(data["summary"])
    assert schema["properties"]["schema_version"]["const"] == REPORT_SCHEMA_VERSION


def test_schema_rejects_a_broken_report(validator) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json_report.render(sample_report()))
    data["findings"][0]["breaks_clients"] = "yes"
    del data["calls"][0]["microversion"]
    messages = " ".join(e.message for e in validator.iter_errors(data))
    assert "'yes' is not of type 'boolean'" in messages
    assert "'microversion' is a required property" in messages
