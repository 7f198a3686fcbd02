"""Layers that keep no window: fully connected, softmax, flatten, and the element-wise
ones (activations, PReLU, batch norm, dropout, identity, channel shuffle)."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.geometry import Sizes
from cnncalc.layers.base import Layer, LayerProblem, Step, spatial
from cnncalc.shapes import Shape, size_of


@dataclass(repr=False, eq=False)
class Dense(Layer):
    """A fully connected layer; a volume is flattened first, as the course does, unless
    `flatten` is false: then it maps the channels at each position (Keras's Dense on a
    volume, PyTorch's Linear on channels last), as a 1×1 conv would."""

    units: int
    bias: bool = True
    flatten: bool = True

    @property
    def kind(self) -> str:
        return "fc"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        biases = self.units if self.bias else 0
        if not self.flatten and len(shape) > 1:
            weights = shape[-1] * self.units
            # The same weights at every position: each position's outputs see its inputs only.
            return Step(
                shape=(*shape[:-1], self.units),
                weights=weights,
                biases=biases,
                macs=size_of(shape[:-1]) * weights,
            )
        weights = size_of(shape) * self.units
        return Step(
            shape=(self.units,), weights=weights, biases=biases, macs=weights, sees_all=True
        )

    def notation(self) -> str:
        return "" if self.flatten else "per position"


@dataclass(repr=False, eq=False)
class Softmax(Layer):
    """Softmax; with `units`, a fully connected layer of that size before it."""

    units: int | None = None
    bias: bool = True

    @property
    def kind(self) -> str:
        return "softmax"

    @property
    def numbered(self) -> bool:
        return self.units is not None

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        if self.units is None:
            # It normalises over the whole vector: every output depends on every input.
            return Step(shape=shape, sees_all=True, padded=padded)
        return Dense(self.units, self.bias).apply(shape)


@dataclass(repr=False, eq=False)
class Flatten(Layer):
    @property
    def kind(self) -> str:
        return "flatten"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        # Each output is one input, but the spatial layout is gone: the receptive
        # field stops being a window, and the course's tables treat it as "all".
        return Step(shape=(size_of(shape),), sees_all=True)


@dataclass(repr=False, eq=False)
class Activation(Layer):
    """An element-wise function: no parameters, shape unchanged."""

    function: str

    @property
    def kind(self) -> str:
        return self.function

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return Step(shape=shape, padded=padded)


@dataclass(repr=False, eq=False)
class BatchNorm(Layer):
    """Batch normalisation: a scale and a shift per channel, trainable, and a running
    mean and variance per channel, which are not."""

    affine: bool = True  # PyTorch's affine; Keras's scale and center

    @property
    def kind(self) -> str:
        return "batchnorm"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        channels = shape[-1]
        scale = channels if self.affine else 0
        # No MACs: like a bias, it folds into the conv before it at inference.
        return Step(shape=shape, weights=scale, biases=scale, buffers=2 * channels, padded=padded)


@dataclass(repr=False, eq=False)
class Dropout(Layer):
    rate: float | None = None  # kept for the reader; no effect on shapes or counts

    @property
    def kind(self) -> str:
        return "dropout"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return Step(shape=shape, padded=padded)


@dataclass(repr=False, eq=False)
class Identity(Layer):
    """Its input, unchanged: PyTorch's Identity, Keras's Identity."""

    @property
    def kind(self) -> str:
        return "identity"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return Step(shape=shape, padded=padded)


@dataclass(repr=False, eq=False)
class PReLU(Layer):
    """max(0, x) + a·min(0, x) with a learnt slope a per channel, or one for all (`shared`),
    as PyTorch's PReLU(num_parameters=C) and PReLU()."""

    shared: bool = False

    @property
    def kind(self) -> str:
        return "prelu"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        return Step(shape=shape, weights=1 if self.shared else shape[-1], padded=padded)


@dataclass(repr=False, eq=False)
class ChannelShuffle(Layer):
    """ShuffleNet's channel shuffle: the channels of `groups` groups interleaved."""

    groups: int

    @property
    def kind(self) -> str:
        return "channelshuffle"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        _, channels = spatial(self.kind, shape)
        if channels % self.groups:
            raise LayerProblem(
                f"groups {self.groups} does not divide the input's {channels} channels",
                "groups",
            )
        return Step(shape=shape, padded=padded)

    def notation(self) -> str:
        return f"groups={self.groups}"
