"""`cnncalc draw`: an SVG picture of a network's volumes, checked as XML and as geometry.

Every bundled spec draws as SVG 1.1 with one group per row the table would
show, and no two labels overlap; six drawings are golden files; the bytes
are the same run after run; names are escaped; sizes grow with the tensor on
every scale.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnncalc import bundled, engine, model
from cnncalc import spec as specs
from cnncalc.commands import draw as command
from cnncalc.render import draw, draw_build
from cnncalc.render.draw import RANGES, Sizer
from cnncalc.render.draw_layout import CHAR, FONT
from cnncalc.render.table import fitting_depth

ROOT = Path(__file__).parent.parent
SVG = "{http://www.w3.org/2000/svg}"
# SVG 1.1's elements (https://www.w3.org/TR/SVG11/eltindex.html), less script and
# foreignObject, which a picture has no business holding.
_NAMES = """a altGlyph altGlyphDef altGlyphItem animate animateColor animateMotion
    animateTransform circle clipPath color-profile cursor defs desc ellipse feBlend
    feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence filter font font-face
    font-face-format font-face-name font-face-src font-face-uri g glyph glyphRef hkern
    image line linearGradient marker mask metadata missing-glyph mpath path pattern
    polygon polyline radialGradient rect set stop style svg switch symbol text textPath
    title tref tspan use view vkern"""
SVG11 = set(_NAMES.split())
GOLDEN = {  # golden file: arguments
    "lenet5": ("lenet5",),
    "resnet18": ("resnet18",),
    "googlenet": ("googlenet", "--depth", "3"),  # its inception branches, open
    "m5": ("m5",),
    "c3d": ("c3d",),
    "unet": ("unet",),
    "resnet50": ("resnet50",),  # its lines, and its alike bottlenecks drawn once
    **{name: (name,) for name in bundled.names() if name not in ("googlenet",)},
}
EVERY_BLOCK = """\
    name: every block
    input: [32, 32, 3]
    layers:
      - conv:16,3,padding=1
      - {type: maxpool, kernel: 2, name: '<script>&"x"'}
      - residual: ["conv:16,3,padding=1", bn, relu]
      - residual: ["conv:32,3,stride=2,padding=1", bn]
        shortcut: ["conv:32,1,stride=2"]
      - concat: [[], ["conv:8,1", relu], ["avgpool:3,stride=1,padding=1"]]
      - multiply: [globalavgpool, "conv:72,1", sigmoid]
      - split: [[], ["conv:24,3,padding=1"]]
      - side: [globalavgpool, "fc:10"]
      - repeat: 2
        layers: ["conv:48,3,padding=1", relu]
      - globalavgpool
      - fc:10
"""


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)


def _summary(name: str):
    path, shown = bundled.resolve(name)
    return engine.analyze(specs.load(path, shown))


def _drawn(run, *args: str) -> str:
    result = run("draw", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def _groups(root: ET.Element) -> dict[str, ET.Element]:
    """Each row's group by its id."""
    return {
        g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("layer-")
    }


