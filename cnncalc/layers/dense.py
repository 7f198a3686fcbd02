"""Layers that keep no window: fully connected, softmax, flatten, and the element-wise
ones (activations, batch norm, dropout)."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.geometry import Sizes
from cnncalc.layers.base import Layer, Step
from cnncalc.shapes import Shape, size_of


@dataclass(repr=False, eq=False)
class Dense(Layer):
    """A fully connected layer; a volume is flattened first, as the course does."""

    units: int
    bias: bool = True

    @property
    def kind(self) -> str:
        return "fc"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        weights = size_of(shape) * self.units
        biases = self.units if self.bias else 0
        return Step(
            shape=(self.units,), weights=weights, biases=biases, macs=weights, sees_all=True
        )


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
