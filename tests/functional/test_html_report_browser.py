"""The HTML report in a real browser: headless Chromium, driven over the DevTools protocol.

Debian's ``chromium`` is installed by the fixture when missing and running as root
(otherwise the test fails with one line saying how to install it). The test clicks
real checkboxes and buttons, types into the search box, and reads which findings
the page displays; it also loads filters from the URL fragment, checks that no
value from the report ran as script, and leaves two screenshots in its tmp dir
(``report.png`` from ``chromium --screenshot``, ``filtered.png`` after a filter).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from interopcheck.render import html
from tests.support import chromium as chromium_support
from tests.support.chromium import Browser, ChromiumUnavailable, Page, find_chromium, screenshot
from tests.support.reports import EVIL, sample_report

VISIBLE_KINDS = """Array.from(document.querySelectorAll('article.finding'))
  .filter(a => a.getClientRects().length > 0).map(a => a.dataset.kind)"""
SHOWN = "document.getElementById('shown').textContent"
CHECKED = """Array.from(document.querySelectorAll('input[name=kind]'))
  .filter(k => k.checked).map(k => k.value).sort()"""
ALL_KINDS = ["body-shape", "body-shape", "status", "header-value", "header-extra",
             "error-detail", "error-code"]


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return find_chromium()
    except ChromiumUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html-report") / "report.html"
    out.write_text(html.render(sample_report()), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def tab(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """One browser for the module (starting it is most of the time)."""
    try:
        with Browser(chromium, tmp_path_factory.mktemp("chromium-profile")) as browser:
            opened = browser.page()
            opened.send("Page.enable")
            opened.send("Runtime.enable")
            yield opened
            opened.close()
    except ChromiumUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def page(tab: Page, report_file: Path, request: pytest.FixtureRequest) -> Page:
    """The report, freshly loaded (a query per test forces a new document)."""
    tab.events.clear()
    tab.navigate(f"{report_file.as_uri()}?test={request.node.name}")
    return tab


def select(page: Page, element_id: str, value: str) -> None:
    """Choose an option the way the browser does: set it, then fire ``change``."""
    page.eval(f"(() => {{ const s = document.getElementById({json.dumps(element_id)});"
              f" s.value = {json.dumps(value)};"
              " s.dispatchEvent(new Event('change', {bubbles: true})); })()")


def exceptions(page: Page) -> list[str]:
    return [json.dumps(e["params"])[:300] for e in page.events
            if e.get("method") == "Runtime.exceptionThrown"]


def test_findings_are_visible_and_values_stay_text(page: Page) -> None:
    assert page.eval(VISIBLE_KINDS) == ALL_KINDS
    assert page.eval(SHOWN) == "9 of 9 findings shown"
    assert page.eval("document.title").startswith("interopcheck diff · placement")  # not "pwned"
    evil_b = page.eval("document.querySelector('article[data-kind=header-extra] .side-b pre')"
                       ".textContent")
    assert evil_b == EVIL
    assert page.eval("document.querySelectorAll('script').length") == 1
    assert page.eval("document.querySelectorAll('img').length") == 0
    side = page.eval("""(() => { const c = document.querySelector('article[data-kind=status]');
      const a = c.querySelector('.side-a').getBoundingClientRect();
      const b = c.querySelector('.side-b').getBoundingClientRect();
      return [c.querySelector('.side-a pre').textContent, c.querySelector('.side-b pre')
        .textContent, Math.round(a.top) === Math.round(b.top), a.right <= b.left]; })()""")
    assert side == ["200", "404", True, True]  # A and B side by side
    assert exceptions(page) == []


def test_kind_checkboxes_filter(page: Page, tmp_path: Path) -> None:
    page.click("#kinds-none")
    assert page.eval(VISIBLE_KINDS) == []
    assert page.eval("document.getElementById('none-shown').getClientRects().length") == 1
    page.click("input[name=kind][value=status]")
    assert page.eval(CHECKED) == ["status"]
    assert page.eval(VISIBLE_KINDS) == ["status"]
    assert page.eval(SHOWN) == "1 of 9 findings shown"
    page.click("input[name=kind][value=body-shape]")
    assert page.eval(VISIBLE_KINDS) == ["body-shape", "body-shape", "status"]
    assert page.eval(SHOWN) == "5 of 9 findings shown"  # one card holds three microversions
    assert page.eval("Array.from(document.querySelectorAll('section.scenario .count'))"
                     ".map(c => c.textContent)") == ["(3)", "(2 of 6)"]
    # emptied groups are hidden too, and the choice is kept in the URL fragment
    assert page.eval("Array.from(document.querySelectorAll('section.scenario'))"
                     ".map(s => s.getClientRects().length > 0)") == [True, True]
    assert page.eval("location.hash") == "#kind=body-shape,status"
    page.click("input[name=kind][value=status]")  # untick again
    assert page.eval(VISIBLE_KINDS) == ["body-shape", "body-shape"]
    page.eval("window.scrollTo(0, 0)")
    page.capture(tmp_path / "filtered.png")
    page.click("#f-reset")
    assert page.eval(VISIBLE_KINDS) == ALL_KINDS
    assert page.eval("location.hash") == ""
    assert exceptions(page) == []


def test_microversion_verdict_and_search_filters(page: Page) -> None:
    select(page, "f-mv", "1.10")
    assert page.eval(VISIBLE_KINDS) == ["body-shape", "body-shape"]
    assert page.eval(SHOWN) == "2 of 9 findings shown"
    select(page, "f-mv", "1.39")
    assert page.eval(VISIBLE_KINDS) == ["status", "header-value", "header-extra"]
    select(page, "f-verdict", "breaks")
    assert page.eval(VISIBLE_KINDS) == ["status", "header-value"]
    select(page, "f-mv", "")
    select(page, "f-verdict", "neither")
    assert page.eval(VISIBLE_KINDS) == ["error-detail"]
    select(page, "f-verdict", "bump")
    assert page.eval(VISIBLE_KINDS) == [k for k in ALL_KINDS if k != "error-detail"]
    select(page, "f-verdict", "")
    page.type_into("#f-text", "x-drift")
    assert page.eval(VISIBLE_KINDS) == ["header-extra"]
    assert "q=x-drift" in page.eval("location.hash")
    page.click("#f-reset")
    assert page.eval(VISIBLE_KINDS) == ALL_KINDS
    assert exceptions(page) == []


def test_filters_from_the_url_fragment(page: Page) -> None:
    here = page.eval("location.href")
    # same document: a hashchange
    page.navigate(here + "#kind=status,header-value,body-shape&verdict=breaks")
    page.wait_for("document.getElementById('shown').textContent.startsWith('6 of')")
    assert page.eval(VISIBLE_KINDS) == ["body-shape", "body-shape", "status", "header-value"]
    assert page.eval(CHECKED) == ["body-shape", "header-value", "status"]
    assert page.eval("document.getElementById('f-verdict').value") == "breaks"
    # a fresh load reads it the same way
    page.navigate(here + "&fresh#kind=error-code,error-detail&mv=1.2")
    assert page.eval(VISIBLE_KINDS) == ["error-detail"]
    assert page.eval("document.getElementById('f-mv').value") == "1.2"
    # nonsense in the fragment is ignored, not an error
    page.navigate(here + "&again#mv=9.99&verdict=%E0%A4%A&kind=nope")
    assert page.eval(VISIBLE_KINDS) == []
    assert page.eval("document.getElementById('f-mv').value") == ""
    assert exceptions(page) == []


def test_screenshot(chromium: str, report_file: Path, tmp_path: Path) -> None:
    """A full-width screenshot to look at (kept in the test's tmp dir)."""
    shot = screenshot(chromium, report_file.as_uri(), tmp_path / "report.png", tmp_path / "shot")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_without_chromium_and_not_root_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chromium_support, "_DEBIAN_BINARY", "/nonexistent/chromium")
    monkeypatch.setattr(chromium_support.os, "geteuid", lambda: 1000)
    with pytest.raises(ChromiumUnavailable) as caught:
        find_chromium()
    message = str(caught.value)
    assert "\n" not in message and "apt-get install -y chromium" in message
