"""DenseNet-121 and ShuffleNetV2 1.0× against torchvision itself, where it is installed.

Optional (skipped without torchvision; CI does not install it), as tests/test_torchvision.py
does for the other specs: every row named after a module is that module, of the same kind
with the same parameters and running statistics of its own; every leaf module has a row;
the rows that are no module are what torchvision does in `forward` (its joins, splits and
channel shuffles, DenseNet's F.relu, pool and flatten, ShuffleNet's mean). Beyond it, a
forward pass of a 224×224 image gives each module's input and output shapes, which the
rows must have (channels last), and each conv's and linear layer's MACs are worked out
from the module's own attributes and that pass.
"""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from cnncalc.shapes import size_of
from tests.conftest import SPECS

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")

KINDS = {
    "Conv2d": "conv", "BatchNorm2d": "batchnorm", "ReLU": "relu", "MaxPool2d": "maxpool",
    "AvgPool2d": "avgpool", "Linear": "fc",
}  # fmt: skip
# Containers: a row named after one must be a block of cnncalc's.
BLOCKS = {"Sequential", "_DenseBlock", "_DenseLayer", "_Transition", "InvertedResidual"}
# What torchvision does in forward, by no module: DenseNet's joins in _DenseBlock.forward,
# its F.relu, adaptive_avg_pool2d and flatten; ShuffleNet's torch.cat, x.chunk with
# torch.cat, channel_shuffle and x.mean([2, 3]).
FUNCTIONAL = {"concat", "split", "channelshuffle", "relu", "globalavgpool", "flatten"}
SPECS_AND_WEIGHTS = {
    "densenet121": "DenseNet121_Weights",
    "shufflenet_v2_x1_0": "ShuffleNet_V2_X1_0_Weights",
}


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's (1, C, H, W) as cnncalc writes it, (H, W, C); (1, N) as (N,)."""
    return (*shape[2:], shape[1]) if len(shape) == 4 else tuple(shape[1:])


def traced(model):
    """Each module's input and output shapes (torch.Size) in a forward pass of one image,
    and whether the input was a list of tensors (a _DenseLayer's features so far: their
    shape is the shape of their concatenation, taken at once, as the list grows after)."""
    seen = {}

    def hook(name):
        def record(module, args, output):
            (given,) = args
            joined = isinstance(given, list)
            if joined:
                given = torch.cat(given, 1)
            seen[name] = (given.shape, output.shape, joined)

        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, 224, 224))
    for handle in handles:
        handle.remove()
    return seen


def mac_count(module, output_shape) -> int:
    """A conv's H_out·W_out·C_out·k_h·k_w·C_in/groups, a linear layer's in·out."""
    if isinstance(module, torch.nn.Conv2d):
        _, c_out, h, w = output_shape
        k_h, k_w = module.kernel_size
        return h * w * c_out * k_h * k_w * module.in_channels // module.groups
    if isinstance(module, torch.nn.Linear):
        return module.in_features * module.out_features
    return 0


@pytest.fixture(scope="module", params=list(SPECS_AND_WEIGHTS))
def network(request):
    name = request.param
    model = getattr(models, name)()
    summary = engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))
    return name, model, summary


def test_rows_are_torchvisions_modules(network):
    name, model, summary = network
    modules = dict(model.named_modules())
    named = {}
    for row in summary.flat():
        if row.name in modules:
            assert row.name not in named, f"two rows are named {row.name}"
            named[row.name] = row
        else:
            assert row.kind in FUNCTIONAL, f"{row.name} ({row.kind}) is no module of {name}"
    for module_name, module in modules.items():
        if not module_name:
            continue
        kind = type(module).__name__
        if kind in BLOCKS:
            if module_name in named:  # a container with a row: a block of cnncalc's
                assert named[module_name].branches, module_name
            continue
        assert module_name in named, f"{name}'s {module_name} ({kind}) has no row"
        row = named[module_name]
        assert row.kind == KINDS[kind], module_name
        own = sum(p.numel() for p in module.parameters(recurse=False))
        assert row.params == own, f"{module_name}: {row.params} parameters, torchvision {own}"
        buffers = sum(b.numel() for n, b in module.named_buffers(recurse=False)
                      if n in ("running_mean", "running_var"))  # fmt: skip
        assert row.buffers == buffers, module_name


def test_containers_hold_their_modules_parameters(network):
    """A block's row named after a container holds all of the container's parameters and
    statistics: the layers under it are the module's and nothing else."""
    _, model, summary = network
    modules = dict(model.named_modules())
    checked = 0
    for row in summary.flat():
        module = modules.get(row.name)
        if module is None or not row.branches:
            continue
        assert row.params == sum(p.numel() for p in module.parameters()), row.name
        stats = sum(b.numel() for n, b in module.named_buffers() if n.endswith("running_mean"))
        assert row.buffers == 2 * stats, row.name
        checked += 1
    assert checked > 10


def test_totals_are_torchvisions(network):
    """`sum(p.numel() for p in model.parameters())`, and the running means and variances."""
    _, model, summary = network
    assert summary.params == sum(p.numel() for p in model.parameters())
    assert summary.buffers == sum(
        b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var"))
    )
    assert summary.output_shape == (1000,)


def test_shapes_are_a_forward_pass(network):
    """Each module's row has the module's input and output shapes, channels last. A dense
    layer's row is the layer and the join after it: torchvision's _DenseLayer takes the
    features so far (a list of tensors) and gives only its 32 new channels, which
    _DenseBlock.forward concatenates with them; the row gives the joined features."""
    _, model, summary = network
    seen = traced(model)
    checked = set()
    for row in summary.flat():
        if row.name not in seen:
            continue
        given, output, joined = seen[row.name]
        if row.kind == "fc":  # cnncalc's fc flattens its input itself: (1, 1, 1024) is 1,024
            assert size_of(row.input_shape) == size_of(channels_last(given)), row.name
        else:
            assert row.input_shape == channels_last(given), row.name
        if joined:  # a _DenseLayer: the features so far and its new channels, joined
            c_in, c_new = given[1], output[1]
            assert row.shape == (*channels_last(output)[:-1], c_in + c_new), row.name
        else:
            assert row.shape == channels_last(output), row.name
        checked.add(row.name)
    # every layer ran and has a row (a stride-1 unit's branch1 is an empty Sequential)
    layers = {n for n, m in model.named_modules() if type(m).__name__ in KINDS}
    assert layers <= checked


def test_macs_from_the_modules(network):
    """Each conv's and linear layer's MACs from its own attributes and its output in a
    forward pass; their sum is the spec's, and is torchvision's published `_ops`."""
    name, model, summary = network
    seen = traced(model)
    modules = dict(model.named_modules())
    total = 0
    for module_name, (_, output, _) in seen.items():
        expected = mac_count(modules[module_name], output)
        total += expected
        if expected:
            row = next(r for r in summary.flat() if r.name == module_name)
            assert row.macs == expected, module_name
    assert summary.macs == total
    weights = getattr(models, SPECS_AND_WEIGHTS[name]).IMAGENET1K_V1
    assert f"{total / 10**9:.3f}" == f"{weights.meta['_ops']:.3f}"
    assert summary.params == weights.meta["num_params"]
