"""MobileNetV3-Large, EfficientNet-B0 and ConvNeXt-T against torchvision, where it is installed.

Optional (skipped without torchvision; CI does not install it), as tests/test_torchvision.py
does for the older specs: every row named after a module is that module
(`model.named_modules()`), of the same kind, with the same parameters of its own and the
same running statistics; every leaf module has a row, but for the two kinds listed in
NO_ROW; the rows that are no module are what torchvision does in `forward` (a sum, a
product) or a parameter that belongs to no leaf module (ConvNeXt's layer_scale). Beyond
that: each leaf module's output, recorded by a forward hook on a 224×224×3 image, has its
row's shape, and the totals are torch's own: parameters, running statistics, and MACs as
torch's FlopCounterMode counts them (FLOPs of convolutions and matrix products, 2 per
multiply-accumulate).
"""

from __future__ import annotations

import pytest

from cnncalc import bundled, engine, spec

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")
flop_counter = pytest.importorskip("torch.utils.flop_counter")

KINDS = {
    "Conv2d": "conv", "BatchNorm2d": "batchnorm", "ReLU": "relu", "Hardswish": "hardswish",
    "Hardsigmoid": "hardsigmoid", "SiLU": "silu", "Sigmoid": "sigmoid", "GELU": "gelu",
    "LayerNorm": "layernorm", "LayerNorm2d": "layernorm", "Linear": "fc", "Dropout": "dropout",
    "AdaptiveAvgPool2d": "adaptiveavgpool", "Flatten": "flatten",
    # StochasticDepth(p, "row") drops the whole branch at random in training; at inference
    # it is the identity, and it has no parameters.
    "StochasticDepth": "identity",
}  # fmt: skip
BLOCKS = {"Sequential", "Conv2dNormActivation", "InvertedResidual", "MBConv", "CNBlock",
          "SqueezeExcitation"}  # fmt: skip
# Modules with no row, each for a reason that changes no figure:
# - Permute (ConvNeXt's block.1 and block.6): torchvision turns the tensor channels last for
#   the LayerNorm and the Linears and back; cnncalc writes every shape channels last
#   whatever the memory order, so a row for it would repeat the shape before it.
# - StochasticDepth, only where its MBConv has no residual (stride 2 or c_in ≠ c_out):
#   torchvision builds the module in every MBConv, but forward calls it only before the
#   sum, so where there is no sum it does nothing and has no row.
NO_ROW = {"Permute"}
# What torchvision does in forward, by no module: the residual sums, the products
# `scale * input` of SqueezeExcitation, and MobileNetV3's and EfficientNet's
# torch.flatten(x, 1) before the classifier.
FUNCTIONAL = {"residual", "multiply", "flatten"}
SPECS = ["mobilenet_v3_large", "efficientnet_b0", "convnext_tiny"]
STATISTICS = ("running_mean", "running_var")


def _rows(name: str):
    path = bundled.path(name)
    assert path is not None, f"{name} is not a bundled spec"
    summary = engine.analyze(spec.load(path))
    return summary, list(summary.flat())


def _no_row_allowed(model, module_name: str, kind: str) -> bool:
    if kind in NO_ROW:
        return True
    if kind == "StochasticDepth":
        parent = model.get_submodule(module_name.rpartition(".")[0])
        return not parent.use_res_connect
    return False


@pytest.mark.parametrize("name", SPECS)
def test_rows_are_torchvisions_modules(name):
    model = getattr(models, name)()
    modules = dict(model.named_modules())
    parameters = dict(model.named_parameters())
    _, rows = _rows(name)
    named = {}
    for row in rows:
        if row.name in modules:
            assert row.name not in named, f"two rows are named {row.name}"
            named[row.name] = row
        elif row.name in parameters:  # a parameter of a block, not of a leaf module
            assert row.params == parameters[row.name].numel(), row.name
        else:
            assert row.kind in FUNCTIONAL, f"{row.name} ({row.kind}) is no module of {name}"
    for module_name, module in modules.items():
        if not module_name:
            continue
        kind = type(module).__name__
        own = dict(module.named_parameters(recurse=False))
        if kind in BLOCKS:
            if module_name in named:  # a container with a row: a block of cnncalc's
                assert named[module_name].branches, module_name
            for parameter in own:  # CNBlock's layer_scale: a row named after it
                assert f"{module_name}.{parameter}" in parameters
                assert any(row.name == f"{module_name}.{parameter}" for row in rows), (
                    f"{name}'s {module_name}.{parameter} has no row"
                )
            continue
        if module_name not in named:
            assert _no_row_allowed(model, module_name, kind), (
                f"{name}'s {module_name} ({kind}) has no row"
            )
            continue
        row = named[module_name]
        expected = KINDS[kind]
        assert row.kind == expected or (expected, row.kind) == (
            "adaptiveavgpool", "globalavgpool"), module_name  # fmt: skip
        assert row.params == sum(p.numel() for p in own.values()), (
            f"{module_name}: {row.params} parameters, torchvision "
            f"{sum(p.numel() for p in own.values())}"
        )
        buffers = sum(b.numel() for n, b in module.named_buffers(recurse=False) if n in STATISTICS)
        assert row.buffers == buffers, module_name


def _outputs(model) -> dict[str, tuple[int, ...]]:
    """Each leaf module's output shape, without the batch, channels last.

    A 4-D output is NCHW unless it comes between ConvNeXt's Permute([0, 2, 3, 1]) and its
    Permute([0, 3, 1, 2]), where it is already NHWC."""
    shapes: dict[str, tuple[int, ...]] = {}
    channels_last = False

    def hook(module_name: str):
        def record(module, _inputs, output):
            nonlocal channels_last
            if type(module).__name__ == "Permute":
                channels_last = list(module.dims) == [0, 2, 3, 1]
                return
            size = tuple(output.shape[1:])
            if len(size) == 3 and not channels_last:
                size = (size[1], size[2], size[0])
            shapes[module_name] = size

        return record

    for module_name, module in model.named_modules():
        if module_name and not list(module.children()):
            module.register_forward_hook(hook(module_name))
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return shapes


@pytest.mark.parametrize("name", SPECS)
def test_each_modules_output_is_its_rows_shape(name):
    model = getattr(models, name)().eval()
    shapes = _outputs(model)
    _, rows = _rows(name)
    named = {row.name: row for row in rows}
    for module_name, size in shapes.items():
        assert named[module_name].shape == size, module_name
    # the Linears inside a CNBlock act at each position; the classifier's flatten first
    for row in rows:
        if row.kind == "fc":
            assert row.layer.flatten is (row.name.startswith("classifier")), row.name


@pytest.mark.parametrize("name", SPECS)
def test_totals_are_torchs(name):
    model = getattr(models, name)().eval()
    summary, _ = _rows(name)
    assert summary.params == sum(p.numel() for p in model.parameters())
    statistics = sum(b.numel() for n, b in model.named_buffers() if n.endswith(STATISTICS))
    assert sum(row.buffers for row in summary.rows) == statistics
    counter = flop_counter.FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    assert summary.macs * 2 == counter.get_total_flops()
