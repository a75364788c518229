"""The documented, versioned JSON report: ``Report.to_dict()``.

The format is described by ``interopcheck/schemas/report.schema.json``
(``schema_version`` is :data:`interopcheck.report.REPORT_SCHEMA_VERSION`); a field
is only ever added within one schema version, and any other change bumps it.
"""

from __future__ import annotations

import json

from interopcheck.report import Report

__all__ = ["SCHEMA_RESOURCE", "render"]

#: Package resource (``importlib.resources``) holding the JSON Schema of this format.
SCHEMA_RESOURCE = ("interopcheck", "schemas/report.schema.json")


def render(report: Report) -> str:
    """Pretty-printed UTF-8 JSON (non-ASCII kept as is), ending with a newline."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
