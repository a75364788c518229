"""The HTML report's context in headless Chromium (issue 20): opening a body-shape finding's
context builds it from its template, marks the differing node in each cloud's answer,
scrolls each answer to it, and the screenshot shows the highlight there; a call sent
without a version header is labelled so; 6,000 findings load without building a context."""

from __future__ import annotations

import base64
import json
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from interopcheck.render import html
from tests.support.chromium import Browser, ChromiumUnavailable, Page, find_chromium
from tests.support.reports import finding, report

MARK_RGB = (0xFF, 0xD8, 0x4D)  # mark.diff-node's background (html_context.STYLE)


def _answer(disk: object) -> str:
    providers = [{"uuid": f"00000000-0000-0000-0000-{i:012d}", "name": f"rp-{i}",
                  "generation": i, "links": [{"rel": "self", "href": f"/rp/{i}"}]}
                 for i in range(40)]
    return json.dumps({"status": 200, "headers": {"Content-Type": "application/json"},
                       "body_format": "json",
                       "body": {"resource_providers": providers,
                                "summary": {"DISK_GB": disk, "VCPU": 8}}})


def _body_shape_report() -> str:
    request = json.dumps({"method": "GET", "url": "/resource_providers", "headers": {}})
    f = finding("body-shape", "$.summary.DISK_GB", "integer", "string", request=request,
                response_a=_answer(5), response_b=_answer("5"))
    unversioned = finding("status", "status", "200", "404", microversion="none",
                          call="root without a version header", url="/")
    return html.render(report(findings=(f, unversioned)))


@pytest.fixture(scope="module")
def tab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    try:
        binary = find_chromium()
        with Browser(binary, tmp_path_factory.mktemp("chromium-ctx")) as browser:
            opened = browser.page()
            opened.send("Page.enable")
            opened.send("Runtime.enable")
            yield opened
            opened.close()
    except ChromiumUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows (RGB or RGBA bytes) of a non-interlaced 8-bit PNG, as
    Chromium writes it (decoded here: no image library is a dependency)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def _marked_share(png: bytes, box: list[float]) -> float:
    """The share of the box's pixels in the mark's colour."""
    _width, bpp, rows = _png_pixels(png)
    x0, y0, x1, y1 = (int(v) for v in box)
    hits = total = 0
    for y in range(y0 + 1, y1 - 1):
        for x in range(x0 + 1, x1 - 1):
            px = rows[y][x * bpp:x * bpp + 3]
            total += 1
            hits += all(abs(c - m) <= 12 for c, m in zip(px, MARK_RGB, strict=True))
    return hits / max(total, 1)


def test_the_differing_node_is_marked_scrolled_to_and_seen(tab: Page, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(_body_shape_report(), encoding="utf-8")
    tab.navigate(page_file.as_uri())
    card = "article[data-kind=body-shape]"
    assert tab.eval(f"document.querySelectorAll('{card} mark').length") == 0  # not built yet
    tab.click(f"{card} details.extra summary")
    tab.wait_for(f"document.querySelectorAll('{card} pre.ctx-body mark').length === 2")
    assert tab.eval(f"document.querySelectorAll('{card} pre.ctx-body').length") == 3
    marked = tab.eval(f"""Array.from(document.querySelectorAll('{card} [data-marks] pre'))
      .map(pre => {{ const m = pre.querySelector('mark.diff-node');
        return [pre.parentElement.className, m.textContent, pre.scrollTop > 0]; }})""")
    assert marked == [["ctx-doc ctx-a", "5", True], ["ctx-doc ctx-b", '"5"', True]]
    boxes = tab.eval(f"""Array.from(document.querySelectorAll('{card} [data-marks] pre'))
      .map(pre => {{ const m = pre.querySelector('mark').getBoundingClientRect();
        const p = pre.getBoundingClientRect();
        return [m.left, m.top, m.right, m.bottom, m.top >= p.top && m.bottom <= p.bottom]; }})""")
    assert all(b[4] for b in boxes), boxes  # each mark is inside its answer's visible box
    tab.send("Emulation.setDeviceMetricsOverride", width=1440, height=900,
             deviceScaleFactor=1, mobile=False)
    time.sleep(0.2)
    boxes = tab.eval(f"""Array.from(document.querySelectorAll('{card} pre.ctx-body mark'))
      .map(m => {{ const r = m.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; }})""")
    png = base64.b64decode(tab.send("Page.captureScreenshot", format="png")["data"])
    (tmp_path / "context.png").write_bytes(png)
    for box in boxes:
        assert _marked_share(png, box) > 0.3, box  # the highlight is drawn where the node is
    tab.send("Emulation.clearDeviceMetricsOverride")


def test_a_call_without_a_version_header_is_labelled_so(tab: Page, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(_body_shape_report(), encoding="utf-8")
    tab.navigate(page_file.as_uri())
    chip = tab.eval("document.querySelector('article[data-kind=status] .badge.mv')"
                    ".textContent")
    assert chip == "no version header"
    options = tab.eval("Array.from(document.querySelectorAll('#f-mv option'))"
                       ".map(o => o.textContent)")
    assert "no version header (1)" in options


def test_six_thousand_findings_load_without_building_contexts(tab: Page,
                                                              tmp_path: Path) -> None:
    answer = _answer(5)
    many = tuple(finding("body-shape", f"$.summary.K{i % 50}", "integer", "string",
                         scenario=f"s{i // 600}", call=f"call {i % 600}",
                         microversion=f"1.{i % 39}", response_a=answer, response_b=answer)
                 for i in range(6000))
    page_file = tmp_path / "big.html"
    page_file.write_text(html.render(report(findings=many)), encoding="utf-8")
    started = time.monotonic()
    tab.send("Page.navigate", url=page_file.as_uri())
    tab.wait_for(f"location.href === {json.dumps(page_file.as_uri())}"
                 " && document.readyState === 'complete'", timeout=120)
    loaded = time.monotonic() - started
    print(f"6,000 findings: {page_file.stat().st_size / 1e6:.1f} MB loaded in {loaded:.1f} s")
    assert tab.eval("document.querySelectorAll('article.finding').length") == 6000
    assert tab.eval("document.querySelectorAll('pre.ctx-body').length") == 0  # lazy
    order = tab.eval("Array.from(document.querySelectorAll('main > section'))"
                     ".map(s => s.id).slice(0, 2)")
    assert order[0] == "causes", order  # causes first
    tab.click("article.finding details.extra summary")
    assert tab.eval("document.querySelectorAll('pre.ctx-body').length") == 2
    assert loaded < 60, loaded
