"""Strategies and budgets for tests/test_hostile.py: hostile specs written as YAML text,
each with what cnncalc must make of it (names with markup and control characters, large
aliased parameter values, nested repeats and blocks, sizes near 10^18, YAML's number
forms), and each example run within a time and memory budget."""

from __future__ import annotations

import json
import re
import signal
import string
import time
import tracemalloc

from click.testing import Result
from hypothesis import event
from hypothesis import strategies as st

from cnncalc.limits import MAX_SIZE as LIMIT
from cnncalc.spec.expansion import MAX_LAYERS

TOO_MANY = f"expands to more than {MAX_LAYERS:,} layers"

# --- Budgets -----------------------------------------------------------------------------
# SECONDS for all of an example's runs, with tracemalloc on (it slows allocation-heavy code
# about tenfold) and maybe coverage: the slowest example seen took 0.6 s with both. MIB at
# the peak of any run, which is deterministic: each run allocates the 8 MiB a spec file's
# read asks for, and no example seen more. A blow-up takes minutes or gigabytes; a spec
# refused only once MAX_LAYERS layers are read takes 10 s and 40 MiB here.
SECONDS = 4.0
MIB = 32
HANG = 60  # a run still going then is stopped, so that the suite goes on
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's colours; any other ESC came from the spec


def assert_clean(result: Result) -> None:
    """Exit 0, 1 or 2; a message when it fails; never an exception."""
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.output.strip()


class Hung(BaseException):
    """Raised into a run past HANG seconds. Not an Exception: hypothesis would shrink it."""


class Budget:
    """One example's runs of cnncalc: each clean and within MIB, all within SECONDS."""

    def __init__(self, run) -> None:
        self.run, self.spent, self.seconds = run, [], 0.0

    def __call__(self, *args: str) -> Result:
        def hung(*_):
            raise Hung(f"{args} still running after {HANG} s (the spec is left as it is)")

        tracing = tracemalloc.is_tracing()
        if not tracing:
            tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        alarm = hasattr(signal, "setitimer")  # POSIX only
        if alarm:
            before = signal.signal(signal.SIGALRM, hung)
            signal.setitimer(signal.ITIMER_REAL, HANG)
        started = time.perf_counter()
        try:
            result = self.run(*args)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, before)
            elapsed = time.perf_counter() - started
            peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20
            if not tracing:
                tracemalloc.stop()
        self.seconds += elapsed
        self.spent.append((args[:-1], f"{elapsed:.3f} s", f"{peak:.1f} MiB"))
        event(f"{args[0]}: exit {result.exit_code}")
        assert_clean(result)
        assert self.seconds < SECONDS, f"past {SECONDS} s: {self.spent}"
        assert peak < MIB, f"past {MIB} MiB: {self.spent}"
        return result


# --- Names -------------------------------------------------------------------------------

MARKUP = ("[bold]", "[/]", "[/bold]", "[link=x]", "[link=https://e.x/?q=[1]]", "[red on blue]",
          "[@click=app.quit]", ":smile:", ":warning:", ":red_heart-emoji:", "\\[bold]", "[",
          "]", "[[x]]", "%s", "{0}", "\\")  # fmt: skip
CONTROLS = ("\x1b", "\x1b[31m", "\x1b]8;;https://x\x1b\\", "\r", "\x00", "\x07", "\x08",
            "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\u2028", "\t", "\n")  # fmt: skip
NON_ASCII = ("é", "e\u0301", "日本語", "🙂", "👩\u200d💻", "مرحبا", "Ω", "\u00a0", "\u200b",
             "\ufeff", "ﬁ", "𝔘", "\u3000", "İ")  # fmt: skip
PLAIN = string.ascii_letters + string.digits + " -_.,;:!?'\"#&*|>%@`~{}()<>/=+"  # no $
# What acts on a terminal rather than showing, as cnncalc documents it: C0 and C1 controls,
# DEL, the bidirectional marks, overrides and isolates, line and paragraph separators.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _padded(pieces: list[str], length: int, front: bool) -> str:
    pad = "n" * (length - len(text := "".join(pieces)))  # none for a length of 0
    return pad + text if front else text + pad


