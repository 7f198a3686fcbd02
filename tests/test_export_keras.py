"""The exported Keras modules built in Keras, against cnncalc's figures and the PyTorch
export's numbers, where Keras is installed.

Optional (skipped without Keras; .ci/run installs it and torch, the interop extra).
Each network is exported, its source executed, the model built and a batch of one input
of zeros run through every row's layer. What is compared comes from Keras on one side
(the outputs' shapes, the sizes of the trainable and non-trainable weights,
count_params(), each row's output) and from cnncalc's table on the other, not from the
exporter: the exporter says only which layer gives which row.

The same network's PyTorch export is built too, its values copied into the Keras model,
and every row's output compared for a random input: each padding, crop, split, shuffle,
pool and upsampling written as a Keras equivalent computes what PyTorch's does. Keras
runs on torch here (KERAS_BACKEND, unless set); where a network meets one of that
backend's own limits, the test says so and leaves it.
"""

from __future__ import annotations

import ast
import math
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from hypothesis import event, given, settings

from cnncalc import bundled, engine, spec
from cnncalc.errors import SpecError
from cnncalc.export import export
from cnncalc.layers import Flatten, Pool, Softmax
from cnncalc.shapes import size_of
from tests.conftest import SPECS
from tests.export_networks import networks, walked

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")  # Keras's own

EXAMPLES = Path(__file__).parent.parent / "examples"
BUNDLED = sorted(path.stem for path in SPECS.glob("*.yaml"))


def built(source: str):
    """The exported module, executed."""
    module = types.ModuleType("exported")
    exec(compile(source, "<exported>", "exec"), module.__dict__)
    return module


def size(weights) -> int:
    return sum(math.prod(weight.shape) for weight in weights)


def assert_faithful(read, summary) -> None:
    """The exported model gives every figure of cnncalc's table."""
    exported = export(read, summary, "keras")
    module = built(exported.source)
    model = module.build()
    assert tuple(module.INPUT_SHAPE) == summary.input_shape
    trainable, frozen = size(model.trainable_weights), size(model.non_trainable_weights)
    assert (trainable, frozen) == (summary.params, summary.buffers)
    assert model.count_params() == trainable + frozen
    rows = list(summary.flat())
    assert [probe.path for probe in exported.probes] == [row.path for row in rows]
    names = list(dict.fromkeys(probe.module for probe in exported.probes))
    layers = [model.get_layer(name) for name in names]
    # Each row's layer is the one named after it, or one named after it with a suffix (a
    # row without a layer of its own, a block, shows its last layer's).
    seen = keras.Model(model.input, [*model.outputs, *(layer.output for layer in layers)])
    given = seen(keras.ops.zeros((1, *module.INPUT_SHAPE)))
    outputs = given[: len(model.outputs)]
    shown = given[len(model.outputs) :]
    shapes = {name: tuple(out.shape[1:]) for name, out in zip(names, shown, strict=True)}
    assert tuple(outputs[-1].shape[1:]) == summary.output_shape
    for probe, row in zip(exported.probes, rows, strict=True):
        assert shapes[probe.module] == row.shape, (probe, exported.source)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_spec(name):
    """Every bundled spec exports, and Keras gives the table's every figure."""
    path = bundled.path(name)
    assert path is not None
    read = spec.load(path)
    assert_faithful(read, engine.analyze(read))


@pytest.mark.parametrize("name", ["inverted-residual", "modern-blocks", "tiny-resnet"])
def test_the_readmes_examples(name):
    """The README's examples of blocks export too (the others are examples of errors)."""
    read = spec.load(str(EXAMPLES / f"{name}.yaml"))
    assert_faithful(read, engine.analyze(read))


