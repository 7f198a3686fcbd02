"""The bundled torchvision specs against torchvision itself, where it is installed.

Optional (skipped without torchvision; CI does not install it): every row named
after a module is that module, `model.named_modules()`, with the same type
and the same parameters of its own; every leaf module has a row; and the rows
that are no module are what torchvision does in `forward` (a sum, a flatten,
a functional pool).
"""

from __future__ import annotations

import pytest

from cnncalc import bundled, engine, spec

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")

KINDS = {
    "Conv2d": "conv", "BatchNorm2d": "batchnorm", "ReLU": "relu", "ReLU6": "relu6",
    "MaxPool2d": "maxpool", "AdaptiveAvgPool2d": "adaptiveavgpool", "Linear": "fc",
    "Dropout": "dropout",
}  # fmt: skip
BLOCKS = {"Sequential", "BasicBlock", "Bottleneck", "InvertedResidual", "Conv2dNormActivation",
          "BasicConv2d", "Inception"}  # fmt: skip
# What torchvision does in forward, by no module: sums, concatenations, flattens, the
# functional pool of MobileNetV2 and the F.relu of GoogLeNet's BasicConv2d.
FUNCTIONAL = {"residual", "concat", "flatten", "globalavgpool", "relu"}
SPECS = ["alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "googlenet"]
OPTIONS = {"googlenet": {"aux_logits": False, "init_weights": False}}


@pytest.mark.parametrize("name", SPECS)
def test_rows_are_torchvisions_modules(name):
    model = getattr(models, name)(**OPTIONS.get(name, {}))
    modules = dict(model.named_modules())
    path = bundled.path(name)
    assert path is not None
    rows = list(engine.analyze(spec.load(path)).flat())
    named = {}
    for row in rows:
        if row.name in modules:
            named.setdefault(row.name, row)
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
        expected = KINDS[kind]
        assert row.kind == expected or (expected, row.kind) == (
            "adaptiveavgpool", "globalavgpool"), module_name  # fmt: skip
        own = sum(p.numel() for p in module.parameters(recurse=False))
        assert row.params == own, f"{module_name}: {row.params} parameters, torchvision {own}"
        buffers = sum(b.numel() for n, b in module.named_buffers(recurse=False)
                      if n in ("running_mean", "running_var"))  # fmt: skip
        assert row.buffers == buffers, module_name
