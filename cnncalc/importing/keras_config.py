"""One Keras layer's saved config, read field by field, and the output sizes Keras gives.

A `KerasLayer` is what `keras.py` finds in a model's config; its readers refuse a value
that is not what Keras writes (a kernel size that is not whole numbers), with the
reason, as `Unsupported`. The sizes follow Keras's own arithmetic (TensorFlow's 'same',
its transposed convolutions), using `cnncalc.geometry` where the rules agree. Also here:
a saved shape read (`dims`), and what no row may be (a name a spec refuses, the weights
of a frozen layer, which Keras counts as non-trainable).

Part of the core: it imports nothing of cnncalc but `errors`, `geometry`, the longest
name a spec takes (`spec.values`) and `importing.graph`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnncalc import geometry
from cnncalc.errors import first_unsafe
from cnncalc.importing.graph import Dims, Node, Row, shown
from cnncalc.spec.values import MAX_NAME


class Unsupported(Exception):
    """A layer that cnncalc cannot write exactly; the message says why."""


@dataclass(eq=False)
class KerasLayer:
    """A layer of a Keras model's config."""

    name: str
    cls: str  # class_name: Conv2D
    module: str
    config: dict[str, Any]
    inputs: list[str] = field(default_factory=list)  # the layers whose outputs it takes
    shapes: list[Dims | None] = field(default_factory=list)  # theirs, as Keras saved them
    constants: list[Any] = field(default_factory=list)  # numbers among an op's arguments
    built: Any = None  # the input shape it was built for (build_config), if saved

    def get(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Unsupported(f"its {key} is {_show(value)}, not a whole number")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise Unsupported(f"its {key} is {_show(value)}, not true or false")
        return value

    def word(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or value.lower() not in choices:
            listed = ", ".join(choices)
            raise Unsupported(f"its {key} is {_show(value)}; cnncalc takes {listed}")
        return value.lower()

    def sizes(self, key: str, rank: int, default: Any = None) -> tuple[int, ...]:
        """A size per axis: one number, or a list of `rank` (strides, kernel_size…)."""
        value = self.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value] * rank
        if (
            not isinstance(value, list)
            or len(value) != rank
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in value)
        ):
            raise Unsupported(f"its {key} is {_show(value)}, not {rank} whole numbers from 1")
        return tuple(value)

    def naturals(self, key: str, rank: int) -> tuple[int, ...]:
        """A whole number from 0 per axis: an output padding."""
        value = self.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value] * rank
        if (
            not isinstance(value, list)
            or len(value) != rank
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in value)
        ):
            raise Unsupported(f"its {key} is {_show(value)}, not {rank} whole numbers")
        return tuple(value)

    def sides(self, key: str, rank: int) -> tuple[tuple[int, int], ...]:
        """(before, after) per axis: ZeroPadding's padding, Cropping's cropping."""
        value = self.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = [[value, value]] * rank
        elif rank == 1 and isinstance(value, list) and all(isinstance(n, int) for n in value):
            value = [value]  # ZeroPadding1D's [before, after]
        elif isinstance(value, list) and all(isinstance(n, int) for n in value):
            value = [[n, n] for n in value]  # one number per axis
        pairs = value if isinstance(value, list) else []
        if len(pairs) != rank or any(
            not isinstance(pair, list)
            or len(pair) != 2
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in pair)
            for pair in pairs
        ):
            raise Unsupported(f"its {key} is {_show(value)}, not {rank} (before, after) pairs")
        return tuple((pair[0], pair[1]) for pair in pairs)

    def channels_last(self) -> None:
        data_format = self.get("data_format", "channels_last")
        if data_format not in (None, "channels_last"):
            raise Unsupported(
                f"its data_format is {_show(data_format)}; cnncalc imports channels_last "
                "models (Keras's default)"
            )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def rank_of(layer: KerasLayer, fallback: int = 2) -> int:
    """The spatial rank its class names: Conv1D 1, MaxPooling3D 3."""
    for rank in (1, 2, 3):
        if f"{rank}D" in layer.cls:
            return rank
    return fallback


def spatial(layer: KerasLayer, node: Node, rank: int) -> tuple[Dims, int | None]:
    """The input's spatial sizes and channels, checked to be of `rank` spatial axes."""
    shape = node.shape
    if len(shape) != rank + 1:
        raise Unsupported(f"its input {shown(shape)} is not {rank}-D with channels")
    return shape[:-1], shape[-1]


def slid(n: int | None, kernel: int, stride: int, padding: str, dilation: int = 1) -> int | None:
    """One axis's output of a conv or pool, as Keras computes it: valid, same or causal."""
    if n is None:
        return None
    span = geometry.span(kernel, dilation)
    if padding == "same":
        return geometry.same_output_size(n, stride)
    if padding == "causal":
        n += span - 1
    if span > n:
        raise Unsupported(f"its kernel {span} is larger than its input {n}")
    return geometry.output_size(n, span, stride)


def transposed(
    n: int | None, kernel: int, stride: int, padding: str, dilation: int, extra: int | None
) -> int | None:
    """One axis of Keras's transposed convolution (keras.src.utils: deconv_output_length)."""
    if n is None:
        return None
    span = geometry.span(kernel, dilation)
    if extra is None:
        if padding == "same":
            return n * stride
        return n * stride + max(span - stride, 0)
    pad = span // 2 if padding == "same" else 0
    return (n - 1) * stride + span - 2 * pad + extra


def size_of(shape: Dims) -> int | None:
    total = 1
    for n in shape:
        if n is None:
            return None
        total *= n
    return total


_TRAINED = ("conv", "convtranspose", "fc", "layerscale", "prelu")
_AFFINE = ("batchnorm", "layernorm", "groupnorm")


def unnameable(name: str) -> str:
    """Why a row cannot be named `name` in a spec, or ''."""
    if first_unsafe(name) is not None:
        return "its name holds a control character, which a spec refuses"
    if len(name.strip()) > MAX_NAME or name.strip() != name:
        return f"its name is not a spec's: at most {MAX_NAME} characters, no spaces around"
    return ""


def no_frozen_weights(rows: tuple[Row, ...]) -> None:
    """A frozen layer's weights are non-trainable in Keras, trainable in a spec."""
    for row in rows:
        if row.kind in _TRAINED or (row.kind in _AFFINE and row.fields.get("affine", True)):
            raise Unsupported(
                "it is frozen (trainable: false), so Keras counts its weights as "
                "non-trainable, which a spec's rows cannot say"
            )


def dims(value: Any) -> Dims | None:
    """A saved shape without its batch axis, or None when it is not one."""
    if not isinstance(value, list) or not value:
        return None
    if any(
        n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1)
        for n in value[1:]
    ):
        return None
    return tuple(value[1:])