def _boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """Each label's estimated box: its text, and left, top, right, bottom."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        content = text.text or ""
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        half = len(content) * 0.6 * FONT / 2
        boxes.append((content, x - half, y - FONT, x + half, y + 0.25 * FONT))
    return boxes


def check_drawing(text: str, rows: list) -> None:
    """SVG 1.1, one group per row, a title for each, and labels inside and apart."""
    root = _parse(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("version") == "1.1"
    width, height = int(root.get("width", "")), int(root.get("height", ""))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert [child.tag for child in root[:2]] == [f"{SVG}title", f"{SVG}desc"]
    assert {element.tag.removeprefix(SVG) for element in root.iter()} <= SVG11
    groups = _groups(root)
    ids = {_id(row.path): row for row in rows}
    assert set(groups) <= set(ids)
    assert sum(1 for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("layer-")) == len(
        groups
    )
    for ident, row in ids.items():
        if ident in groups:
            title = groups[ident][0]
            assert title.tag == f"{SVG}title" and (title.text or "").startswith(row.name)
        else:
            _check_drawn_once(row, ids, groups)
    boxes = _boxes(root)
    for content, left, top, right, bottom in boxes:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, content
    for one, other in itertools.combinations(boxes, 2):
        apart = one[3] <= other[1] or other[3] <= one[1] or one[4] <= other[2] or other[4] <= one[2]
        assert apart, f"labels {one[0]!r} and {other[0]!r} overlap"


def _id(path: str) -> str:
    return "layer-" + path.replace(".", "-")


def _check_drawn_once(row, ids: dict, groups: dict) -> None:
    """A row with no group of its own is, or is under, a block drawn as the first of a
    run of blocks alike: a sibling before it, drawn, marked with their number, and of the
    same shape and figures."""
    block = row  # the outermost block not drawn that holds it
    while "." in block.path and _id(block.path.rpartition(".")[0]) not in groups:
        block = ids[_id(block.path.rpartition(".")[0])]
    parent, _, index = block.path.rpartition(".")
    before = [f"{parent}.{i}" if parent else str(i) for i in range(int(index) - 1, 0, -1)]
    first = next((ids[_id(path)] for path in before if _id(path) in groups), None)
    assert first is not None, f"{row.path} is not drawn, and no block before it stands for it"
    title = groups[_id(first.path)][0].text or ""
    assert re.search(r": \d+ alike blocks, each ", title), title
    assert (block.shape, block.params, block.macs, type(block.layer)) == (
        first.shape,
        first.params,
        first.macs,
        type(first.layer),
    )


@pytest.mark.parametrize("name", bundled.names())
def test_every_bundled_spec_draws(run, name):
    """Each bundled spec draws, folded as a table of 60 rows would be, labels apart."""
    summary = _summary(name)
    rows = list(summary.flat(fitting_depth(summary, command.VOLUMES)))
    check_drawing(_drawn(run, name, "--label", "name,shape,params"), rows)


@pytest.mark.parametrize(
    "spec", ["tests/data/zoo.yaml", "examples/modern-blocks.yaml", "examples/tiny-resnet.yaml"]
)
@pytest.mark.parametrize("depth", ["1", "2", "all"])
def test_every_block_and_layer_draws(run, spec, depth):
    """Every layer type and block form, at each depth, with every label."""
    summary = engine.analyze(specs.load(spec, spec))
    rows = list(summary.flat(None if depth == "all" else int(depth)))
    check_drawing(_drawn(run, spec, "--depth", depth, "--label", "params,name,shape"), rows)


def test_every_block_type_has_a_drawing():
    """A block type without a drawing fails here, not with a wrong picture."""
    assert set(draw_build.BLOCK_DRAWINGS) == set(model.BLOCK_TYPES)


def test_the_command_offers_what_the_renderer_draws():
    """The command keeps its choices without importing the renderer: they must agree."""
    assert command.SCALES == draw.SCALE_NAMES and set(draw.SCALE_NAMES) == set(draw.SCALES)
    assert command.LABELS == draw.LABELS
    assert command.VOLUMES == draw.VOLUMES
    assert command.WIDTH == draw.WIDTH
    assert (command.REPEATS[0] == "once") is draw.DEFAULT.once  # the defaults agree


def test_each_block_kind_is_drawn_its_way(run, tmp_path):
    """A skip arc and a ⊕, a shortcut lane, branches, a × and a side head."""
    path = tmp_path / "blocks.yaml"
    path.write_text(textwrap.dedent(EVERY_BLOCK), encoding="utf-8")
    text = _drawn(run, str(path), "--depth", "all", "--label", "name")
    summary = engine.analyze(specs.load(str(path), str(path)))
    check_drawing(text, list(summary.flat()))
    groups = _groups(_parse(text))
    skips = {g: sum(1 for p in groups[g].iter(f"{SVG}path") if p.get("class") == "skip")
             for g in ("layer-3", "layer-4")}  # fmt: skip
    assert skips == {"layer-3": 1, "layer-4": 0}  # the shortcut is a lane, not an arc
    joins = [c for c in _parse(text).iter(f"{SVG}circle") if c.get("class") == "join"]
    assert len(joins) == 3  # two sums and a product
    # Concat and split end in their output volume; a side head ends where it ends.
    for block in ("layer-5", "layer-7"):
        assert any(r.get("class") == "f block" for r in groups[block].findall(f"{SVG}rect"))
    assert not any(r.get("class") == "f block" for r in groups["layer-8"].iter(f"{SVG}rect"))


def test_a_folded_residual_keeps_its_skip(run):
    """ResNet-18 folded to its blocks still shows each block's skip, as an arc."""
    root = _parse(_drawn(run, "resnet18", "--depth", "3", "--repeats", "each"))
    skips = [p for p in root.iter(f"{SVG}path") if p.get("class") == "skip"]
    assert len(skips) == 8  # two basic blocks in each of four stages


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden(run, golden, name):
    """The drawings byte for byte: `pytest --overwrite` rewrites them; look before keeping."""
    golden(f"draw/{name}.svg", _drawn(run, *GOLDEN[name]))


