"""interopcheck.render: the FORMATS registry and what every renderer promises."""

from __future__ import annotations

import pytest

from interopcheck.render import FORMATS
from interopcheck.report import Report
from tests.support.reports import EVIL, empty_report, report, sample_report

OURS = ("json", "markdown", "html", "junit")

REPORTS = {
    "sample": sample_report,
    "empty": empty_report,
    "nothing-ran": lambda: report(microversions=()),
}


def test_every_format_is_registered() -> None:
    assert {"text", *OURS} <= set(FORMATS)


@pytest.mark.parametrize("fmt", OURS)
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_renderers_are_pure_functions_of_the_report(fmt: str, name: str) -> None:
    built: Report = REPORTS[name]()
    first = FORMATS[fmt](built)
    assert isinstance(first, str) and first.endswith("\n")
    assert FORMATS[fmt](REPORTS[name]()) == first  # same report, same text: no clock, no I/O


@pytest.mark.parametrize("fmt", OURS)
def test_unicode_survives(fmt: str) -> None:
    out = FORMATS[fmt](sample_report())
    assert "CUSTOM_Ü" in out
    assert "«" in out


@pytest.mark.parametrize("fmt", ("html", "junit"))
def test_markup_formats_never_carry_a_raw_script_tag(fmt: str) -> None:
    out = FORMATS[fmt](sample_report())
    assert EVIL not in out
    assert "<script>document" not in out
    assert "<img src=x" not in out
