"""Normalisations other than batch norm, and the per-channel scale that often follows one.

Each keeps the shape and costs no MACs (like a bias, a scale and a shift per
channel are counted as nothing). Unlike batch norm, none keeps running
statistics: layer, group and instance norm compute theirs from each input.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.geometry import Sizes
from cnncalc.layers.base import Layer, LayerProblem, Step, spatial
from cnncalc.shapes import Shape


def _affine(shape: Shape, padded: Sizes | None, affine: bool) -> Step:
    """A scale (weights) and a shift (biases) per channel when `affine`, else nothing."""
    channels = shape[-1] if affine else 0
    return Step(shape=shape, weights=channels, biases=channels, padded=padded)


@dataclass(repr=False, eq=False)
class LayerNorm(Layer):
    """Layer normalisation over the channels at each position: ConvNeXt's LayerNorm2d,
    PyTorch's LayerNorm(C) on channels last, Keras's LayerNormalization(axis=-1)."""

    affine: bool = True  # PyTorch's elementwise_affine; Keras's scale and center

    @property
    def kind(self) -> str:
        return "layernorm"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return _affine(shape, padded, self.affine)


@dataclass(repr=False, eq=False)
class GroupNorm(Layer):
    """Group normalisation: the channels in `groups` groups, each normalised over its
    channels and positions (PyTorch's GroupNorm, which also takes a vector (N, C))."""

    groups: int
    affine: bool = True

    @property
    def kind(self) -> str:
        return "groupnorm"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        channels = shape[-1]
        if channels % self.groups:
            raise LayerProblem(
                f"groups {self.groups} does not divide the input's {channels} channels",
                "groups",
            )
        return _affine(shape, padded, self.affine)

    def notation(self) -> str:
        return f"groups={self.groups}"


@dataclass(repr=False, eq=False)
class InstanceNorm(Layer):
    """Instance normalisation: each channel over its own positions. PyTorch's default
    learns nothing (affine=False) and keeps no running statistics."""

    affine: bool = False

    @property
    def kind(self) -> str:
        return "instancenorm"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        spatial(self.kind, shape)  # a vector has no positions to normalise over
        return _affine(shape, padded, self.affine)


@dataclass(repr=False, eq=False)
class LayerScale(Layer):
    """A learnt scale per channel: ConvNeXt's layer_scale, a Parameter of shape (C, 1, 1)."""

    @property
    def kind(self) -> str:
        return "layerscale"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return Step(shape=shape, weights=shape[-1], padded=padded)
