"""What each cloud sent is printed so that it is seen (issue 20): an empty header value is
``""``, not nothing (``A sent  |``); ordinary values are printed as before."""

from __future__ import annotations

from interopcheck.render._common import sent
from interopcheck.render.text import render
from tests.support.reports import finding, report


def test_an_empty_value_is_printed_as_json() -> None:
    text = render(report(findings=(finding("header-value", "header:Cache-Control", "",
                                           "no-cache"),)))
    assert 'A sent "" | B sent no-cache' in text
    assert "A sent  |" not in text


def test_values_that_hide_are_json_and_others_are_unchanged() -> None:
    assert sent("") == '""'
    assert sent(None) == "null"
    assert sent(" x") == '" x"'
    assert sent("string") == "string"
    assert sent("(absent)") == "(absent)"