def test_the_same_bytes_every_run():
    """No date, no random id, no dependence on the hash seed."""

    def once(seed: str) -> bytes:
        return subprocess.run(
            [sys.executable, "-m", "cnncalc", "draw", "googlenet", "--depth", "3"],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout

    assert once("1") == once("2")


def test_names_are_escaped(run, tmp_path):
    """A name holding markup is text in the picture, in its title and its label."""
    path = tmp_path / "hostile.yaml"
    hostile = '<script>&"x"'
    path.write_text(
        textwrap.dedent(
            """\
            name: '<b>&"net"</b>'
            input: [8, 8, 3]
            layers:
              - {type: conv, filters: 4, kernel: 3, name: '<script>&"x"'}
            """
        ),
        encoding="utf-8",
    )
    text = _drawn(run, str(path), "--label", "name")
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;&amp;&quot;x&quot;" in text
    root = _parse(text)
    assert root[0].text == '<b>&"net"</b>'
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Input", hostile]
    assert (_groups(root)["layer-1"][0].text or "").startswith(hostile)


def _front(group: ET.Element) -> tuple[float, float]:
    """A row's front face: its height and its thickness."""
    rect = next(r for r in group.findall(f"{SVG}rect") if r.get("class", "").startswith("f "))
    return float(rect.get("height", "")), float(rect.get("width", ""))


@pytest.mark.parametrize("scale", command.SCALES)
@pytest.mark.parametrize("spec", ["vgg16", "m5", "c3d", "unet"])
def test_a_bigger_tensor_never_draws_smaller(run, spec, scale):
    """On each scale: a taller tensor is drawn at least as tall, more channels as thick."""
    summary = _summary(spec)
    groups = _groups(_parse(_drawn(run, spec, "--scale", scale, "--depth", "all")))
    drawn = [
        (row.shape, *_front(groups["layer-" + row.path.replace(".", "-")]))
        for row in summary.flat()
        if not row.branches and len(row.shape) > 1
    ]
    for (shape, height, thick), (other, other_height, other_thick) in itertools.permutations(
        drawn, 2
    ):
        if shape[-3 if len(shape) > 2 else 0] > other[-3 if len(other) > 2 else 0]:
            assert height >= other_height, (shape, other)
        if shape[-1] > other[-1]:
            assert thick >= other_thick, (shape, other)


def test_the_scales_differ_and_keep_everything_visible():
    """224 and 7, 3 and 2,048 channels: all visible on every scale, and linear is the most
    unequal, log the least."""
    shapes = [(224, 224, 3), (7, 7, 2048)]
    ratios = {}
    for scale in command.SCALES:
        sizer = Sizer(scale, shapes)
        big, small = sizer.solid(shapes[0]), sizer.solid(shapes[1])
        assert small.height >= RANGES["space"][0] and big.thick >= RANGES["channels"][0]
        assert big.height == RANGES["space"][1] and small.thick == RANGES["channels"][1]
        ratios[scale] = small.height / big.height
    assert ratios["linear"] < ratios["sqrt"] < ratios["log"]


def test_labels_show_what_is_asked(run):
    """Default: the shape; --label adds the name and parameters, always in that order."""
    shapes = [t.text for t in _parse(_drawn(run, "lenet5")).iter(f"{SVG}text")]
    assert shapes[:3] == ["(32, 32, 3)", "(28, 28, 8)", "(14, 14, 8)"]
    every = [t.text for t in _parse(_drawn(run, "lenet5", "--label", "params,name,shape")).iter(
        f"{SVG}text"
    )]  # fmt: skip
    assert every[3:6] == ["CONV1", "(28, 28, 8)", "608 params"]
    chw = [t.text for t in _parse(_drawn(run, "lenet5", "--layout", "chw")).iter(f"{SVG}text")]
    assert chw[1] == "(8, 28, 28)"


def test_an_unknown_label_is_a_usage_error(run):
    result = run("draw", "lenet5", "--label", "shape,nmae")
    assert result.exit_code == 2
    assert "unknown label 'nmae'; did you mean 'name'?" in result.stderr


def test_output_file(run, tmp_path):
    """-o writes the drawing and nothing to standard output; - is standard output."""
    target = tmp_path / "lenet5.svg"
    result = run("draw", "lenet5", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == _drawn(run, "lenet5", "-o", "-")


def test_output_never_replaces_the_spec(run, tmp_path, monkeypatch):
    """-o naming the spec it draws is a usage error, and the spec stays as it was."""
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [8, 8, 3]\nlayers: [conv:4,3]\n", encoding="utf-8")
    for given in (str(spec), str(tmp_path / "." / "net.yaml")):
        result = run("draw", str(spec), "-o", given)
        assert result.exit_code == 2
        assert "is the spec to draw; the drawing would overwrite it" in result.stderr
    assert spec.read_text(encoding="utf-8") == "input: [8, 8, 3]\nlayers: [conv:4,3]\n"
    # A bundled spec named by its name: the file it names is refused too.
    monkeypatch.setattr(bundled, "directory", lambda: str(tmp_path))
    monkeypatch.chdir(tmp_path / "..")
    assert run("draw", "net", "-o", str(spec)).exit_code == 2
    missing = run("draw", "lenet5", "-o", str(tmp_path / "no" / "x.svg"))
    assert missing.exit_code == 2 and "cannot write the drawing to" in missing.stderr


def test_depth_folds_as_the_table_does(run):
    """--depth N draws the rows the table shows at N; all draws every row."""
    summary = _summary("resnet18")
    for depth, expected in (("1", 1), ("2", 2), ("all", None)):
        drawn = _drawn(run, "resnet18", "--depth", depth, "--repeats", "each")
        assert len(_groups(_parse(drawn))) == sum(1 for _ in summary.flat(expected))
    default = _groups(_parse(_drawn(run, "resnet18", "--repeats", "each")))
    assert len(default) == sum(1 for _ in summary.flat(fitting_depth(summary, 60)))


@pytest.mark.parametrize(
    "args",
    [
        ("specs/missing.yaml",),
        ("--input", "8x8x3", "conv:4,9"),
        ("--input", "8x8x3", "frobnicate:2"),
        (),
        ("lenet5", "vgg16"),
        ("--input", "8x8x3"),
    ],
)
def test_errors_are_the_tables(run, args):
    """A bad spec or bad usage: the table's message and exit code, word for word."""
    drawn, table = run("draw", *args), run("table", *args)
    assert drawn.exit_code == table.exit_code != 0
    assert (
        drawn.stderr.replace("cnncalc draw", "cnncalc table").replace("cli draw", "cli table")
        == table.stderr
    )
    assert drawn.stdout == ""


def test_one_dimensional_strips_and_three_dimensional_frames(run):
    """A 1-D signal is a flat strip (no receding faces); a 3-D volume shows its frames."""
    m5 = _parse(_drawn(run, "m5"))
    conv1 = _groups(m5)["layer-1"]
    assert not [p for p in conv1.findall(f"{SVG}polygon") if "conv" in p.get("class", "")]
    c3d = _parse(_drawn(run, "c3d"))
    assert any(p.get("class") == "slice" for p in _groups(c3d)["layer-1"].iter(f"{SVG}path"))


def test_a_vector_is_a_thin_bar(run):
    """LeNet's FC3 is a bar as wide as every vector, taller than FC4's."""
    groups = _groups(_parse(_drawn(run, "lenet5")))
    fc3, fc4 = _front(groups["layer-5"]), _front(groups["layer-6"])
    assert fc3[1] == fc4[1] == 8 and fc3[0] > fc4[0]


def test_label_widths_match_the_estimate():
    """The layout and the overlap check above estimate text alike."""
    assert pytest.approx(0.6 * FONT) == CHAR


def test_the_command_does_not_import_the_renderer_until_it_runs():
    """Startup: `cnncalc draw --help` and the other commands pay nothing for drawing."""
    code = "import sys, cnncalc.commands.draw; print('cnncalc.render.draw' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_alike_blocks_are_drawn_once(run):
    """ResNet-50's stages hold 3, 4, 6 and 3 bottlenecks, the first of each with its
    downsampling shortcut: the others, alike, are drawn once, marked ×2, ×3, ×5, ×2."""
    root = _parse(_drawn(run, "resnet50", "--depth", "2"))
    marks = [t.text for t in root.iter(f"{SVG}text") if (t.text or "").startswith("×")]
    assert marks == ["×2", "×3", "×5", "×2"]
    titles = [g[0].text or "" for g in _groups(root).values() if "alike" in (g[0].text or "")]
    assert titles[0].startswith("layer1.1 (width=64, out=256) to layer1.2 (width=64, out=256)")
    assert ": 2 alike blocks, each (56, 56, 256), 70,400 parameters" in titles[0]
    # 64·256 + 64·64·9 + 64·256 weights, three batch norms of 2·64, 2·64 and 2·256
    assert 64 * 256 + 64 * 64 * 9 + 64 * 256 + 2 * 64 + 2 * 64 + 2 * 256 == 70_400
    each = _parse(_drawn(run, "resnet50", "--depth", "2", "--repeats", "each"))
    assert not [t for t in each.iter(f"{SVG}text") if (t.text or "").startswith("×")]
    assert len(_groups(each)) == 10 + sum((3, 4, 6, 3))  # 10 rows at the top, 16 under


def _size(text: str) -> tuple[int, int]:
    root = _parse(text)
    return int(root.get("width", "")), int(root.get("height", ""))


@pytest.mark.parametrize("name", bundled.names())
def test_lines_fit_the_width(run, name):
    """Past --width the volumes go on in lines under; 0 keeps one line."""
    width, height = _size(_drawn(run, name))
    assert width <= 1200
    narrow, _ = _size(_drawn(run, name, "--width", "900"))
    wide, low = _size(_drawn(run, name, "--width", "0"))
    assert narrow <= max(900, wide) and low <= height
    if wide > 1200:  # the lines are one under another: the drawing is taller
        assert height > low


def test_saved_tensors_reach_their_joins(run):
    """U-Net's four copies: each an arc from the wire after its level to the wire before
    the join, named, the longer ones over the shorter ones."""
    root = _parse(_drawn(run, "unet", "--width", "0"))
    arcs = [p.get("d", "") for p in root.iter(f"{SVG}path") if p.get("class") == "saved"]
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "n"]
    assert names == ["e4", "e3", "e2", "e1"]  # shortest first: each is stacked on those
    assert len(arcs) == 4
    assert sum(1 for c in root.iter(f"{SVG}circle") if c.get("class") == "tap") == 4
    assert sum(1 for c in root.iter(f"{SVG}polygon") if c.get("class") == "tip") == 4
    heights = [float(d.split(" V ")[1].split()[0]) for d in arcs]
    assert heights == sorted(heights, reverse=True)  # e1 highest: it spans the others
    groups = _groups(root)
    starts = [float(d.split()[1]) for d in arcs]
    # e4 rises after layer 4 (the fourth level) and lands before layer 6 (its join's block)
    first = next(groups["layer-6"].iter(f"{SVG}rect"))
    assert starts[0] < float(first.get("x", ""))
    # Wrapped, an arc leaves its line and is named again where it goes on.
    wrapped = _parse(_drawn(run, "unet"))
    named = [t.text for t in wrapped.iter(f"{SVG}text") if t.get("class") == "n"]
    assert sorted(set(named)) == ["e1", "e2", "e3", "e4"] and len(named) > 4
    assert sum(1 for c in wrapped.iter(f"{SVG}polygon") if c.get("class") == "tip") == 4


def test_each_sliding_layer_has_its_window(run):
    """U-Net, every row drawn: a window box for each of its 9 · 2 3×3 convs and its 1×1,
    its 4 max pools and its 4 up-convolutions; none for a ReLU, a concat or a crop."""
    root = _parse(_drawn(run, "unet", "--depth", "all", "--width", "0"))
    windows = {
        ident: sum(1 for r in g.findall(f"{SVG}rect") if r.get("class") == "f k")
        for ident, g in _groups(root).items()
    }
    assert sum(windows.values()) == 9 * 2 + 1 + 4 + 4
    titles = {ident: g[0].text or "" for ident, g in _groups(root).items()}
    for ident, count in windows.items():
        sliding = titles[ident].startswith(("CONV", "POOL", "DECONV"))
        assert count == (1 if sliding else 0), titles[ident]
