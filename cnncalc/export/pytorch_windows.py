"""The PyTorch code of the layers that slide a window: convolutions, transposed
convolutions and pools, with the padding PyTorch cannot do itself done beside them.

PyTorch pads both ends of an axis alike, where a spec may not: TensorFlow's
'same' puts the odd row at the end, Keras's 'causal' puts it all before, and a
spec may give (before, after) per axis. Such padding is an `nn.ZeroPad2d`
before the layer (a max pool's an `nn.ConstantPad2d` of −inf, which no max
picks, as PyTorch's own padding); a transposed convolution's asymmetric cut
is a negative one after it. An average pool whose windows no PyTorch pool
can average exactly is refused.
"""

from __future__ import annotations

from cnncalc import geometry
from cnncalc.export.pytorch_steps import (
    Context,
    Mod,
    Step,
    call,
    pad_arg,
    rank,
    ranked,
)
from cnncalc.export.rows import Item, sides_text
from cnncalc.export.source import Kw, numbers
from cnncalc.geometry import Sides, Sizes
from cnncalc.layers import Conv, ConvTranspose, Pool, group_count
from cnncalc.layers.base import per_axis, resolve_sides

EVEN = "PyTorch's {} pads both ends of an axis alike"


def _even(sides: Sides) -> tuple[Sizes, Sides]:
    """The padding a layer can do itself (the lesser side of each axis), and the rest."""
    even = tuple(min(side) for side in sides)
    return even, tuple((b - e, a - e) for (b, a), e in zip(sides, even, strict=True))


def _options(**values: Sizes | int | bool | None) -> list[Kw]:
    """Keyword arguments that differ from PyTorch's defaults (1 stride, 0 padding…)."""
    options = []
    for key, value in values.items():
        default = _DEFAULTS.get(key)
        if value is None or value == default:
            continue
        if isinstance(value, (bool, int)):
            options.append(Kw(key, str(value)))
        elif set(value) != {default}:
            options.append(Kw(key, numbers(value)))
    return options


_DEFAULTS: dict[str, int | bool] = {
    "stride": 1,
    "padding": 0,
    "output_padding": 0,
    "dilation": 1,
    "groups": 1,
    "bias": True,
    "ceil_mode": False,
}


def conv(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Conv) and row.padding is not None
    sizes, channels = row.input_shape[:-1], row.input_shape[-1]
    module = ranked("Conv", rank(item))
    even, extra = _even(row.padding)
    built = call(
        module,
        str(channels),
        str(row.shape[-1]),
        Kw("kernel_size", numbers(per_axis(layer.kernel, sizes, "kernel"))),
        *_options(
            stride=per_axis(layer.stride, sizes, "stride"),
            padding=even,
            dilation=per_axis(layer.dilation, sizes, "dilation"),
            groups=group_count(layer, channels),
            bias=layer.bias,
        ),
    )
    if not any(n for side in extra for n in side):
        return [Mod(built)]
    if layer.padding == "causal":
        why = (
            f"Keras's 'causal' padding: {row.padding[0][0]:,} zeros before the signal and none "
            f"after; {EVEN.format(module.removeprefix('nn.'))}.",
        )
    else:
        rule = "TensorFlow's 'same' padding" if layer.padding == "same" else "The spec's padding"
        why = (
            f"{rule} is {sides_text(row.padding)}; {EVEN.format(module.removeprefix('nn.'))}, "
            "so the difference is padded first.",
        )
    pad = Mod(call(ranked("ZeroPad", rank(item)), pad_arg(extra)), "_pad", why)
    return [pad, Mod(built)]


def conv_transpose(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, ConvTranspose)
    sizes, channels = row.input_shape[:-1], row.input_shape[-1]
    kernel = per_axis(layer.kernel, sizes, "kernel")
    stride = per_axis(layer.stride, sizes, "stride")
    dilation = per_axis(layer.dilation, sizes, "dilation")
    spans = tuple(geometry.span(f, d) for f, d in zip(kernel, dilation, strict=True))
    if layer.padding == "same":
        cuts = tuple(_keras_same(k, s) for k, s in zip(spans, stride, strict=True))
        extra: Sizes = (0,) * len(sizes)
    else:
        cuts = resolve_sides(layer.padding, sizes, kernel, stride)
        extra = per_axis(layer.output_padding, sizes, "output_padding")
    padding, output_padding, crops = [], [], []
    for (before, after), more in zip(cuts, extra, strict=True):
        # PyTorch keeps full[p : F − p + q] of the full output F, (n − 1)s + span; the
        # spec wants full[before : F − after + more]: p is the even part, the rest a crop.
        p = min(before, after) if after >= 0 else 0
        need = more - after + p
        padding.append(p)
        output_padding.append(max(need, 0))
        crops.append((before - p, max(-need, 0)))
    module = ranked("ConvTranspose", rank(item))
    built = call(
        module,
        str(channels),
        str(layer.filters),
        Kw("kernel_size", numbers(kernel)),
        *_options(
            stride=stride,
            padding=tuple(padding),
            output_padding=tuple(output_padding),
            groups=group_count(layer, channels),
            bias=layer.bias,
            dilation=dilation,
        ),
    )
    out = tuple(
        geometry.transposed_size(n, f, s, p, p, d, q) - sum(crop)
        for n, f, s, p, d, q, crop in zip(
            sizes, kernel, stride, padding, dilation, output_padding, crops, strict=True
        )
    )
    allowed = all(
        geometry.output_padding_allowed(q, s, d)
        for q, s, d in zip(output_padding, stride, dilation, strict=True)
    )
    if out != row.shape[:-1] or not allowed:
        raise item.refusal(
            f"no {module} gives this transposed convolution's output {row.shape[:-1]}",
            "padding",
        )
    if not any(n for side in crops for n in side):
        return [Mod(built)]
    if layer.padding == "same":
        rule = "Keras's 'same' keeps n·s of the transposed convolution's output, cutting"
    else:
        rule = "The spec's padding cuts"
    why = (
        f"{rule} {sides_text(cuts)} of it; {EVEN.format(module.removeprefix('nn.'))}, so "
        "the rest is cut here: a negative padding crops.",
    )
    return [
        Mod(built),
        Mod(call(ranked("ZeroPad", rank(item)), pad_arg(tuple(crops), -1)), "_crop", why),
    ]


