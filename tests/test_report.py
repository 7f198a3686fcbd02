"""`cnncalc report`: one self-contained HTML page, checked as HTML, as XML and as colours.

Every bundled spec makes a page whose tags balance, whose drawing is the SVG
`draw` makes, with one table row per volume; nothing is fetched; the bytes
are the same run after run; names are escaped; every text colour reads with
a WCAG AA contrast; two pages are golden files. tests/test_browser.py opens
them in a browser.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cnncalc import bundled, engine
from cnncalc import spec as specs
from cnncalc.commands import draw as draw_command
from cnncalc.render import report_style
from cnncalc.render.columns import COLUMNS
from cnncalc.render.table import fitting_depth

ROOT = Path(__file__).parent.parent
SVG = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "br", "link", "img", "input", "hr", "wbr", "source", "col", "area", "base"}
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"}
GOLDEN = ("lenet5", "resnet18", "resnet50", "googlenet", "unet", "m5", "c3d")


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)


def _summary(name: str):
    path, shown = bundled.resolve(name)
    return engine.analyze(specs.load(path, shown))


def _page(run, *args: str) -> str:
    result = run("report", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


class Structure(HTMLParser):
    """The page's elements: tags balance; ids, table rows and SVG groups collected."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.rows: list[str] = []  # <tr id="row-…">
        self.groups: list[str] = []  # <g id="layer-…">
        self.tags: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def _seen(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
        found = dict(attrs)
        self.tags.append((tag, found, tuple(self.stack)))
        ident = found.get("id")
        if ident:
            self.ids.append(ident)
            if tag == "tr" and ident.startswith("row-"):
                self.rows.append(ident.removeprefix("row-"))
            if tag == "g" and ident.startswith("layer-"):
                self.groups.append(ident.removeprefix("layer-"))
        return found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._seen(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._seen(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        opened = self.stack.pop()
        assert opened == tag.lower(), f"<{opened}> closed by </{tag}>"


def parse(page: str) -> Structure:
    structure = Structure()
    structure.feed(page)
    structure.close()
    assert structure.stack == [], f"unclosed: {structure.stack}"
    return structure


def inline_svg(page: str) -> str:
    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    return page[start:end]


def check_page(page: str, rows: list) -> Structure:
    """Balanced HTML5, one row per volume, an SVG that is XML, nothing fetched."""
    structure = parse(page)
    assert structure.doctype.lower() == "doctype html"
    assert len(structure.ids) == len(set(structure.ids)), "an id is used twice"
    paths = [row.path.replace(".", "-") for row in rows]
    assert structure.rows == paths
    # Each row lights a volume: its own, or the one drawn for a run of alike blocks.
    assert set(structure.groups) <= set(paths)
    volumes = {attrs.get("data-volume") for tag, attrs, _ in structure.tags if tag == "tr"}
    assert volumes - {None, "input"} == {f"layer-{group}" for group in structure.groups}
    root = ET.fromstring(inline_svg(page))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    for group in root.iter(f"{SVG}g"):
        assert group.get("tabindex") == "0", group.get("id")
    for tag, attrs, within in structure.tags:
        if tag == "th" and "tbody" in within:
            assert attrs.get("scope") == "row"
        if tag == "th" and "thead" in within:
            assert attrs.get("scope") == "col"
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        assert not (tag == "script" and "src" in attrs)
    headers = [attrs for tag, attrs, within in structure.tags if tag == "th" and "thead" in within]
    assert len(headers) == 1 + len(COLUMNS)  # every column
    for address in re.findall(r"[a-z]+://[^\s\"'<>)]*", page, flags=re.IGNORECASE):
        assert address in NAMESPACES, f"the page refers to {address}"
    assert "url(" not in page and "@import" not in page
    return structure


@pytest.mark.parametrize("name", bundled.names())
def test_every_bundled_spec_reports(run, name):
    """Each bundled spec makes a page, folded as its drawing is."""
    summary = _summary(name)
    rows = list(summary.flat(fitting_depth(summary, draw_command.VOLUMES)))
    check_page(_page(run, name), rows)


@pytest.mark.parametrize("depth", ["1", "2", "all"])
def test_depth_folds_as_the_drawing_does(run, depth):
    summary = _summary("resnet18")
    rows = list(summary.flat(None if depth == "all" else int(depth)))
    page = check_page(_page(run, "resnet18", "--depth", depth), rows)
    assert page.rows  # and the explanations cover every layer, folded or not
    assert sum(1 for ident in page.ids if ident.startswith("explain-")) == 2 + len(
        list(summary.flat())
    )


def test_a_row_drawn_as_another_lights_it(run):
    """ResNet-50's layer1.1 and layer1.2 are alike bottlenecks, drawn once: the row of
    layer1.2 (5.3) and each row under it light layer1.1's (5.2) volumes."""
    page = _page(run, "resnet50", "--depth", "3")
    lights = dict(re.findall(r'<tr id="row-([0-9-]+)" data-volume="layer-([0-9-]+)"', page))
    assert lights["5-3"] == lights["5-2"] == "5-2"
    assert lights["5-3-1"] == "5-2-1" and lights["5-3-2"] == "5-2-2"
    assert lights["5-1"] == "5-1"  # the first, with its downsampling shortcut, is its own
    assert 'id="layer-5-3"' not in page


def test_the_drawing_is_draws(run):
    """The inline picture is `cnncalc draw`'s for the same spec and depth, each volume
    focusable."""
    for args in (("lenet5",), ("googlenet", "--depth", "2"), ("m5", "--layout", "chw")):
        drawn = run("draw", *args).stdout.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n')
        inline = inline_svg(_page(run, *args)).replace(' tabindex="0"', "")
        assert inline == drawn.rstrip("\n")


def test_the_page_holds_the_table_footer_and_explanations(run):
    """The lines under the text table, and every line `cnncalc explain` prints."""
    page = _page(run, "lenet5")
    table = run("table", "lenet5", "--columns", "all", "--format", "plain").stdout
    below = table[table.rindex("-+\n") + 3 :].splitlines()  # parameters, MACs, memory
    assert len(below) == 3
    for line in below:
        assert f"<li>{html.escape(line)}</li>" in page, line
    for line in run("explain", "lenet5").stdout.splitlines()[1:]:
        if line.strip():
            assert html.escape(line.strip()) in page, line
    assert "<h1>LeNet-5 (course variant)</h1>" in page
    assert "32×32×3 → softmax over 10 classes" in page


def test_the_same_bytes_every_run():
    """No date, no random id, no dependence on the hash seed."""

    def once(seed: str) -> bytes:
        return subprocess.run(
            [sys.executable, "-m", "cnncalc", "report", "googlenet"],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout

    assert once("1") == once("2")


def test_names_are_escaped(run, tmp_path):
    """Markup in a name, a description or a note is text on the page."""
    path = tmp_path / "hostile.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: '<b>&"net"</b>'
            description: '<img src=x onerror=alert(1)>'
            input: [8, 8, 3]
            layers:
              - {type: conv, filters: 4, kernel: 3, name: '<script>&"x"'}
            """
        ),
        encoding="utf-8",
    )
    page = _page(run, str(path))
    assert "<b>" not in page and "<img" not in page
    assert page.count("<script") == 1  # the page's own
    assert "&lt;script&gt;&amp;&quot;x&quot;" in page
    assert "<h1>&lt;b&gt;&amp;&quot;net&quot;&lt;/b&gt;</h1>" in page
    summary = engine.analyze(specs.load(str(path), str(path)))
    check_page(page, list(summary.flat()))


def _luminance(colour: str) -> float:
    """WCAG 2's relative luminance of #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_right():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("text", "background"),
    [(text, ground) for text, grounds in report_style.TEXT_ON.items() for ground in grounds],
)
def test_text_reads_with_aa_contrast(text, background):
    """Every text colour on every background it is drawn on: WCAG AA, 4.5:1 at least."""
    assert contrast(text, background) >= 4.5


def test_every_colour_of_the_stylesheet_is_listed():
    """No colour in the CSS escapes the contrast check: each is a text colour listed with
    its backgrounds, a background listed under one, or a rule or outline."""
    listed = set(report_style.TEXT_ON) | {g for gs in report_style.TEXT_ON.values() for g in gs}
    graphics = {report_style.RULE, report_style.FOCUS, "#dde2e7", "#8d96a0"}
    found = set(re.findall(r"#[0-9a-f]{6}\b", report_style.CSS))
    assert found <= listed | graphics
    for declaration in re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", report_style.CSS):
        assert declaration in report_style.TEXT_ON


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(run, golden, name):
    """The pages byte for byte: `pytest --overwrite -k report` rewrites them; look first."""
    golden(f"report/{name}.html", _page(run, name))


def test_output_file(run, tmp_path):
    target = tmp_path / "lenet5.html"
    result = run("report", "lenet5", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == _page(run, "lenet5", "-o", "-")


def test_output_never_replaces_the_spec(run, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [8, 8, 3]\nlayers: [conv:4,3]\n", encoding="utf-8")
    result = run("report", str(spec), "-o", str(tmp_path / "." / "net.yaml"))
    assert result.exit_code == 2
    assert "is the spec to report on; the report would overwrite it" in result.stderr
    assert spec.read_text(encoding="utf-8") == "input: [8, 8, 3]\nlayers: [conv:4,3]\n"
    missing = run("report", "lenet5", "-o", str(tmp_path / "no" / "x.html"))
    assert missing.exit_code == 2 and "cannot write the report to" in missing.stderr


@pytest.mark.parametrize(
    "args", [("specs/missing.yaml",), ("--input", "8x8x3", "conv:4,9"), (), ("lenet5", "vgg16")]
)
def test_errors_are_the_tables(run, args):
    reported, table = run("report", *args), run("table", *args)
    assert reported.exit_code == table.exit_code != 0
    assert reported.stdout == ""
    assert reported.stderr.replace("report", "table") == table.stderr


def test_layers_on_the_command_line(run):
    page = _page(run, "--input", "32x32x3", "conv:8,5", "maxpool:2", "fc:10")
    assert "<h1>A network</h1>" in page
    assert parse(page).rows == ["1", "2", "3"]


def test_the_command_does_not_import_the_renderer_until_it_runs():
    code = "import sys, cnncalc.commands.report; print('cnncalc.render.report' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
