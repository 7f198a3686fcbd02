"""The layer types beyond the course's: the other normalisations and the element-wise
layers that hold a value per channel; resizing, crops and joins with saved tensors.

Entries of the registry in `cnncalc.spec.vocabulary`, which lists them in its order.
"""

from __future__ import annotations

from typing import Any

from cnncalc.layers.dense import ChannelShuffle, Identity, PReLU
from cnncalc.layers.join import Crop, Join
from cnncalc.layers.norm import GroupNorm, InstanceNorm, LayerNorm, LayerScale
from cnncalc.layers.pool import Upsample
from cnncalc.spec import axes, values
from cnncalc.spec.layer_type import PADDING_HELP, Field, LayerType, plain

_SHARES = Field(
    "groups", values.positive_int, "groups of channels; it must divide them", required=True
)
_AFFINE = Field(
    "affine", values.boolean, "whether it learns a scale and a shift per channel",
    positional=False,
)  # fmt: skip
_NORMS = "(scale, shift); no running statistics, no MACs"
NORMS = (  # after batch norm: the other normalisations, then element-wise layers
    plain(
        "layernorm", LayerNorm, "LN{}",
        f"layer normalisation of the channels at each position: 2·C trainable {_NORMS}",
        _AFFINE, aliases=("layernormalization",),
    ),
    plain(
        "groupnorm", GroupNorm, "GN{}", f"group normalisation: 2·C trainable {_NORMS}",
        _SHARES, _AFFINE, aliases=("groupnormalization",), example="groupnorm:32",
    ),
    plain(
        "instancenorm", InstanceNorm, "IN{}",
        f"instance normalisation: 0 parameters, or with affine=true 2·C trainable {_NORMS}",
        _AFFINE, aliases=("instancenormalization",), ranked=("instancenorm{}d",),
    ),
    plain("layerscale", LayerScale, "LayerScale", "a learnt scale per channel: C trainable"),
    plain(
        "prelu", PReLU, "PReLU",
        "a learnt slope below 0 per channel: C trainable, or 1 with shared=true",
        Field("shared", values.boolean, "one slope for all", positional=False),
    ),
    plain("identity", Identity, "Identity", "its input, unchanged; no parameters"),
    plain(
        "channelshuffle", ChannelShuffle, "ChannelShuffle",
        "the channels of groups groups interleaved (ShuffleNet's); no parameters",
        _SHARES, example="channelshuffle:2",
    ),
)  # fmt: skip


def _upsample(**fields: Any) -> Upsample:
    _one_of("upsample", fields, ("factor", "to", "like"))
    return Upsample(**fields)


def _crop(**fields: Any) -> Crop:
    _one_of("crop", fields, ("cropping", "like"))
    return Crop(**fields)


def _one_of(kind: str, fields: dict[str, Any], keys: tuple[str, ...]) -> None:
    given = [key for key in keys if key in fields]
    if len(given) != 1:
        listed = ", ".join(keys[:-1]) + " or " + keys[-1]
        what = "both " + " and ".join(given) if given else "none"
        raise values.ValueProblem(f"{kind} takes one of {listed}, got {what}")


_CROP = Field(
    "crop", values.boolean, "centre-crop the saved tensors to the input's size", positional=False
)


RESIZE_AND_JOIN: tuple[LayerType, ...] = (
    LayerType(
        name="upsample",
        layer=Upsample,
        build=_upsample,
        help="upsampling by a factor, to a size or to a saved tensor's; no parameters",
        example="upsample:2",
        fields=(
            Field("factor", axes.sizes, "how many times larger", ("size", "scale_factor")),
            Field("to", axes.sizes, "the output's size, per axis", positional=False),
            Field(
                "like", values.tensor_name, "a saved tensor whose size to take", (), False, False
            ),
            Field(
                "mode",
                values.upsample_mode,
                "nearest, bilinear…: no count depends on it",
                ("interpolation",),
                positional=False,
            ),
        ),
        name_format="Upsample",
        ranked=("upsampling{}d",),
    ),
    *(
        plain(
            op,
            Join,
            op.capitalize(),
            f"the saved tensors `with` names and the input {how}; no parameters",
            Field("with", values.tensor_names, "saved tensors, by name", (), True),
            *extra,
            build=lambda op=op, **fields: Join(op, fields.pop("with"), **fields),
            example=f"{op}:with=skip",
            aliases=aliases,
        )
        for op, how, extra, aliases in (
            (
                "concat",
                "joined along the channels (the saved ones first)",
                (_CROP,),
                ("concatenate",),
            ),  # Keras's Concatenate
            ("add", "added", (), ()),
            ("multiply", "multiplied, broadcasting axes of size 1", (), ()),
        )
    ),
    plain(
        "crop",
        Crop,
        "Crop",
        "rows and columns cut from each side, or the input centre-"
        "cropped to a saved tensor's size (like); no parameters",
        Field("cropping", axes.numeric_padding, PADDING_HELP, ("crop",)),
        Field("like", values.tensor_name, "a saved tensor whose size to crop to", (), False, False),
        build=_crop,
        ranked=("cropping{}d",),
    ),
)
