"""The layer types and their arithmetic: what each does to a shape, and what it holds.

`base` has what every layer shares (the `Layer` base, the `Step` it returns,
sliding a window); `conv`, `pool` and `dense` hold the types. This package is
part of the core: it imports neither click, rich nor YAML, and nothing of
cnncalc but `geometry`, `limits`, `shapes` and `records`. Which names a spec
may use for each type is the spec reader's business (`cnncalc.spec.vocabulary`).
"""

from cnncalc.layers.base import Layer, LayerProblem, Note, Step
from cnncalc.layers.conv import Conv, ConvTranspose, group_count
from cnncalc.layers.dense import Activation, BatchNorm, Dense, Dropout, Flatten, Softmax
from cnncalc.layers.pool import AdaptiveAvgPool, GlobalAvgPool, Pool, Upsample, ZeroPad

__all__ = [
    "Activation",
    "AdaptiveAvgPool",
    "BatchNorm",
    "Conv",
    "ConvTranspose",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAvgPool",
    "Layer",
    "LayerProblem",
    "Note",
    "Pool",
    "Softmax",
    "Step",
    "Upsample",
    "ZeroPad",
    "group_count",
]
