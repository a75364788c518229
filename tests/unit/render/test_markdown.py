"""interopcheck.render.markdown: a PR comment (GitHub-flavoured Markdown)."""

from __future__ import annotations

import re

import pytest

from interopcheck.render import markdown
from interopcheck.render._common import DASH
from interopcheck.report import Problem
from tests.support.reports import call, empty_report, finding, report, sample_report


def table_rows(text: str) -> list[str]:
    """The rows of the findings table (after the causes table)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Scenario"))
    return [line for line in lines[start + 1:] if line.startswith("| ")]


def cause_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\| \d+ \| ", line)]


def cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def outside_code(text: str) -> str:
    return re.sub(r"(`+).*?\1", "", text)


def test_summary_line_has_counts_and_both_verdicts() -> None:
    out = markdown.render(sample_report())
    head = out.splitlines()[0]
    assert head == "### interopcheck diff · placement: ❌ 9 findings"
    assert ("**9 findings**: **7** break existing clients, **8** need a version bump · 9 calls"
            " at 6 microversions") in out
    assert "**2 problems**" in out
    assert f"`refcloud-a` http://127.0.0.1:8801 (microversions 1.0{DASH}1.39)" in out


def test_table_has_the_columns_and_merges_microversions() -> None:
    out = markdown.render(sample_report())
    assert ("| Scenario | Call | Microversion | Kind | Path | A | B | Breaks clients? | "
            "Needs bump? |") in out
    rows = table_rows(out)
    assert len(rows) == 7  # nine findings, three of them the same at 1.9, 1.10 and 1.14
    first = cells(rows[0])
    assert len(first) == 9
    assert first == ["providers", "list providers `GET /resource_providers`", f"1.9{DASH}1.14",
                     "`body-shape`", "`$.resource_providers[*].name`", "`string`", "`(absent)`",
                     "**yes**", "**yes**"]
    assert all(len(cells(r)) == 9 for r in rows)  # no value broke the table


def test_values_are_escaped_for_tables_and_html() -> None:
    out = markdown.render(sample_report())
    row = next(r for r in table_rows(out) if "x-drift" in r)
    assert cells(row)[6].startswith("`<script>document.title=")  # literal inside a code span
    assert "\\|" in cells(row)[6] or "…" in cells(row)[6]
    rest = outside_code(out)
    assert "<script" not in rest and "<title>" not in rest
    assert "&lt;title&gt;502 Bad Gateway&lt;/title&gt;" in out  # problem text, outside code


def test_backticks_and_pipes_in_values() -> None:
    f = finding("header-value", "x-weird", "a`b|c", "``", microversion="1.2")
    row = table_rows(markdown.render(report((f,))))[0]
    assert cells(row)[5] == "``a`b\\|c``"
    assert cells(row)[6] == "``` `` ```"


def test_empty_report_says_so() -> None:
    out = markdown.render(empty_report())
    assert out.startswith("### interopcheck diff · placement: ✅ no differences")
    assert "| Scenario" not in out and "<details>" not in out
    assert "exit code 0" in out


def test_failed_run() -> None:
    problem = Problem("cloud-b", "discovery / GET /", "connection refused", "is it up?")
    out = markdown.render(report(problems=(problem,)))
    assert "⚠️ the run failed" in out.splitlines()[0]
    assert "- cloud-b: discovery / GET /: connection refused \\(is it up?\\)" in out or \
        "- cloud-b: discovery / GET /: connection refused (is it up?)" in out


def test_long_tables_fold_into_details() -> None:
    findings = tuple(finding(path=f"$.p{i}", microversion="1.14") for i in range(30))
    out = markdown.render(report(findings, (call(findings=30),)))
    assert "<details><summary>30 findings in 30 rows</summary>" in out
    assert "<details><summary>30 causes</summary>" in out  # one path each: one cause each
    assert out.count("</details>") == 2
    short = markdown.render(report(findings[:3]))
    assert "<details>" not in short


@pytest.mark.parametrize("limit", [65_536, 8_000, 3_000])
def test_stays_under_the_comment_limit(limit: int) -> None:
    big = "x" * 5000
    findings = tuple(
        finding("header-value", f"x-h{i}", big + str(i), "v" * 3000, scenario=f"s{i % 7}",
                call=f"call {i} " + "é" * 50, microversion=f"1.{i % 40}")
        for i in range(3000))
    problems = tuple(Problem("b", f"call {i}", "timed out " * 50, "retry") for i in range(500))
    out = markdown.render(report(findings, (call(),), problems), limit=limit)
    assert len(out) <= limit
    rows = table_rows(out)
    assert 0 < len(rows) < 3000
    assert f"more rows not shown: a comment holds at most {limit:,} characters" in out
    assert "more problems not shown" in out
    assert out.rstrip().endswith("exit code 1</sub>")


def test_everything_shown_when_it_fits() -> None:
    out = markdown.render(sample_report())
    assert "not shown" not in out.replace("accepted by the baseline (not shown)", "")
    assert "1 difference accepted by the baseline (not shown)" in out
    assert "1 path ignored as noise" in out


def test_the_comment_leads_with_the_causes() -> None:
    findings = tuple(finding(microversion=v, call=c) for v in ("1.9", "1.14")
                     for c in ("list providers", "list again"))
    out = markdown.render(report(findings))
    assert out.index("**1 cause**") < out.index("| Scenario")
    (row,) = cause_rows(out)
    assert cells(row)[:6] == ["1", "`body-shape` at `$.resource_providers[*].name` (api)",
                              "`string`", "`(absent)`", "**yes**", "**yes**"]
    assert cells(row)[6] == ("4 findings in 2 calls at 1.9, 1.14: providers / list providers: "
                             "GET /resource\\_providers @ 1.9 and 3 more")
