"""The one JUnit writer (:mod:`interopcheck.render.junit_xml`): XML-unsafe characters in a
lint spec key or a diff value cannot break the document, and write_reports writes it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from interopcheck import outputs
from interopcheck.errors import ReportError, UsageError
from tests.support.reports import finding, report
from tests.support.result_samples import sample_lint_result


def test_a_lint_spec_key_holding_a_control_character_keeps_the_xml_valid() -> None:
    result = sample_lint_result(pointer_extra="/bad\x01key\x1b[31m")
    text = outputs.render(result, "junit")
    root = ET.fromstring(text.encode("utf-8"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert any("bad\ufffdkey\ufffd[31m" in (name or "") for name in names)
    assert "\x01" not in text and "\x1b" not in text


def test_a_diff_value_holding_a_control_character_keeps_the_xml_valid() -> None:
    bad = finding("header-value", "x-vendor", "a\x00b", "c\x07d")
    text = outputs.render(report(findings=(bad,)), "junit")
    failure = ET.fromstring(text.encode("utf-8")).find(".//failure")
    assert failure is not None and "a\ufffdb" in (failure.text or "")


def test_write_reports_writes_every_format_of_each_kind(tmp_path: Path) -> None:
    written = outputs.write_reports(sample_lint_result(), None, tmp_path / "lint")
    assert [p.name for p in written] == ["lint.txt", "lint.json", "lint.sarif", "lint.xml",
                                         "lint.github.txt"]
    assert all(p.read_text(encoding="utf-8") for p in written)
    diff = outputs.write_reports(report(), ["json", "junit"], tmp_path / "diff")
    assert [p.name for p in diff] == ["report.json", "report.xml"]


def test_write_reports_into_a_path_that_cannot_be_a_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="cannot create it"):
        outputs.write_reports(report(), ["json"], blocker / "reports")


def test_an_unknown_result_or_format_is_refused() -> None:
    with pytest.raises(TypeError):
        outputs.render(object(), "text")
    with pytest.raises(UsageError, match="unknown lint format 'pdf'"):
        outputs.render(sample_lint_result(), "pdf")