def _names(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    length = st.one_of(st.just(0), st.just(0), st.integers(95, 104))  # near 100, a third
    return st.builds(_padded, st.lists(pieces, min_size=1, max_size=6), length, st.booleans())


_PIECES = (
    st.sampled_from(MARKUP) | st.sampled_from(NON_ASCII) | st.text(PLAIN, min_size=1, max_size=8)
)
names = _names(_PIECES | st.sampled_from(CONTROLS))
safe_names = _names(_PIECES)


def valid_name(text: str, limit: int = 100) -> bool:
    """Whether cnncalc must take `text` as a name: once stripped, not empty, within the
    limit, and without a character that acts."""
    shown = text.strip()
    return bool(shown) and len(shown) <= limit and not UNSAFE.search(shown)


def quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back exactly as `text`."""
    escape = {"\\": "\\\\", '"': '\\"'}
    return '"' + "".join(escape.get(c) or (c if c.isprintable() else f"\\U{ord(c):08x}")
                         for c in text) + '"'  # fmt: skip


@st.composite
def named_specs(draw: st.DrawFn, hostile: bool = True) -> tuple[str, bool, tuple[str, ...]]:
    """A spec's name and description, a layer's name, a use's name and a block parameter's
    text value, which the block writes as a layer's name, whole or into text. With whether
    cnncalc must take every name, and the names then shown: spec, layer, use, inner."""
    pool = draw(st.sampled_from([names, safe_names])) if hostile else safe_names
    spec, layer, use, value = (draw(pool) for _ in range(4))
    description = draw(st.none() | pool)
    whole = draw(st.booleans())
    inner = value if whole else value + "_r"
    text = (
        f"name: {quoted(spec)}\n"
        + (f"description: {quoted(description)}\n" if description is not None else "")
        + "input: [8, 8, 3]\nblocks:\n  b:\n    params: [n]\n    layers:\n"
        + "      - {type: conv, filters: 2, kernel: 1, name: "
        + ("$n}" if whole else "'${n}_r'}")
        + f"\nlayers:\n  - {{type: conv, filters: 4, kernel: 1, name: {quoted(layer)}}}\n"
        + f"  - {{use: b, name: {quoted(use)}, n: {quoted(value)}}}\n"
    )
    valid = all(map(valid_name, (spec, layer, use, value, inner)))
    valid &= description is None or valid_name(description, 2000)
    valid &= whole or len(value) <= 100  # written into text, a value is written out whole
    return text, valid, tuple(name.strip() for name in (spec, layer, use, inner))


# --- Aliased parameter values ------------------------------------------------------------

ALIAS_LEAVES = ("1", "3", "0", "-1", "1000000000000000000", "1000000000000000001", "9" * 5000,
                "1.5", "x", "same", "true", "null", "[]", "{}", "'$w'")  # fmt: skip
# Where a block writes its parameter $w: whole, or into text; the first five take a number.
USES_OF_W = ("'conv:$w,1'", "{type: conv, filters: $w, kernel: 1}", "{repeat: $w, layers: [relu]}",
             "{type: maxpool, kernel: $w, stride: 1}", "{type: zeropad, padding: $w}",
             "'fc:${w}'", "{type: relu, name: $w}", "{type: relu, name: 'r$w'}", "{use: $w}",
             "{type: conv, filters: 2, kernel: 1, expect: {shape: $w}}",
             "{type: upsample, factor: $w}", "{type: dropout, rate: $w}")  # fmt: skip


@st.composite
def aliased_specs(draw: st.DrawFn) -> tuple[str, int, int, str | None]:
    """A block parameter's default: fanout^levels values in a few dozen characters of
    anchors and aliases; uses giving it, an alias of a level of it or a number, again and
    again; a parameter not used, a key not declared; whole and in shorthand text. With the
    values aliases expanded, at least and at most; and what a refusal under the bomb's
    limit says ("": any), or None when the spec may read."""
    fanout, levels = draw(st.integers(2, 10)), draw(st.integers(1, 7))
    leaf = draw(st.sampled_from(ALIAS_LEAVES))
    # The 5,000-digit leaf once (int() refuses past 4,300): a document of kilobytes, not 50.
    leaves = [leaf, *[leaf if len(leaf) < 50 else "1"] * (fanout - 1)]
    sizes, value = [1 + fanout], f"&a0 [{', '.join(leaves)}]"
    for n in range(1, levels):
        sizes.append(1 + fanout * sizes[-1])
        value = f"&a{n} [{value}, {', '.join([f'*a{n - 1}'] * (fanout - 1))}]"
    given = st.none() | st.integers(0, levels - 1) | st.sampled_from(["1", "2", "3"])
    uses = draw(st.lists(given, max_size=300) | st.lists(st.sampled_from(["1", "2"])))
    places = draw(st.lists(st.sampled_from(USES_OF_W[:5]), min_size=1, max_size=3))
    places += draw(st.lists(st.sampled_from(USES_OF_W), max_size=2))
    unused = draw(st.integers(0, 3)) == 0
    stray = draw(st.sampled_from(["", "", "", ", v: *a0", ", name: *a0", ", w: 4"]))
    lines = ["input: [8, 8, 4]", "blocks:", "  b:", f"    params: {{w: {value}"
             + (", u: 1}" if unused else "}"), "    layers:", *(f"      - {p}" for p in places),
             "  c:", "    layers: [relu]", "layers:", f"  - {{use: b, w: 2{stray}}}"]  # fmt: skip
    for use in uses:
        w = "" if use is None else f", w: *a{use}" if isinstance(use, int) else f", w: {use}"
        lines.append(f"  - {{use: b{w}}}")
    least = sizes[-1] + sum(sizes[use] for use in uses if isinstance(use, int))
    most = least + 10 * len(uses) + 20 * len(places) + sizes[0] + 60  # the rest, generously
    refused = "declares u but none of its layers uses $u" if unused else "" if stray else None
    if stray == ", w: 4" or leaf == "9" * 5000:  # refused first, as YAML is read
        refused = ""
    if leaf == "9" * 5000:  # refused at the first leaf, before the values are counted
        least = most = 0
    return "\n".join(lines) + "\n", least, most, refused


# --- Nested repeats and blocks -----------------------------------------------------------


SMALL = 300  # layers at most in a spec that reads: a few milliseconds
MODES = ("reads", "repeat", "doubling", "too many", "deep", "cycle")


@st.composite
def _body(draw: st.DrawFn, blocks: dict[str, int], depth: int, room: int):
    """Layers, relu only so that every shape holds, expanding to 1 to `room` layers: repeats,
    residual blocks and uses of `blocks` (name -> layers, negative when cnncalc can count
    them only as it reads them); their count; and whether cnncalc can count them first."""
    items: list = []
    total, exact = 0, True
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["relu", "mapping", "repeat", "residual", "use", "param"]))
        usable = [b for b, n in blocks.items() if 0 < abs(n) <= room - total]
        if kind in ("repeat", "residual", "param") and depth > 0 and room - total > 4:
            inner, n, known = draw(_body(blocks, depth - 1, (room - total - 2) // 4))
            exact &= known and kind != "param"
            times = draw(st.integers(1, 4))
            if kind == "residual":
                item, n = {"residual": inner}, 1 + n
            elif kind == "repeat":
                item, n = {"repeat": times, "layers": inner}, 1 + times * n
            else:  # a repeat whose count is a parameter: the block p<k>, used once, with n
                blocks[name := f"p{len(blocks)}"] = 0
                item, n = {"use": name, "n": times, "_layers": inner}, 2 + times * n
        elif kind == "use" and usable:
            item = {"use": (name := draw(st.sampled_from(usable)))}
            n, exact = abs(blocks[name]), exact and blocks[name] > 0
        else:
            item, n = ("relu" if kind != "mapping" else {"type": "relu"}), 1
        items.append(item)
        total += n
    return items, total, exact


@st.composite
def expansions(draw: st.DrawFn, modes: tuple[str, ...] = MODES) -> tuple[str, int, str | None]:
    """Named blocks using the ones before, repeats and residual blocks nested at random
    depth and counts: small enough to read in a blink, or made to pass MAX_LAYERS, a
    repeat's 10,000 or 50 levels of blocks, or to use itself. With the layers it expands
    to, each block's row counted, and what the refusal says.

    MAX_LAYERS is passed in one use or repeat, which cnncalc counts before reading. Uses
    side by side and a repeat whose count is $n were counted only as they were read; they
    are now refused early too (tests/test_refusals.py), but not generated here yet."""
    blocks: dict[str, int] = {}
    defined: dict[str, dict] = {}

    def define(items: list) -> list:
        """The layers as written: each repeat of $n a block of its own."""
        out = []
        for item in items:
            if isinstance(item, dict) and "_layers" in item:
                body = {"repeat": "$n", "layers": define(item["_layers"])}
                defined[item["use"]] = {"params": ["n"], "layers": [body]}
                item = {"use": item["use"], "n": item["n"]}
            elif isinstance(item, dict) and ("repeat" in item or "residual" in item):
                key = "layers" if "repeat" in item else "residual"
                item = {**item, key: define(item[key])}
            out.append(item)
        return out

    for number in range(draw(st.integers(0, 4))):
        items, n, exact = draw(_body(blocks, draw(st.integers(0, 3)), SMALL // 4))
        blocks[f"b{number}"] = (1 + n) * (1 if exact else -1)
        defined[f"b{number}"] = {"layers": define(items)}
    items, total, _ = draw(_body(blocks, draw(st.integers(0, 4)), SMALL))
    layers, refused = define(items), TOO_MANY
    mode = draw(st.sampled_from(modes))
    if mode == "repeat":  # a repeat of a use of a counted block, or of 21 relu
        name = draw(st.sampled_from([b for b, n in blocks.items() if n > 20] or [""]))
        body, inner = ([{"use": name}], blocks[name]) if name else (["relu"] * 21, 21)
        extra: object = {"repeat": draw(st.integers(MAX_LAYERS // inner + 1, 10_000)),
                         "layers": body}  # fmt: skip
    elif mode == "doubling":  # d<n> uses d<n-1> twice: 2^n layers in n lines
        levels = draw(st.integers(18, 40))
        defined["d0"] = {"layers": ["relu"]}
        for n in range(1, levels + 1):
            defined[f"d{n}"] = {"layers": [{"use": f"d{n - 1}"}] * 2}
        extra = {"use": f"d{levels}"}
    elif mode == "too many":
        extra = {"repeat": draw(st.integers(10_001, LIMIT)), "layers": ["relu"]}
        refused = "is more than the limit of 10,000"
    elif mode == "deep":  # blocks more than 50 deep, or YAML more than 120
        extra, refused = "relu", "deep"
        for _ in range(draw(st.integers(51, 70))):
            extra = {"residual": [extra]}
    elif mode == "cycle":
        defined["loop"] = {"layers": ["relu", {"use": "loop"}]}
        extra, refused = {"use": "loop"}, "block 'loop' uses itself"
    else:
        refused = None
    if refused:
        layers.insert(draw(st.integers(0, len(layers))), extra)
    document = {"input": [4, 4, 2], **({"blocks": defined} if defined else {}), "layers": layers}
    return json.dumps(document, indent=1), total, refused  # JSON is YAML too


# --- Sizes near 10^18 --------------------------------------------------------------------

big = st.integers(1, 64) | st.integers(1, LIMIT) | st.sampled_from(
    [1, 2, 3, 7, 10**6, 10**9, 10**12, 2**31, 2**32, 2**59, 2**60, LIMIT - 1, LIMIT,
     LIMIT + 1, 10**19, 2**63, 2**64])  # fmt: skip
_GROWS = ("upsample:{a}", "convtranspose:1,1,s={a}", "convtranspose:1,{a},s={a}")
_LAYERS = ("conv:{a},{b},s={c},p={d}", "conv:{a},1,d={b}", "conv:{a},{b},p=same",
           "convtranspose:{a},{b},s={c}", "convtranspose:{a},{b},s={c},output_padding=1",
           "upsample:{a}", "fc:{a}", "flatten", "zeropad:{a}", "maxpool:{a},s={b}",
           "avgpool:{a}", "adaptiveavgpool:{a}", "adaptiveavgpool:{a}x{b}", "batchnorm",
           "relu", "globalavgpool", "softmax:{a}", "dropout:0.5")  # fmt: skip


@st.composite
def _overflow_layer(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:  # a repeat of a layer that grows: refused early
        grows = draw(st.sampled_from(_GROWS)).format(a=draw(st.integers(2, 10**6)))
        return f"{{repeat: {draw(st.integers(1, 100))}, layers: ['{grows}']}}"
    template = draw(st.sampled_from(_LAYERS))
    return "'" + template.format(a=draw(big), b=draw(big), c=draw(big), d=draw(big)) + "'"


@st.composite
def overflow_specs(draw: st.DrawFn) -> str:
    """Inputs, layer sizes, strides and upsampling factors near 10^18."""
    shape = draw(st.lists(big, min_size=3, max_size=3) | st.lists(big, min_size=1, max_size=1))
    layers = draw(st.lists(_overflow_layer(), min_size=1, max_size=5))
    return f"input: {shape}\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)


# --- YAML's number forms -----------------------------------------------------------------

FORMS = {
    "plain": st.integers(-3, 128).map(str) | st.integers(0, 64).map(lambda n: f"+{n}")
    | st.sampled_from(["-0", "0.5", ".25", "5.", "0.", "1.0", "1.5e-1", "1.0e+3", "1e3", "2E-1",
                       "0e0", "0.0", "1e400", "1.0e+400", ".5e-1", "-.5"]),
    "leading zero": st.integers(0, 99).map(lambda n: f"0{n}")
    | st.sampled_from(["00", "-064", "+064", "007", "00.5", "09.5", "0" * 19 + "1"]),
    "prefixed": st.sampled_from(["0x40", "0X1F", "-0x10", "+0x1", "0x1_0", "0o17", "0O7",
                                 "0b101", "0B11", "-0b1", "0b1_0", "0x1p3"]),
    "underscore": st.sampled_from(["1_000", "1_0.5", "_1", "1__0", "1_", "0_1", "6_4"]),
    "sexagesimal": st.sampled_from(["1:30", "1:30:00", "-1:30", "1:30.5", "190:20:30.15",
                                    "0:1", "1:60", "60:59"]),
    "not finite": st.sampled_from([".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN",
                                   ".NAN", "inf", "nan", "NaN", "Infinity", "-Infinity"]),
    "not ASCII": st.sampled_from(["٣", "٦٤", "３２", "²", "①", "߃", "𝟑", "٣.٥", "3٣", "৩",
                                  "०.५", "½", "Ⅳ"]),
}  # fmt: skip
number_forms = st.one_of(*FORMS.values())
# Plain decimal, for an "int" field and a "dec" one: no leading zero, prefix, underscore,
# colon, or digit but 0-9.
PLAIN_NUMBER = {
    "int": re.compile(r"[-+]?(?:0|[1-9][0-9]*)"),
    "dec": re.compile(r"(?=.*[0-9])[-+]?(?:0|[1-9][0-9]*)?(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"),
}


# Where a number is written: the spec's layers (after `input: [200, 200, 3]`) or the whole
# spec, its kind, and where `table --format json` shows the value it was read as.
FIELDS = {
    "input": ("input: [{x}, 8, 3]\nlayers: [relu]", "int", ("input", "shape", 0)),
    "filters": ("[{{type: conv, filters: {x}, kernel: 1}}]", "int", ("layers", 0, "shape", -1)),
    "kernel": ("[{{type: conv, filters: 2, kernel: {x}}}]", "int", ("layers", 0, "kernel", 0)),
    "stride": ("[{{type: maxpool, kernel: 1, stride: {x}}}]", "int", ("layers", 0, "stride", 0)),
    "padding": ("[{{type: zeropad, padding: {x}}}]", "int", ("layers", 0, "padding", 0)),
    "units": ("[flatten, {{type: fc, units: {x}}}]", "int", ("layers", 1, "shape", 0)),
    "repeat": ("[{{repeat: {x}, layers: [relu]}}]", "int", ("layers", 0, "children", len)),
    "rate": ("[{{type: dropout, rate: {x}}}]", "dec", ()),
    "default": ("blocks: {{b: {{params: {{w: {x}}}, layers: [{{type: conv, filters: $w, kernel: 1}}]}}}}\n"
                "input: [8, 8, 3]\nlayers: [{{use: b}}]", "int", ("layers", 0, "shape", -1)),
    "given": ("blocks: {{b: {{params: [w], layers: ['conv:$w,1']}}}}\ninput: [8, 8, 3]\n"
              "layers: [{{use: b, w: {x}}}]", "int", ("layers", 0, "shape", -1)),
    "shorthand": ("['conv:{x},1']", "int", ("layers", 0, "shape", -1)),
    "shorthand rate": ("['dropout:{x}']", "dec", ()),
}  # fmt: skip


def spec_with(field: str, form: str) -> str:
    template = FIELDS[field][0].format(x=form)
    return template if "input:" in template else f"input: [200, 200, 3]\nlayers: {template}"


def read_as(document: dict, path: tuple) -> int:
    """The value at `path` in `table --format json`'s document; `len` at the end: its length."""
    for key in path:
        document = key(document) if key is len else document[key]
    return document  # type: ignore[return-value]


def layers_in(rows: list) -> int:
    """The layers in `table --format json`'s rows, each block's own row counted."""
    return sum(1 + layers_in(row.get("children", [])) for row in rows)
