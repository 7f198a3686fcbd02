"""The Keras code of the layers that slide a window: convolutions, transposed
convolutions and pools, with the padding Keras cannot do itself done beside them.

Keras's layers pad only as TensorFlow's 'same' rule does (and a Conv1D
'causal'): a padding the spec gives as numbers is written padding="same" where
it is what that rule pads for the input, and otherwise is a ZeroPadding layer
before a 'valid' layer (a max pool's a MaxPoolPadding of −inf, which no max
picks, as PyTorch pads). A transposed convolution's padding crops its full
output: a Cropping layer after it. Keras takes no stride with a dilation: such
a convolution is taken at every position and every s-th output kept. What no
Keras layer computes exactly (an average of ceil mode's last window, a grouped
transposed convolution) is refused.
"""

from __future__ import annotations

from cnncalc import geometry
from cnncalc.export.keras_steps import (
    Context,
    Use,
    call,
    pairs,
    rank,
    ranked,
    sides_arg,
)
from cnncalc.export.rows import Item, sides_text
from cnncalc.export.source import Kw, literal, numbers
from cnncalc.geometry import Sides, Sizes
from cnncalc.layers import Conv, ConvTranspose, Pool, group_count
from cnncalc.layers.base import per_axis, resolve_sides

SAME = literal("same")


def _options(**values: Sizes | int | bool | str | None) -> list[Kw]:
    """Keyword arguments that differ from Keras's defaults (1 stride, 'valid'…)."""
    options = []
    for key, value in values.items():
        default = _DEFAULTS.get(key)
        if value is None or value == default:
            continue
        if isinstance(value, str):
            options.append(Kw(key, literal(value)))
        elif isinstance(value, (bool, int)):
            options.append(Kw(key, str(value)))
        elif set(value) != {default}:
            options.append(Kw(key, numbers(value)))
    return options


_DEFAULTS: dict[str, int | bool | str] = {
    "strides": 1,
    "padding": "valid",
    "dilation_rate": 1,
    "groups": 1,
    "depth_multiplier": 1,
    "use_bias": True,
}


def _same(sizes: Sizes, spans: Sizes, stride: Sizes) -> Sides:
    """What TensorFlow's 'same' rule pads each axis of an input of `sizes`."""
    return tuple(geometry.same_padding(*axis) for axis in zip(sizes, spans, stride, strict=True))


def _padded(sides: Sides) -> bool:
    return any(n for side in sides for n in side)


def conv(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Conv) and row.padding is not None
    sizes, channels = row.input_shape[:-1], row.input_shape[-1]
    dims = rank(item)
    kernel = per_axis(layer.kernel, sizes, "kernel")
    stride = per_axis(layer.stride, sizes, "stride")
    dilation = per_axis(layer.dilation, sizes, "dilation")
    spans = tuple(geometry.span(f, d) for f, d in zip(kernel, dilation, strict=True))
    groups = group_count(layer, channels)
    depthwise = groups == channels > 1 and dims < 3
    name = ranked("DepthwiseConv" if depthwise else "Conv", dims)
    # Keras refuses a stride with a dilation: the convolution is taken at every position.
    every = max(stride) > 1 and max(dilation) > 1
    sides = row.padding
    padding, steps = "valid", []
    if not _padded(sides):
        pass
    elif layer.padding == "causal" and not every and not depthwise:
        padding = "causal"
    elif sides == _same(sizes, spans, stride) and not every:
        padding = "same"
        if layer.padding != "same":
            context.same()
    else:
        if layer.padding == "causal":
            rule = f"Keras's 'causal' padding: {sides[0][0]:,} zeros before the signal"
        elif layer.padding == "same":
            rule = f"TensorFlow's 'same' padding is {sides_text(sides)}"
        else:
            rule = f"The spec's padding is {sides_text(sides)}"
        why = (
            f"{rule}; Keras's {name.removeprefix('layers.')} pads only as 'same' does"
            + (", and is given a stride of 1 here (see below)" if every else "")
            + ", so it is padded first.",
        )
        pad = Use(call(ranked("ZeroPadding", dims), sides_arg(sides)), "_pad", why)
        steps.append(pad)
    if depthwise:
        built = call(
            name,
            numbers(kernel),
            *_options(
                strides=None if every else stride,
                padding=padding,
                depth_multiplier=row.shape[-1] // channels,
                dilation_rate=dilation,
                use_bias=layer.bias,
            ),
        )
    else:
        built = call(
            name,
            str(row.shape[-1]),
            numbers(kernel),
            *_options(
                strides=None if every else stride,
                padding=padding,
                dilation_rate=dilation,
                groups=groups,
                use_bias=layer.bias,
            ),
        )
    steps.append(Use(built))
    if every:
        why = (
            f"Keras's {name.removeprefix('layers.')} takes no stride with a dilation: the "
            f"convolution is taken at every position, and a pool of 1 with stride "
            f"{numbers(stride)} keeps the outputs the stride gives.",
        )
        subsample = call(ranked("MaxPooling", dims), "1", Kw("strides", numbers(stride)))
        steps.append(Use(subsample, "_stride", why))
    return steps


