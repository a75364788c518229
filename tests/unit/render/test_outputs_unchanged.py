"""The reports of a diff, a check and a lint, rendered through the one registry
(:mod:`interopcheck.outputs`), are byte for byte what the renderers wrote before the
result models and renderers were unified (``tests/data/report-outputs/``, recorded from
the code before that change; the inputs are built by hand with fixed timestamps).

A deliberate change of a report's output is recorded again with
``INTEROPCHECK_RECORD_OUTPUTS=1 python -m pytest tests/unit/render/test_outputs_unchanged.py``
(and the diff of ``tests/data/report-outputs/`` reviewed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from interopcheck import outputs
from tests.support.reports import empty_report
from tests.support.result_samples import (
    sample_check_result,
    sample_diff_report,
    sample_lint_result,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "report-outputs"
RECORD = bool(os.environ.get("INTEROPCHECK_RECORD_OUTPUTS"))

CASES: list[tuple[str, str, Callable[[], Any]]] = [
    *((f"diff.{fmt}", fmt, sample_diff_report) for fmt in ("text", "json", "markdown", "html",
                                                       "junit")),
    *((f"diff-empty.{fmt}", fmt, empty_report) for fmt in ("text", "json", "markdown", "html",
                                                            "junit")),
    ("check.text", "text", sample_check_result),
    ("check.json", "json", sample_check_result),
    *((f"lint.{fmt}", fmt, sample_lint_result) for fmt in ("text", "json", "sarif", "junit",
                                                           "github")),
]


@pytest.mark.parametrize(("name", "fmt", "build"), CASES, ids=[c[0] for c in CASES])
def test_output_is_unchanged(name: str, fmt: str, build: Callable[[], Any]) -> None:
    rendered = outputs.render(build(), fmt, tool_version="0.1.0")
    path = DATA / name
    if RECORD:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")
