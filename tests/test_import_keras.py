"""`cnncalc import` against Keras itself, where it is installed (skipped without it; CI
does not install it).

Keras Applications built with weights=None, and small models hypothesis makes, are saved
with `to_json()` (or as a .keras archive) and imported; the spec's counts and shapes are
compared with what Keras reports: `count_params()`, the trainable and non-trainable
weights, the output shape, and each layer's output shape and weights on the rows named
after it. Every figure compared comes from Keras, none from the importer.
"""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnncalc import importing

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
layers = keras.layers
apps = keras.applications

# Global pools without keepdims give a vector of C, which cnncalc keeps 1×…×1×C, as do
# the layers after them that keep their input's shape (EfficientNet's top_dropout).
POOLS = ("GlobalAveragePooling", "GlobalMaxPooling")
JOINS = ("Add", "Multiply", "Concatenate")


def imported(model, tmp_path, archive=False):
    """The engine's summary of the spec `cnncalc import` makes of `model`."""
    if archive:
        path = tmp_path / "model.keras"
        model.save(path)
    else:
        path = tmp_path / "model.json"
        path.write_text(model.to_json(), "utf-8")
    return importing.import_model(str(path)).summary


def weights(variables) -> int:
    return sum(math.prod(variable.shape) for variable in variables)


def assert_as_keras(model, summary):
    """The totals, the output shape and every layer's shape and weights, as Keras has them."""
    assert summary.params == weights(model.trainable_weights)
    assert summary.buffers == weights(model.non_trainable_weights)
    assert summary.params + summary.buffers == model.count_params()
    assert summary.output_shape == tuple(model.output_shape[1:])
    rows = list(summary.flat())
    sources = _sources(model)
    kept: set[str] = set()
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        group = [row for row in rows if row.name.split("/")[0] == layer.name]
        assert group, f"Keras's {layer.name} has no row"
        got, want = group[-1].shape, tuple(layer.output.shape[1:])
        if got != want:  # a global pool's vector, or what keeps its shape after one
            assert kind.startswith(POOLS) or set(sources[layer.name]) <= kept, layer.name
            assert got == (1,) * (len(got) - 1) + want, (layer.name, got, want)
            kept.add(layer.name)
        joined = kind in JOINS and group[-1].branches
        own = 0 if joined else sum(row.params + row.buffers for row in group)
        assert own == layer.count_params(), layer.name


def _sources(model):
    """Each layer's inputs, by name, as the model's config has them."""
    found = {}
    before = []
    for entry in model.get_config()["layers"]:
        name = entry["config"]["name"]
        found[name] = _history(entry["inbound_nodes"]) if "inbound_nodes" in entry else before
        before = [name]  # a Sequential's layer takes the one before
    return found


def _history(value):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return [value["config"]["keras_history"][0]]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [name for item in items for name in _history(item)]


@pytest.mark.parametrize(
    "build",
    [
        lambda: apps.ResNet50(weights=None),
        lambda: apps.ResNet50V2(weights=None),
        lambda: apps.MobileNetV2(weights=None),
        lambda: apps.MobileNetV3Small(weights=None, input_shape=(224, 224, 3)),
        lambda: apps.VGG16(weights=None),
        lambda: apps.DenseNet121(weights=None),
        lambda: apps.EfficientNetV2B0(weights=None),
        lambda: apps.ConvNeXtTiny(weights=None),
        lambda: apps.Xception(weights=None),
        lambda: apps.ResNet50(weights=None, include_top=False, pooling="max", input_shape=(96, 96, 3)),
    ],
    ids=[
        "ResNet50", "ResNet50V2", "MobileNetV2", "MobileNetV3Small", "VGG16", "DenseNet121",
        "EfficientNetV2B0", "ConvNeXtTiny", "Xception", "ResNet50-notop-maxpool",
    ],
)  # fmt: skip
def test_keras_applications(build, tmp_path):
    """Each Application's counts and shapes, layer by layer, as Keras gives them."""
    model = build()
    assert_as_keras(model, imported(model, tmp_path))


def test_a_keras_archive(tmp_path):
    """model.save(): the archive's config is read, its weights never."""
    model = apps.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
    assert_as_keras(model, imported(model, tmp_path, archive=True))