def conv_transpose(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, ConvTranspose)
    sizes, channels = row.input_shape[:-1], row.input_shape[-1]
    dims = rank(item)
    name = ranked("Conv", dims) + "Transpose"
    kernel = per_axis(layer.kernel, sizes, "kernel")
    stride = per_axis(layer.stride, sizes, "stride")
    dilation = per_axis(layer.dilation, sizes, "dilation")
    spans = tuple(geometry.span(f, d) for f, d in zip(kernel, dilation, strict=True))
    groups = group_count(layer, channels)
    short = name.removeprefix("layers.")
    if groups != 1:
        raise item.refusal(
            f"Keras's {short} has no groups, and this transposed convolution has "
            f"{groups:,}: no Keras layer computes it",
            "depthwise" if layer.depthwise else "groups",
        )
    if max(stride) > 1 and max(dilation) > 1:
        raise item.refusal(
            f"Keras's {short} takes no stride with a dilation, and this one has stride "
            f"{numbers(stride)} and dilation {numbers(dilation)}: no Keras layer computes it",
            "dilation",
        )
    head = (str(layer.filters), numbers(kernel))
    if layer.padding == "same":  # Keras's own rule: n·s
        options = _options(
            strides=stride, padding="same", dilation_rate=dilation, use_bias=layer.bias
        )
        return [Use(call(name, *head, *options))]
    cuts = resolve_sides(layer.padding, sizes, kernel, stride)
    extra = per_axis(layer.output_padding, sizes, "output_padding")
    # Keras gives the full output, (n − 1)s + span, and output_padding more at its end;
    # the spec keeps full[before : full − after + extra]: the rest is a crop after it.
    more = tuple(max(0, e - after) for (_, after), e in zip(cuts, extra, strict=True))
    crops = tuple(
        (before, max(0, after - e)) for (before, after), e in zip(cuts, extra, strict=True)
    )
    if any(q >= s for q, s in zip(more, stride, strict=True)):
        raise item.refusal(
            f"Keras's {short} takes an output_padding only smaller than its stride, and this "
            f"one needs {numbers(more)} past its full output with stride {numbers(stride)}",
            "output_padding",
        )
    # Without output_padding, Keras's 'valid' gives n·s when the kernel is smaller.
    explicit = any(more) or any(span < s for span, s in zip(spans, stride, strict=True))
    built = call(
        name,
        *head,
        *_options(strides=stride),
        *([Kw("output_padding", numbers(more))] if explicit else []),
        *_options(dilation_rate=dilation, use_bias=layer.bias),
    )
    out = tuple(
        (n - 1) * s + span + q - before - after
        for n, s, span, q, (before, after) in zip(sizes, stride, spans, more, crops, strict=True)
    )
    assert out == row.shape[:-1], (out, row.shape)
    if not _padded(crops):
        return [Use(built)]
    why = (
        f"The spec's padding cuts {sides_text(cuts)} of the transposed convolution's full "
        f"output; Keras's {short} cuts nothing ('valid'), so it is cropped after.",
    )
    return [Use(built), Use(call(ranked("Cropping", dims), sides_arg(crops)), "_crop", why)]