CASES = {
    # TensorFlow's 'same', uneven: Keras's own; numbers that are 'same' here written so.
    "same conv, stride 2": ([15, 15, 3], ["conv:4,2,2,same", "conv:4,3,2,same", "conv:4,3,1,1"]),
    "same max pool": ([9, 10, 2], ["maxpool:2,2,same", "maxpool:2,1,same", "maxpool:3,1,1"]),
    "same average pool": ([9, 10, 2], ["avgpool:3,2,same", "avgpool:2,2,same"]),
    # Numbers Keras cannot pad: a ZeroPadding first, a max pool's -inf (MaxPoolPadding).
    "pairs": ([9, 9, 2], [{"type": "conv", "filters": 3, "kernel": 3, "padding": [0, 2, 1, 0]},
                          {"type": "maxpool", "kernel": 3, "padding": [1, 0, 0, 1], "ceil": True},
                          {"type": "avgpool", "kernel": 2, "padding": [0, 1, 1, 0]}]),
    "ceil": ([9, 9, 2], ["maxpool:2,2,ceil=true", "maxpool:3,2,1,ceil=true"]),
    "causal": ([20, 2], ["conv:3,3,p=causal,d=2", "conv:3,2,p=causal",
                         "conv:kernel=3,depthwise=true,padding=causal"]),
    # Keras takes no stride with a dilation: every position, then a pool of 1.
    "dilated and strided": ([17, 16, 3], ["conv:4,3,2,same,d=2", "conv:kernel=3,stride=2,"
                                          "dilation=2,depthwise=true", "conv:2,2,2,1,d=2"]),
    "groups": ([8, 8, 6], ["conv:6,3,groups=3", "conv:12,3,depthwise=true", "conv:4,1,groups=2"]),
    "3-D": ([5, 6, 7, 2], ["conv3d:3,3,2,same", "maxpool:2,1,same", "conv:6,3,depthwise=true",
                           "bn", "gap", "fc:3"]),
    "transposed same": ([5, 6, 2], ["convtranspose:3,3,2,same", "convtranspose:2,1,3,same",
                                    "convtranspose:2,4,2,same", "convtranspose:2,2,2,same"]),
    "transposed pairs": ([5, 5, 2], [{"type": "convtranspose", "filters": 2, "kernel": 3,
                                      "stride": 2, "padding": [0, 2, 1, 0],
                                      "output_padding": 1},
                                     "convtranspose:2,1,3", "convtranspose:2,3,2,1"]),
    "per position": ([4, 5, 6], ["layernorm", "fc:8,flatten=false", "gelu", "layerscale",
                                 "prelu", "prelu:shared=true", "groupnorm:2", "instancenorm",
                                 "instancenorm:affine=true", "leakyrelu"]),
    "vector gate": ([6, 6, 4], [{"multiply": ["gap", "flatten", "fc:4", "sigmoid"]}]),
    "vector joins": ([6, 6, 4], [{"type": "conv", "filters": 4, "kernel": 1, "save": "v"},
                                 "gap", "flatten", "fc:4", {"type": "multiply", "with": "v"},
                                 "relu", {"type": "add", "with": "v"}]),
    "upsampling": ([4, 5, 3], ["upsample:2,mode=bilinear", "upsample:factor=3x1",
                              {"type": "upsample", "to": [5, 7], "mode": "area"},
                              {"type": "upsample", "to": [9, 11], "mode": "nearest-exact"},
                              {"type": "upsample", "to": [10, 12], "mode": "bilinear"},
                              {"type": "upsample", "to": [20, 24], "mode": "nearest"}]),
    "adaptive": ([8, 6, 2], [{"type": "adaptiveavgpool", "output": [4, 3]},
                             {"type": "upsample", "to": [8, 9], "mode": "area"},
                             {"type": "adaptiveavgpool", "output": [5, 4]},
                             {"type": "adaptiveavgpool", "output": 1}]),
    "upsampling 1-D and 3-D": ([4, 3], ["upsample:3", {"type": "upsample", "to": 7,
                                                       "mode": "area"}]),
    "side head": ([8, 8, 3], ["conv:4,3", {"side": ["gap", "flatten", "fc:2"]}, "conv:2,3"]),
    "ends in side heads": ([8, 8, 3], ["conv:4,3", {"side": ["gap", "flatten", "fc:2"]},
                                       {"side": ["relu"]}]),
    "one row": ([8, 3], ["relu"]),
    "split sizes": ([4, 4, 6], [{"split": [["conv:2,1"], []], "sizes": [4, 2]}]),
    "shuffle": ([3, 4, 6], ["channelshuffle:3", "channelshuffle:2", "conv:6,1",
                            "channelshuffle:1"]),
    "crops": ([12, 11, 3], [{"type": "conv", "filters": 3, "kernel": 3, "save": "big"},
                           "maxpool:2",
                           {"type": "crop", "cropping": [1, 0, 0, 1], "save": "small"},
                           {"type": "upsample", "factor": 2},
                           {"type": "concat", "with": "big", "crop": True},
                           {"type": "crop", "like": "small"}]),
    "softmax": ([6, 6, 3], ["softmax", "conv:4,3", "softmax:5", "dropout", "softmax"]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_what_keras_cannot_say_directly(case):
    """Uneven and numbered padding, ceil mode, causal and dilated strided convolutions,
    groups, transposed convolutions' crops, per-position layers, broadcast joins,
    upsampling, side heads, splits, shuffles and crops: Keras's shapes and counts are the
    table's, and its numbers those of the PyTorch export."""
    found = walked(*CASES[case])
    assert found is not None, case
    assert_faithful(*found)
    if not _keras_averages_same_wrongly(found[1]):
        assert_computes_as_pytorch(*found)


@given(networks())
@settings(max_examples=300, deadline=None)
def test_random_networks(document):
    """Small sequential and block networks: each exports to a model Keras builds with
    cnncalc's figures, or is refused at a located layer."""
    read = spec.from_document(document)
    summary = engine.analyze(read)
    if _torch_cannot_average(summary):
        event("skipped: torch's avg_pool3d takes no input smaller than its kernel")
        return
    try:
        assert_faithful(read, summary)
    except SpecError as refused:
        event("refused: " + refused.message.split(":")[0])
        assert refused.layer is not None, refused  # noqa: PT017 (hypothesis, not pytest.raises)


@given(networks(named=True))
@settings(max_examples=100, deadline=None)
def test_random_networks_with_awkward_names(document):
    """Names that repeat, hold a '/' or a '%', or are no Python name: Keras takes every
    layer, and each row's layer still gives its row."""
    read = spec.from_document(document)
    summary = engine.analyze(read)
    if _torch_cannot_average(summary):
        event("skipped: torch's avg_pool3d takes no input smaller than its kernel")
        return
    try:
        assert_faithful(read, summary)
    except SpecError:
        event("refused")


def test_the_written_test_passes(tmp_path, run):
    """`--with-test` writes a pytest file that passes against the module beside it."""
    model, test = tmp_path / "models" / "blocks.py", tmp_path / "test_blocks.py"
    model.parent.mkdir()
    spec_file = str(EXAMPLES / "modern-blocks.yaml")
    result = run("export", spec_file, "--to", "keras", "-o", str(model), "--with-test", str(test))
    assert result.exit_code == 0, result.output
    environment = {**os.environ, "KERAS_BACKEND": os.environ["KERAS_BACKEND"]}
    checked = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "4 passed" in checked.stdout


# --- the same numbers as the PyTorch export ---


def _layer_names(source: str) -> list[str]:
    """The layers build() makes, in the order it makes them: the table's."""
    tree = ast.parse(source)
    build = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    calls = [
        node
        for node in ast.walk(build)
        if isinstance(node, ast.Call) and ast.unparse(node.func) != "keras.Model"
    ]
    return [
        keyword.value.value
        for node in sorted(calls, key=lambda node: (node.lineno, node.col_offset))
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    ]


def _held(module) -> bool:
    """Whether a torch module holds values of its own (parameters or running statistics)."""
    return bool(list(module.parameters(recurse=False))) or any(
        name in ("running_mean", "running_var") for name, _ in module.named_buffers(recurse=False)
    )


def _copy(module, layer, torch) -> None:
    """The values of a torch module, put into the Keras layer that computes the same row."""
    values = {name: tensor.detach().numpy() for name, tensor in module.named_parameters()}
    values |= {name: tensor.numpy() for name, tensor in module.named_buffers()}
    kind = type(layer).__name__
    given = []
    for weight in layer.weights:
        key = weight.name
        if key == "kernel" and kind == "Dense":
            matrix = values["weight"]
            made = layer.input._keras_history.operation
            while type(made).__name__ in ("Dropout", "Identity"):  # after the flatten
                made = made.input._keras_history.operation
            if type(made).__name__ == "Flatten":  # torch flattens (C, H, W), Keras (H, W, C)
                *sizes, channels = made.input.shape[1:]
                matrix = matrix.reshape(-1, channels, *sizes)
                matrix = np.moveaxis(matrix, 1, -1).reshape(len(matrix), -1)
            value = matrix.T
        elif key == "depthwise_kernel":  # (C·m, 1, k…) to (k…, C, m)
            kernel = values["weight"]
            channels, multiplier = weight.shape[-2:]
            kernel = kernel.reshape(channels, multiplier, *kernel.shape[2:])
            value = np.moveaxis(kernel, (0, 1), (-2, -1))
        elif key == "kernel":  # conv (out, in, k…) and transposed (in, out, k…): reversed
            kernel = values["weight"]
            value = np.moveaxis(kernel, (0, 1), (-1, -2))
        else:
            source = {
                "bias": "bias", "gamma": "weight", "beta": "bias", "alpha": "weight",
                "moving_mean": "running_mean", "moving_variance": "running_var",
            }[key]  # fmt: skip
            value = values[source]
        given.append(np.asarray(value, dtype="float32").reshape(weight.shape))
    layer.set_weights(given)


def _torch_rows(exported, model, given, torch) -> list:
    """Each row's output in the PyTorch export, channels last, where its probe sees it: a
    module's hook, the model's output, or forward's variable as a line starts."""
    modules = dict(model.named_modules())
    seen: dict[tuple[str, str], list] = {}
    for probe in exported.probes:
        key = (probe.kind, probe.module)
        if probe.kind in ("output", "variable") or key in seen:
            continue
        held = seen[key] = []
        if probe.kind == "module":
            modules[probe.module].register_forward_hook(
                lambda module, args, out, held=held: held.append(out.clone())
            )
        else:
            modules[probe.module].register_forward_pre_hook(
                lambda module, args, held=held: held.append(args[0].clone())
            )
    wanted = {(p.module, p.call) for p in exported.probes if p.kind == "variable"}
    forward = type(model).forward.__code__
    values: dict[tuple[str, int], object] = {}

    def lines(frame, event, arg):
        for name, line in wanted - values.keys():
            if frame.f_lineno >= line and name in frame.f_locals:
                values[name, line] = frame.f_locals[name].clone()
        return lines

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: lines if frame.f_code is forward else None)
    try:
        with torch.no_grad():
            out = model(given)
    finally:
        sys.settrace(previous)
    outputs = out if isinstance(out, tuple) else (out,)
    rows = []
    for probe in exported.probes:
        if probe.kind == "output":
            value = outputs[probe.call]
        elif probe.kind == "variable":
            value = values[probe.module, probe.call]
        else:
            value = seen[(probe.kind, probe.module)][probe.call]
        rows.append((value.movedim(1, -1) if value.dim() > 2 else value).numpy())
    return rows


def assert_computes_as_pytorch(read, summary) -> None:
    """The Keras export, given the PyTorch export's values, computes what it computes for a
    random input, row by row: every padding, crop, split, shuffle and pool as PyTorch's."""
    torch = pytest.importorskip("torch")
    keras_source = export(read, summary, "keras")
    reference_source = export(read, summary, "pytorch")
    torch.manual_seed(0)
    reference = built(reference_source.source).build().eval()
    with torch.no_grad():  # PyTorch's kernels as initialised; the rest made to matter
        for name, tensor in [*reference.named_parameters(), *reference.named_buffers()]:
            if tensor.dim() > 1 and tensor.numel() > tensor.shape[0]:
                continue
            if name.endswith(("running_var", "weight")):  # scales, slopes, variances
                tensor.uniform_(0.5, 1.5)
            elif tensor.is_floating_point():
                tensor.normal_(0, 0.1)
    model = built(keras_source.source).build()
    held = [module for module in reference.modules() if _held(module)]
    layers = [model.get_layer(name) for name in _layer_names(keras_source.source)]
    weighted = [layer for layer in layers if layer.weights]
    assert len(held) == len(weighted), (held, weighted)
    for module, layer in zip(held, weighted, strict=True):
        _copy(module, layer, torch)
    for layer in layers:  # what PyTorch's defaults are, where Keras's differ
        if hasattr(layer, "epsilon"):
            layer.epsilon = 1e-5
        if type(layer).__name__ == "LeakyReLU":
            layer.negative_slope = 0.01
    given = np.random.default_rng(0).normal(size=(1, *summary.input_shape)).astype("float32")
    first = torch.from_numpy(given)
    expected = _torch_rows(
        reference_source, reference, first.movedim(-1, 1) if first.dim() > 2 else first, torch
    )
    names = list(dict.fromkeys(probe.module for probe in keras_source.probes))
    seen = keras.Model(model.input, [model.get_layer(name).output for name in names])
    out = seen(given, training=False)
    got = dict(zip(names, out if isinstance(out, (list, tuple)) else [out], strict=True))
    rows = list(summary.flat())
    flattened = None  # a volume flattened, PyTorch's values in its order until a Linear
    for probe, row, theirs in zip(keras_source.probes, rows, expected, strict=True):
        mine = keras.ops.convert_to_numpy(got[probe.module])
        if isinstance(row.layer, Softmax) and row.layer.units:  # PyTorch's hook: its Linear's
            theirs = torch.from_numpy(theirs).softmax(-1).numpy()
        if isinstance(row.layer, Flatten) and len(row.input_shape) > 1:
            flattened = row.input_shape
        elif row.params or len(row.shape) > 1:
            flattened = None
        if flattened is not None:  # (C, H, W) to (H, W, C)
            *sizes, channels = flattened
            theirs = np.moveaxis(theirs.reshape(1, channels, *sizes), 1, -1).reshape(1, -1)
        scale = max(1.0, float(np.abs(theirs).max()))
        np.testing.assert_allclose(
            mine, theirs, rtol=1e-3, atol=1e-4 * scale, err_msg=f"row {probe.path} ({probe.name})"
        )


def _keras_averages_same_wrongly(summary) -> bool:
    """An average pool with TensorFlow's 'same' padding, uneven: Keras's torch backend
    counts the padding in (keras-team/keras#18452), where TensorFlow and JAX do not."""
    return keras.backend.backend() == "torch" and any(
        isinstance(row.layer, Pool)
        and row.layer.mode == "avg"
        and row.layer.padding == "same"
        and any(before != after for before, after in row.padding or ())
        for row in summary.flat()
    )


def _torch_cannot_average(summary) -> bool:
    """A 3-D average pool with 'same' padding on an input smaller than its kernel: Keras's
    torch backend hands the padding to torch's avg_pool3d, which refuses such an input
    (TensorFlow and JAX compute it)."""
    return keras.backend.backend() == "torch" and any(
        isinstance(row.layer, Pool) and row.layer.mode == "avg" and row.layer.padding == "same"
        and row.window is not None and len(row.input_shape) == 4
        and any(n < k for n, k in zip(row.input_shape[:-1], row.window.kernel, strict=True))
        for row in summary.flat()
    )  # fmt: skip


def _flattens_apart(summary) -> bool:
    """A flatten of a volume of several positions and channels: its values are in PyTorch's
    order, channels first, and in Keras's, channels last (a fully connected layer after it
    has its weights permuted to match, here; any other values would need the same)."""
    return any(
        isinstance(row.layer, Flatten) and len(row.input_shape) > 1
        and row.input_shape[-1] > 1 and size_of(row.input_shape[:-1]) > 1
        for row in summary.flat()
    )  # fmt: skip


@pytest.mark.parametrize(
    "name", ["alexnet", "lenet5", "m5", "resnet18", "shufflenet_v2_x1_0", "tcn"]
)
def test_bundled_specs_compute_as_pytorch(name):
    """Bundled specs of several kinds (1-D, residuals, splits and shuffles, a flatten
    before dropout) give PyTorch's numbers, row by row. (The rest do too, more slowly.)"""
    path = bundled.path(name)
    assert path is not None
    read = spec.load(path)
    assert_computes_as_pytorch(read, engine.analyze(read))


@given(networks())
@settings(max_examples=300, deadline=None)
def test_random_networks_compute_as_pytorch(document):
    """Random networks give the numbers their PyTorch export gives, its values copied."""
    read = spec.from_document(document)
    summary = engine.analyze(read)
    if _keras_averages_same_wrongly(summary) or _torch_cannot_average(summary):
        event("skipped: Keras's torch backend averages 'same' padding apart")
        return
    if _flattens_apart(summary):
        event("skipped: a volume flattened, in each framework's order")
        return
    try:
        assert_computes_as_pytorch(read, summary)
    except SpecError as refused:
        event("refused: " + refused.message.split(":")[0])


def test_a_saved_model_loads(tmp_path):
    """A model with the layers the module defines (LayerScale, Channels, MaxPoolPadding)
    saves and loads back, registered, with the same weights and the same numbers."""
    found = walked([8, 8, 4], [{"type": "maxpool", "kernel": 3, "padding": [1, 0, 0, 1]},
                               "layerscale", {"split": [["conv:2,1"], []]}])  # fmt: skip
    assert found is not None
    source = export(*found, "keras").source
    assert all(f"class {name}(layers.Layer)" in source for name in
               ("LayerScale", "Channels", "MaxPoolPadding"))  # fmt: skip
    model = built(source).build()
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    given = np.random.default_rng(0).normal(size=(1, 8, 8, 4)).astype("float32")
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded(given)), keras.ops.convert_to_numpy(model(given))
    )
