"""The documented, versioned JSON report: ``Report.to_dict()`` (with the root causes,
``causes``: :func:`interopcheck.causes.group_causes`, up to three example findings each).

The format is described by ``interopcheck/schemas/report.schema.json`` (``schema()``
returns it); ``schema_version`` is :data:`interopcheck.report.REPORT_SCHEMA_VERSION`.
Within one schema version fields are only ever added; any other change bumps it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from interopcheck.report import Report

__all__ = ["render", "schema"]


def render(report: Report) -> str:
    """Pretty-printed JSON (non-ASCII kept as is), ending with a newline."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of this format."""
    text = resources.files("interopcheck").joinpath("schemas/report.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