def test_efficientnet_b0_adapted_normalization_is_refused(tmp_path):
    """EfficientNetB0's Normalization holds adapt()'s mean, variance and count: 7 values no
    cnncalc layer holds, so it is refused by name; with a fixed mean and variance (which
    hold no weights), the rest of the network is Keras's, count for count."""
    model = apps.EfficientNetB0(weights=None)
    (name,) = [layer.name for layer in model.layers if isinstance(layer, layers.Normalization)]
    with pytest.raises(importing.Refused, match=rf"layer '{name}' \(Normalization\): it holds"):
        imported(model, tmp_path)

    def fixed(layer):
        if isinstance(layer, layers.Normalization):
            mean, variance = [0.485, 0.456, 0.406], [0.052, 0.050, 0.051]
            return layers.Normalization(mean=mean, variance=variance, name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    clone = keras.models.clone_model(model, clone_function=fixed)
    assert clone.count_params() == model.count_params() - 2 * 3 - 1
    assert_as_keras(clone, imported(clone, tmp_path))


@st.composite
def plans(draw):
    """A small model as data: an input, up to six steps (some residual sums or
    concatenations, when it is functional), a head; built by `build` outside hypothesis."""
    rank = draw(st.sampled_from([1, 2]))
    shape = (*[draw(st.integers(5, 16)) for _ in range(rank)], draw(st.integers(1, 4)))
    functional = draw(st.booleans())
    choices = ["conv", "bn", "pool", "pad", "up", "act"] + (["res", "cat"] if functional else [])
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        choice = draw(st.sampled_from(choices))
        if choice == "conv":
            kind = draw(st.sampled_from(["Conv", "DepthwiseConv", "SeparableConv"]))
            config = {
                "kernel_size": draw(st.integers(1, 3)),
                "strides": draw(st.integers(1, 2)),
                "padding": draw(st.sampled_from(["valid", "same"])),
                "use_bias": draw(st.booleans()),
                "activation": draw(st.sampled_from(["linear", "relu", "sigmoid", "hard_silu"])),
            }
            if kind != "Conv":
                config["depth_multiplier"] = draw(st.integers(1, 2))
            if kind != "DepthwiseConv":
                config["filters"] = draw(st.integers(1, 6))
            steps.append((f"{kind}{rank}D", config))
        elif choice == "bn":
            both = draw(st.booleans())
            steps.append(("BatchNormalization", {"center": both, "scale": both}))
        elif choice == "pool":
            kind = draw(st.sampled_from(["MaxPooling", "AveragePooling"]))
            padding = draw(st.sampled_from(["valid", "same"]))
            steps.append(
                (f"{kind}{rank}D", {"pool_size": draw(st.integers(1, 2)), "padding": padding})
            )
        elif choice == "pad":
            sides = [[draw(st.integers(0, 2)) for _ in range(2)] for _ in range(rank)]
            steps.append((f"ZeroPadding{rank}D", {"padding": sides[0] if rank == 1 else sides}))
        elif choice == "up":
            steps.append((f"UpSampling{rank}D", {"size": draw(st.integers(1, 2))}))
        elif choice == "act":
            steps.append(("ReLU", {"max_value": draw(st.sampled_from([None, 6.0]))}))
        else:
            steps.append((choice, {"width": draw(st.integers(1, 4)), "first": draw(st.booleans())}))
    head = draw(st.sampled_from(["none", "flatten", "pool"]))
    return rank, shape, functional, steps, head, draw(st.integers(1, 5))


def build(plan):
    """The Keras model of a plan: functional, or Sequential when it has no joins."""
    rank, shape, functional, steps, head, units = plan
    made = []
    for kind, config in steps:
        if kind in ("res", "cat"):
            made.append((kind, config))
        else:
            made.append((None, getattr(layers, kind)(**config)))
    if head == "flatten":
        made += [(None, layers.Flatten()), (None, layers.Dense(units))]
    elif head == "pool":
        pool = getattr(layers, f"GlobalAveragePooling{rank}D")()
        made += [(None, pool), (None, layers.Dense(units, activation="softmax"))]
    if not functional:
        return keras.Sequential([keras.Input(shape), *(layer for _, layer in made)])
    inputs = keras.Input(shape)
    x = inputs
    for join, layer in made:
        if join == "res":
            conv = getattr(layers, f"Conv{rank}D")(x.shape[-1], 3, padding="same")
            x = layers.Add()([x, layers.BatchNormalization()(conv(x))])
        elif join == "cat":
            branch = getattr(layers, f"Conv{rank}D")(layer["width"], 1)(x)
            x = layers.Concatenate()([branch, x] if layer["first"] else [x, branch])
        else:
            x = layer(x)
    return keras.Model(inputs, x)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(plans())
def test_small_random_models(tmp_path_factory, plan):
    """Whatever small model hypothesis plans (that Keras builds), as Keras counts it."""
    try:
        model = build(plan)
    except ValueError:  # a kernel larger than what is left of the input
        assume(False)
        return
    assert_as_keras(model, imported(model, tmp_path_factory.mktemp("model")))