def pool(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Pool) and row.padding is not None and row.window is not None
    sizes, out = row.input_shape[:-1], row.shape[:-1]
    kernel, stride, sides = row.window.kernel, row.window.stride, row.padding
    dims = rank(item)
    name = ranked("MaxPooling" if layer.mode == "max" else "AveragePooling", dims)
    short = name.removeprefix("layers.")

    def pooling(padding: str = "valid") -> Use:
        # A pool's strides default to its pool size, not to 1.
        options = [] if stride == kernel else [Kw("strides", numbers(stride))]
        options += _options(padding=padding)
        return Use(call(name, numbers(kernel), *options))

    valid = tuple(geometry.output_size(*axis) for axis in zip(sizes, kernel, stride, strict=True))
    if not _padded(sides) and out == valid:
        return [pooling()]
    same = tuple(geometry.same_output_size(n, s) for n, s in zip(sizes, stride, strict=True))
    # Keras's 'same' is TensorFlow's: a max of what lies in the input, and an average that
    # leaves the padding out, as the spec's 'same' does (and its numbers do not).
    even = layer.mode == "max" or layer.padding == "same"
    if even and sides == _same(sizes, kernel, stride) and out == same:
        if layer.padding != "same":
            context.same()
        return [pooling("same")]
    what = "TensorFlow's 'same' padding" if layer.padding == "same" else "The spec's padding"
    if layer.mode == "max":
        # All of the padding first, and in ceil mode what the last window needs after.
        pads = tuple(
            (b, max(0, (o - 1) * s + k - n - b) if layer.ceil else a)
            for o, s, k, n, (b, a) in zip(out, stride, kernel, sizes, sides, strict=True)
        )
        padded = tuple(
            geometry.output_size(n + b + a, k, s)
            for n, k, s, (b, a) in zip(sizes, kernel, stride, pads, strict=True)
        )
        assert padded == out, (padded, out)
        context.helper("MaxPoolPadding")
        why = (
            f"{what} is {sides_text(sides)}"
            + (", and ceil mode's last window reaches past it" if layer.ceil else "")
            + f"; Keras's {short} pads only as 'same' does, so it is padded first, with "
            "-inf, which no max picks (as PyTorch's own padding).",
        )
        return [Use(call("MaxPoolPadding", pairs(pads)), "_pad", why), pooling()]
    if layer.padding != "same":
        padded = tuple(
            geometry.output_size(n, k, s, b, a)
            for n, k, s, (b, a) in zip(sizes, kernel, stride, sides, strict=True)
        )
        if padded == out:
            why = (
                f"{what} is {sides_text(sides)}; Keras's {short} pads only as 'same' does, "
                "so it is padded first (zeros, counted in the averages as PyTorch counts "
                "its own).",
            )
            pad = Use(call(ranked("ZeroPadding", dims), sides_arg(sides)), "_pad", why)
            return [pad, pooling()]
        raise item.refusal(
            f"ceil: true gives {short} a last window that reaches past the padding "
            f"({sides_text(sides)}), where PyTorch averages only what lies in it; Keras's "
            "pools pad only as 'same' does, which leaves the padding out of every average: "
            "no Keras pooling gives these averages; leave out ceil",
            "ceil",
        )
    raise item.refusal(
        f"ceil: true gives TensorFlow's 'same' average pooling {out} windows where Keras's "
        f"'same' gives {same}: no Keras pooling gives these averages; leave out ceil",
        "ceil",
    )
