"""Every diff report leads with the root causes: text (a few examples each, ``verbose``: all),
JSON (``causes``), Markdown and HTML (a causes table before the findings)."""

from __future__ import annotations

import json

from interopcheck import outputs
from tests.support.reports import finding, report


def _report():  # type: ignore[no-untyped-def]
    """One cause seen at 5 calls x 2 versions, one at a single call."""
    many = tuple(finding(call=f"call {i}", microversion=v) for i in range(5)
                 for v in ("1.9", "1.14"))
    return report((*many, finding("status", "status", "200", "404", microversion="1.39")))


def test_text_shows_three_examples_per_cause_and_how_many_more() -> None:
    text = outputs.render(_report(), "text")
    assert text.index("2 causes:") < text.index("problems:" if "problems:" in text else "exit")
    first = text.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
    assert first.startswith("body-shape at $.resource_providers[*].name: A sent string")
    assert "10 findings in 5 calls of 1 scenario at microversions 1.9, 1.14" in first
    assert first.count("       - providers / call ") == 3
    assert "       ... and 7 more" in first
    # one example per call first
    assert "providers / call 0: GET /resource_providers @ 1.9" in first
    assert "providers / call 2: GET /resource_providers @ 1.9" in first


def test_verbose_text_shows_every_finding() -> None:
    text = outputs.render(_report(), "text", verbose=True)
    first = text.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
    assert first.count("       - providers / call ") == 10
    assert "more" not in first


def test_json_carries_the_causes_with_examples() -> None:
    data = json.loads(outputs.render(_report(), "json"))
    (big, small) = data["causes"]
    assert (big["kind"], big["findings"], big["calls"], len(big["examples"])) == \
        ("body-shape", 10, 5, 3)
    assert (small["kind"], small["findings"]) == ("status", 1)
    assert list(data).index("causes") < list(data).index("findings")


def test_markdown_and_html_put_the_causes_before_the_findings() -> None:
    md = outputs.render(_report(), "markdown")
    assert md.index("**2 causes**") < md.index("| Scenario")
    html = outputs.render(_report(), "html")
    assert html.index('<section id="causes">') < html.index('<section id="findings">')
    assert "… and 7 more" in html


def test_every_format_renders_a_lone_surrogate_from_a_hostile_server() -> None:
    bad = finding("header-value", "x-ctl", "a", "\ud800", microversion="1.2")
    for fmt in ("text", "json", "markdown", "html", "junit"):
        assert outputs.render(report((bad,)), fmt)


def test_junit_failures_name_the_cause_of_each_finding() -> None:
    text = outputs.render(_report(), "junit")
    assert "cause 1 of 2: 10 findings in 5 calls at microversions 1.9, 1.14" in text
    assert "cause 2 of 2: 1 finding in 1 call at microversions 1.39" in text


def test_write_reports_writes_a_lone_surrogate_as_a_replacement(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = finding("header-value", "x-ctl", "a", "\ud800", microversion="1.2")
    written = outputs.write_reports(report((bad,)), None, tmp_path)
    assert len(written) == 5
    assert "?" in (tmp_path / "report.txt").read_text(encoding="utf-8")