def _keras_same(span: int, stride: int) -> tuple[int, int]:
    """What Keras's 'same' transposed convolution cuts from each end of the full output
    (negative: adds), so that n inputs give n·s: its JAX padding, as Keras's own
    compute_conv_transpose_output_crops_for_torch works it out."""
    total = stride + span - 2
    left = min(total // 2 + total % 2, span - 1)
    return span - 1 - left, span - 1 - (total - left)


def pool(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Pool) and row.padding is not None and row.window is not None
    sizes, out = row.input_shape[:-1], row.shape[:-1]
    kernel, stride, sides = row.window.kernel, row.window.stride, row.padding
    same = layer.padding == "same"
    module = ranked("MaxPool" if layer.mode == "max" else "AvgPool", rank(item))
    name = module.removeprefix("nn.")

    def pooling(padding: Sizes, ceil: bool, exclude: bool = False, pads: Sides = ()) -> Mod | None:
        """The pool with `padding` a side, after `pads` (padded first), if PyTorch takes it
        and it gives `out`."""
        size = geometry.ceil_output_size if ceil else geometry.output_size
        if any(p > geometry.pool_padding_limit(k) for p, k in zip(padding, kernel, strict=True)):
            return None
        given = tuple(
            size(n + sum(pad), k, s, p, p)
            for n, pad, k, s, p in zip(
                sizes, pads or ((0, 0),) * len(sizes), kernel, stride, padding, strict=True
            )
        )
        if given != out:
            return None
        # A pool's stride defaults to its kernel, not to 1.
        options = [] if stride == kernel else [Kw("stride", numbers(stride))]
        options += _options(padding=padding, ceil_mode=ceil)
        if exclude and any(padding):
            options.append(Kw("count_include_pad", "False"))
        return Mod(call(module, Kw("kernel_size", numbers(kernel)), *options))

    even, extra = _even(sides)
    what = "TensorFlow's 'same' padding" if same else "The spec's padding"
    small = layer.mode == "avg" and len(sizes) == 3 and any(map(int.__lt__, sizes, kernel))
    if small:  # PyTorch's avg_pool3d refuses an input smaller than its kernel, padded or not
        even, extra = (0, 0, 0), sides
        what += f", and {name} takes no input smaller than its kernel: it"
    if not any(n for side in extra for n in side):
        direct = pooling(even, layer.ceil, exclude=same and layer.mode == "avg")
        if direct is not None:
            return [direct]
    if layer.mode == "max":
        # All of the padding first, and in ceil mode what the last window needs after.
        pads = tuple(
            (b, (o - 1) * s + k - n - b if layer.ceil else a)
            for o, s, k, n, (b, a) in zip(out, stride, kernel, sizes, sides, strict=True)
        )
        maxpool = pooling((0,) * len(sizes), False, pads=pads)
        if maxpool is not None:
            why = (
                f"{what} is {sides_text(sides)}; {EVEN.format(name)}, so it is padded "
                "first, with -inf, which no max picks (as PyTorch's own padding).",
            )
            constant = call(ranked("ConstantPad", rank(item)), pad_arg(pads), 'float("-inf")')
            return [Mod(constant, "_pad", why), maxpool]
    elif same and not small and all(a - b in (0, 1) for b, a in sides):
        # TensorFlow's odd position after: ceil mode takes the last window in, clipped to
        # the input, and count_include_pad=False averages only what lies in it, as TF.
        ceiled = pooling(tuple(b for b, _ in sides), True, exclude=True)
        if ceiled is not None:
            return [ceiled]
    elif not same:
        pooled = pooling(even, layer.ceil, pads=extra)
        if pooled is not None:
            why = (
                f"{what} is {sides_text(sides)}; {EVEN.format(name)}, so the difference "
                "is padded first (zeros, counted in the averages as PyTorch counts its own).",
            )
            return [Mod(call(ranked("ZeroPad", rank(item)), pad_arg(extra)), "_pad", why), pooled]
    raise item.refusal(_refusal(layer, sides, name, small), "padding")


def _refusal(layer: Pool, sides: Sides, name: str, small: bool) -> str:
    if layer.padding == "same" and small:
        return (
            f"TensorFlow's 'same' average pooling pads {sides_text(sides)} here and leaves "
            f"the padding out of each average, but PyTorch's {name} takes no input smaller "
            "than its kernel, and zeros padded first would be counted: no PyTorch pooling "
            "gives these averages"
        )
    if layer.padding == "same":
        return (
            f"TensorFlow's 'same' average pooling pads {sides_text(sides)} here and leaves "
            f"the padding out of each average; {EVEN.format(name)}, and zeros padded first "
            "would be counted: no PyTorch pooling gives these averages (a 'same' average "
            "pool exports when its padding comes out even, or with a stride of 2 or more)"
        )
    what = "max" if layer.mode == "max" else "average"
    return (
        f"the padding {sides_text(sides)} with ceil: true gives {name} another last window "
        f"once the difference is padded first: no PyTorch {what} pooling gives this output; "
        "pad both ends alike, or leave out ceil"
    )
