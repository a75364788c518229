"""interopcheck.render.html: one self-contained, escaped, filterable HTML page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from interopcheck.render import html
from interopcheck.render._common import DASH
from tests.support.reports import EVIL, LONG, call, empty_report, finding, report, sample_report

VOID = {"meta", "input", "br", "img", "link", "hr", "col", "source", "wbr"}


class Page(HTMLParser):
    """Collects tags, checks nesting, and the attributes that could load anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert not page.errors, page.errors[:5]
    assert page.stack == [], page.stack
    return page


@pytest.fixture(scope="module")
def sample() -> str:
    return html.render(sample_report())


def test_well_formed_and_self_contained(sample: str) -> None:
    page = parse(sample)
    assert sample.startswith("<!doctype html>\n")
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#f-"), (tag, attrs)
    assert len(page.find("script")) == 1 and len(page.find("style")) == 1
    assert "@import" not in sample and "url(" not in sample
    csp = page.find("meta", http_equiv="Content-Security-Policy")
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_every_value_is_escaped(sample: str) -> None:
    page = parse(sample)
    assert "<script>document" not in sample and "<img src=x" not in sample
    assert html.e(EVIL) in sample
    assert EVIL in "".join(page.text)  # and shown as text
    evil = report((finding(scenario=EVIL, call=EVIL, url=EVIL, kind=EVIL, path=EVIL,
                           microversion=EVIL, a=EVIL, b=EVIL, note=EVIL),),
                  tool=EVIL, profile=EVIL, service_type=EVIL)
    out = html.render(evil)
    parse(out)
    assert out.count("<script>") == 1  # only the page's own
    assert "onerror=alert(1)>" not in out


def test_header_has_clouds_versions_and_counts(sample: str) -> None:
    text = " ".join(" ".join(parse(sample).text).split())
    assert "refcloud-a" in text and "http://127.0.0.1:8801" in text
    assert "refcloud-b (drift: missing-field)" in text
    assert f"microversions 1.0{DASH}1.39" in text
    assert f"microversions compared: 1.0, 1.2, 1.9{DASH}1.10, 1.14, 1.39" in text
    for phrase in ("9 findings", "7 break existing clients", "8 need a version bump",
                   "9 calls compared", "2 problems", "1 baselined"):
        assert phrase in text, phrase


def test_cards_and_filters(sample: str) -> None:
    page = parse(sample)
    cards = [a for t, a in page.tags if t == "article"]
    # nine findings; the one at 1.9, 1.10 and 1.14 is one card
    assert len(cards) == 7
    assert cards[0]["data-mvs"] == "1.9 1.10 1.14"
    assert sum(len((c["data-mvs"] or "").split()) for c in cards) == 9
    assert {c["data-kind"] for c in cards} == {"body-shape", "status", "header-value",
                                               "header-extra", "error-code", "error-detail"}
    assert [c["data-breaks"] for c in cards].count("1") == 5
    kinds = page.find("input", type="checkbox", name="kind")
    assert sorted(k["value"] or "" for k in kinds) == sorted({c["data-kind"] or "" for c in cards})
    assert all("checked" in k for k in kinds)
    options = [a["value"] for t, a in page.tags if t == "option"]
    assert options[:6] == ["", "1.2", "1.9", "1.10", "1.14", "1.39"]  # microversions, sorted
    assert {"breaks", "bump", "neither"} <= set(options)


def test_side_by_side_values(sample: str) -> None:
    status = re.search(r'<article[^>]*data-kind="status".*?</article>', sample)
    assert status is not None
    card = status.group(0)
    assert '<div class="side side-a">' in card and '<div class="side side-b">' in card
    assert "<pre>200</pre>" in card and "<pre>404</pre>" in card
    assert "GET /traits" in card and "INTEROP003" in card and "status" in card
    assert '<span class="absent">(absent)</span>' in sample
    assert html.e('"name": "CUSTOM_TRAIT_0119"') in sample  # long JSON value, pretty-printed
    assert LONG not in sample


def test_problems_calls_baseline_noise(sample: str) -> None:
    for anchor in ('id="problems"', 'id="calls"', 'id="baselined"', 'id="noise"'):
        assert anchor in sample
    assert "&lt;title&gt;502 Bad Gateway&lt;/title&gt;" in sample
    assert '<a href="#f-1">1</a>' in sample  # a call links to its finding


def test_empty_report() -> None:
    out = html.render(empty_report())
    page = parse(out)
    assert "No differences" in out
    assert "The two clouds answered every call with the same structure." in out
    assert not page.find("article") and not page.find("nav")


def test_unicode_and_nothing_ran() -> None:
    out = html.render(report((finding(url="/traits/CUSTOM_Ü", a="«ü» ✓ 中文"),), (call(),)))
    parse(out)
    assert "«ü» ✓ 中文" in out and '<meta charset="utf-8">' in out
    parse(html.render(report(microversions=())))
