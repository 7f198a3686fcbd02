"""`cnncalc report` and `cnncalc draw` in a real browser: headless Chromium at 1280×900.

Skipped unless Playwright is installed (`pip install cnncalc[browser]`) and a
Chromium is at /usr/bin/chromium (or CNNCALC_CHROMIUM): Playwright drives
the system's browser, it downloads none. Screenshots go to the directory
CNNCALC_SCREENSHOTS names, else to pytest's tmp_path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cnncalc import bundled

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("CNNCALC_CHROMIUM", "/usr/bin/chromium")
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

SPECS = bundled.names()
WIDTH, HEIGHT = 1280, 900
LEAF = "g[id^='layer-']:not(:has(g[id^='layer-']))"

# Each label's box, and each pair of labels whose boxes overlap by more than half a pixel.
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll("svg text")].map(t => {
    const r = t.getBoundingClientRect();
    return [t.textContent, r.left, r.top, r.right, r.bottom];
  });
  const found = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    if (a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5 && a[2] < b[4] - 0.5 && b[2] < a[4] - 0.5)
      found.push([a[0], b[0]]);
  }
  return found;
}"""
# Whether the drawing's container scrolls sideways.
DRAWING_SCROLLS = """() => { const d = document.querySelector(".drawing");
  return d.scrollWidth > d.clientWidth; }"""
# Each table row whose volume is not on the page.
UNLIT = """() => [...document.querySelectorAll("tr[data-volume]")]
  .filter(r => !document.getElementById(r.dataset.volume)).map(r => r.id)"""
# Each volume whose box is empty.
EMPTY = """() => [...document.querySelectorAll("g[id^='layer-']")]
  .filter(g => { const r = g.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); })
  .map(g => g.id)"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CNNCALC_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _written(run, tmp_path: Path, command: str, name: str, suffix: str) -> Path:
    target = tmp_path / f"{name}.{suffix}"
    result = run(command, name, "-o", str(target))
    assert result.exit_code == 0, result.output
    return target


def _open(browser, url: str, script: bool = True):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=script
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


def _expected_groups(run, name: str) -> int:
    return run("draw", name).stdout.count('<g id="layer-')


@pytest.mark.parametrize("name", SPECS)
def test_report_in_a_browser(browser, run, tmp_path, shots, name):
    path = _written(run, tmp_path, "report", name, "html")
    context, page, errors = _open(browser, path.as_uri())
    try:
        groups = page.locator("g[id^='layer-']")
        assert groups.count() == _expected_groups(run, name) > 0
        assert page.evaluate(EMPTY) == []
        assert page.evaluate(OVERLAPS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        assert page.evaluate(DRAWING_SCROLLS) is False  # lines wrap: the picture fits
        assert page.evaluate(UNLIT) == []
        page.screenshot(path=str(shots / f"report-{name}.png"))
        page.screenshot(path=str(shots / f"report-{name}-full.png"), full_page=True)

        # Hovering a volume lights its row; the row's background changes.
        leaf = page.locator(LEAF).first
        ident = leaf.get_attribute("id") or ""
        row = page.locator(f"#row-{ident.removeprefix('layer-')}")
        page.mouse.move(1, 1)
        before = row.evaluate("r => getComputedStyle(r).backgroundColor")
        leaf.locator("rect, polygon").first.hover()
        after = row.evaluate("r => getComputedStyle(r).backgroundColor")
        assert before != after
        assert "lit" in (row.get_attribute("class") or "")
        # And the reverse: hovering a row lights its volume.
        page.mouse.move(1, 1)
        page.locator("#row-1 th").hover()
        assert "lit" in (page.locator("#layer-1").get_attribute("class") or "")
        # Focusing a volume with the keyboard lights its row too.
        # (Without scrolling: a page scrolled under a resting mouse lights what it is over.)
        page.evaluate("document.getElementById('layer-1').focus({preventScroll: true})")
        assert "lit" in (page.locator("#row-1").get_attribute("class") or "")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("name", ["lenet5", "resnet18"])
def test_report_without_javascript(browser, run, tmp_path, shots, name):
    """The script only lights things: without it the table and the drawing are all there."""
    path = _written(run, tmp_path, "report", name, "html")
    context, page, errors = _open(browser, path.as_uri(), script=False)
    try:
        assert page.locator("tr[id^='row-']").count() >= _expected_groups(run, name)
        assert page.locator("tr[id^='row-']").first.is_visible()
        assert page.evaluate(UNLIT) == []
        assert page.locator("g[id^='layer-']").count() == _expected_groups(run, name)
        box = page.locator("svg").first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert page.locator("details[open]").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.screenshot(path=str(shots / f"report-{name}-nojs.png"))
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("name", SPECS)
def test_drawing_in_a_browser(browser, run, tmp_path, name):
    """`cnncalc draw`'s SVG file on its own: no error, every volume on the picture."""
    path = _written(run, tmp_path, "draw", name, "svg")
    context, page, errors = _open(browser, path.as_uri())
    try:
        assert page.locator("g[id^='layer-']").count() == _expected_groups(run, name) > 0
        assert page.evaluate(EMPTY) == []
        assert page.evaluate(OVERLAPS) == []
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("name", ["resnet18", "unet"])
def test_report_on_a_phone(browser, run, tmp_path, shots, name):
    """At 390 px the page does not scroll sideways: the drawing and the table scroll in
    their own boxes, the text wraps."""
    path = _written(run, tmp_path, "report", name, "html")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for box in (".drawing", ".table"):
            assert page.locator(box).bounding_box()["width"] <= 390
        page.screenshot(path=str(shots / f"report-{name}-phone.png"))
    finally:
        context.close()


def test_report_in_print(browser, run, tmp_path, shots):
    """Printed, the drawing shrinks to the page and the table's cells wrap: nothing is cut
    at the page's right edge. The PDF is a test artefact."""
    path = _written(run, tmp_path, "report", "resnet50", "html")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        main = page.locator("main").bounding_box()
        drawing = page.locator(".drawing svg").bounding_box()
        assert main is not None and drawing is not None
        assert drawing["x"] + drawing["width"] <= main["x"] + main["width"] + 0.5
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
        (shots / "report-resnet50.pdf").write_bytes(pdf)
    finally:
        context.close()
