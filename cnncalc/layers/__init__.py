"""The layer types and their arithmetic: what each does to a shape, and what it holds.

`base` has what every layer shares (the `Layer` base, the `Step` it returns,
sliding a window); `conv`, `pool`, `dense` and `norm` hold the types. This package is
part of the core: it imports neither click, rich nor YAML, and nothing of
cnncalc but `geometry`, `limits`, `shapes` and `records`. Which names a spec
may use for each type is the spec reader's business (`cnncalc.spec.vocabulary`).
"""

from cnncalc.layers.base import Layer, LayerProblem, Note, Step
from cnncalc.layers.conv import Conv, ConvTranspose, group_count
from cnncalc.layers.dense import (
    Activation,
    BatchNorm,
    ChannelShuffle,
    Dense,
    Dropout,
    Flatten,
    Identity,
    PReLU,
    Softmax,
)
from cnncalc.layers.norm import GroupNorm, InstanceNorm, LayerNorm, LayerScale
from cnncalc.layers.pool import AdaptiveAvgPool, GlobalAvgPool, Pool, Upsample, ZeroPad

__all__ = [
    "Activation",
    "AdaptiveAvgPool",
    "BatchNorm",
    "ChannelShuffle",
    "Conv",
    "ConvTranspose",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool",
    "GroupNorm",
    "Identity",
    "InstanceNorm",
    "Layer",
    "LayerNorm",
    "LayerProblem",
    "LayerScale",
    "Note",
    "PReLU",
    "Pool",
    "Softmax",
    "Step",
    "Upsample",
    "ZeroPad",
    "group_count",
]
