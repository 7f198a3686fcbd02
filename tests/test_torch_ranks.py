"""M5, the TCN and C3D built in PyTorch, against the bundled specs, where torch is installed.

Optional (skipped without torch; CI does not install it). Each network is
written here in torch.nn from its source, independently of the spec:

- M5: the torchaudio speech-commands tutorial's M5 class at the paper's widths
  (Dai et al., 2017, Table 1): Conv1d(1, 128, 80, stride=4), then 128, 256 and
  512 channels of kernel 3, a BatchNorm1d after each conv, MaxPool1d(4) after
  each ReLU, F.avg_pool1d over the whole length, Linear(512, 10).
- TCN: locuslab/TCN's TemporalBlock and TemporalConvNet (TCN/tcn.py) and the
  TCN of TCN/mnist_pixel/model.py with its defaults (8 levels of 25, kernel 7):
  a causal conv is Conv1d(padding=(k − 1)·d) then Chomp1d, which cuts the last
  (k − 1)·d outputs. Plain Conv1d, without weight_norm, for the spec's count;
  with it, the count locuslab's code gives.
- C3D: DavideA/c3d-pytorch's C3D (C3D_model.py), whose conv1 and conv2 the
  paper calls conv1a and conv2a.

A zeros input of the spec's shape (batch 1) is run through the network a layer
at a time; each layer's output, less the batch axis and with the channels moved
last (cnncalc's order), is the shape of that layer's row. The parameters of each
module are its row's, and `sum(p.numel() for p in model.parameters())` is the
spec's total.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cnncalc import bundled, engine, spec

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


def analyze(name: str) -> engine.Summary:
    path = bundled.path(name)
    assert path is not None, name
    return engine.analyze(spec.load(path))


def leaves(summary: engine.Summary) -> list:
    return [row for row in summary.flat() if not row.branches]


def channels_last(tensor) -> tuple[int, ...]:
    """(1, C, *spatial) as cnncalc writes it, (*spatial, C); (1, n) as (n,)."""
    shape = tuple(tensor.shape[1:])
    return shape if len(shape) == 1 else (*shape[1:], shape[0])


def run_steps(steps: list[tuple[str, Callable]], x) -> list[tuple[str, tuple[int, ...]]]:
    """Each step's name and the shape of its output, channels last."""
    shapes = []
    with torch.no_grad():
        for name, step in steps:
            x = step(x)
            shapes.append((name, channels_last(x)))
    return shapes


def count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def assert_matches(rows: list, shapes: list[tuple[str, tuple[int, ...]]], modules: dict) -> None:
    """Row by row: the same shape as torch's; a row named after a module has its parameters."""
    assert [row.shape for row in rows] == [shape for _, shape in shapes]
    for row, (name, _) in zip(rows, shapes, strict=True):
        if name in modules:
            assert row.params == count(modules[name]), name


# --- M5 -------------------------------------------------------------------------------


class M5(nn.Module):
    """The tutorial's M5, widened to the paper's: 128, 128, 256, 512 channels, stride 4."""

    def __init__(self, n_output: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(1, 128, kernel_size=80, stride=4)
        self.bn1 = nn.BatchNorm1d(128)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(128, 128, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(128)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(128, 256, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(256)
        self.pool3 = nn.MaxPool1d(4)
        self.conv4 = nn.Conv1d(256, 512, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(512)
        self.pool4 = nn.MaxPool1d(4)
        self.fc1 = nn.Linear(512, n_output)

    def steps(self) -> list[tuple[str, Callable]]:
        steps: list[tuple[str, Callable]] = []
        for i in range(1, 5):
            steps += [
                (f"conv{i}", getattr(self, f"conv{i}")),
                (f"bn{i}", getattr(self, f"bn{i}")),
                ("relu", F.relu),
                (f"pool{i}", getattr(self, f"pool{i}")),
            ]
        return [
            *steps,
            ("avg_pool1d", lambda x: F.avg_pool1d(x, x.shape[-1])),
            ("fc1", lambda x: self.fc1(x.flatten(1))),
            ("log_softmax", lambda x: F.log_softmax(x, dim=1)),
        ]


def test_m5_against_torch():
    model = M5().eval()
    summary = analyze("m5")
    shapes = run_steps(model.steps(), torch.zeros(1, 1, 8000))
    assert_matches(leaves(summary), shapes, dict(model.named_modules()))
    assert summary.params == count(model)
    # The batch norms' running means and variances: buffers, not parameters.
    stats = sum(b.numel() for name, b in model.named_buffers() if "running" in name)
    assert summary.buffers == stats


# --- TCN ------------------------------------------------------------------------------


class Chomp1d(nn.Module):
    def __init__(self, chomp_size: int) -> None:
        super().__init__()
        self.chomp_size = chomp_size

    def forward(self, x):
        return x[:, :, : -self.chomp_size].contiguous()


class TemporalBlock(nn.Module):
    """locuslab's TemporalBlock, with plain Conv1d where it has weight_norm(Conv1d)."""

    def __init__(self, n_in: int, n_out: int, k: int, dilation: int, dropout: float) -> None:
        super().__init__()
        padding = (k - 1) * dilation
        self.conv1 = nn.Conv1d(n_in, n_out, k, padding=padding, dilation=dilation)
        self.chomp1 = Chomp1d(padding)
        self.relu1 = nn.ReLU()
        self.dropout1 = nn.Dropout(dropout)
        self.conv2 = nn.Conv1d(n_out, n_out, k, padding=padding, dilation=dilation)
        self.chomp2 = Chomp1d(padding)
        self.relu2 = nn.ReLU()
        self.dropout2 = nn.Dropout(dropout)
        self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None
        self.relu = nn.ReLU()

    def steps(self, prefix: str, x, shapes: list):
        """The block's output; each layer's shape in the order of cnncalc's rows."""
        out = x
        for name, layers in (
            ("conv1", (self.conv1, self.chomp1)), ("relu1", (self.relu1,)),
            ("dropout1", (self.dropout1,)), ("conv2", (self.conv2, self.chomp2)),
            ("relu2", (self.relu2,)), ("dropout2", (self.dropout2,)),
        ):  # fmt: skip
            for layer in layers:
                out = layer(out)
            shapes.append((f"{prefix}.{name}", channels_last(out)))
        res = x
        if self.downsample is not None:
            res = self.downsample(x)
            shapes.append((f"{prefix}.downsample", channels_last(res)))
        out = self.relu(out + res)
        shapes.append((f"{prefix}.relu", channels_last(out)))
        return out


class TemporalConvNet(nn.Module):
    def __init__(self, n_in: int, channels: list[int], k: int, dropout: float) -> None:
        super().__init__()
        self.network = nn.Sequential(*(
            TemporalBlock(n_in if i == 0 else channels[i - 1], width, k, 2**i, dropout)
            for i, width in enumerate(channels)
        ))  # fmt: skip


class TCN(nn.Module):
    """TCN/mnist_pixel/model.py: the TemporalConvNet, then a linear layer on the last step."""

    def __init__(self, levels: int = 8, width: int = 25, k: int = 7) -> None:
        super().__init__()
        self.tcn = TemporalConvNet(1, [width] * levels, k, dropout=0.05)
        self.linear = nn.Linear(width, 10)

    def shapes(self, x) -> list[tuple[str, tuple[int, ...]]]:
        shapes: list[tuple[str, tuple[int, ...]]] = []
        with torch.no_grad():
            for i, block in enumerate(self.tcn.network):
                x = block.steps(f"tcn.network.{i}", x, shapes)
            last = x[:, :, -1:]  # y[:, :, -1], keeping its axis: 1 step of 25 channels
            shapes.append(("last step", channels_last(last)))
            o = self.linear(last.flatten(1))
            shapes.append(("linear", channels_last(o)))
            shapes.append(("log_softmax", channels_last(F.log_softmax(o, dim=1))))
        return shapes


def test_tcn_against_torch():
    model = TCN().eval()
    summary = analyze("tcn")
    modules = dict(model.named_modules())
    rows = leaves(summary)
    assert_matches(rows, model.shapes(torch.zeros(1, 1, 784)), modules)
    assert summary.params == count(model)  # without weight norm
    # Every row but the stand-in for the last step and the log_softmax is one of
    # locuslab's modules, of the same type.
    kinds = {"Conv1d": "conv", "ReLU": "relu", "Dropout": "dropout", "Linear": "fc"}
    for row in rows[:-3] + rows[-2:-1]:
        assert kinds[type(modules[row.name]).__name__] == row.kind, row.name


def test_tcn_weight_norm_adds_a_g_per_output_channel():
    """locuslab wraps conv1 and conv2 of each block in weight_norm: 2 × 25 × 8 = 400 more."""
    model = TCN()
    for block in model.tcn.network:
        nn.utils.parametrizations.weight_norm(block.conv1)
        nn.utils.parametrizations.weight_norm(block.conv2)
    assert count(model) == analyze("tcn").params + 2 * 25 * 8


def test_causal_padding_is_locuslabs_pad_and_chomp():
    """Padding (k − 1)·d on both sides and chomping as many outputs off the end gives the
    outputs of padding (k − 1)·d before and none after, cnncalc's `causal`."""
    torch.manual_seed(0)
    k, d = 7, 4
    conv = nn.Conv1d(3, 5, k, padding=(k - 1) * d, dilation=d)
    x = torch.randn(1, 3, 50)
    with torch.no_grad():
        chomped = Chomp1d((k - 1) * d)(conv(x))
        left = F.conv1d(F.pad(x, ((k - 1) * d, 0)), conv.weight, conv.bias, dilation=d)
    assert chomped.shape == left.shape == (1, 5, 50)
    assert torch.allclose(chomped, left)


# --- C3D ------------------------------------------------------------------------------


class C3D(nn.Module):
    """DavideA/c3d-pytorch's C3D, module for module."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv3d(3, 64, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.pool1 = nn.MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2))
        self.conv2 = nn.Conv3d(64, 128, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.pool2 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.conv3a = nn.Conv3d(128, 256, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.conv3b = nn.Conv3d(256, 256, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.pool3 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.conv4a = nn.Conv3d(256, 512, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.conv4b = nn.Conv3d(512, 512, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.pool4 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2))
        self.conv5a = nn.Conv3d(512, 512, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.conv5b = nn.Conv3d(512, 512, kernel_size=(3, 3, 3), padding=(1, 1, 1))
        self.pool5 = nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 1, 1))
        self.fc6 = nn.Linear(8192, 4096)
        self.fc7 = nn.Linear(4096, 4096)
        self.fc8 = nn.Linear(4096, 487)
        self.dropout = nn.Dropout(p=0.5)
        self.relu = nn.ReLU()
        self.softmax = nn.Softmax(dim=1)

    def steps(self) -> list[tuple[str, Callable]]:
        """forward's calls in order, each named as the paper (and the spec) names it."""
        relu, dropout = ("relu", self.relu), ("dropout", self.dropout)
        return [
            ("conv1a", self.conv1), relu, ("pool1", self.pool1),
            ("conv2a", self.conv2), relu, ("pool2", self.pool2),
            ("conv3a", self.conv3a), relu, ("conv3b", self.conv3b), relu, ("pool3", self.pool3),
            ("conv4a", self.conv4a), relu, ("conv4b", self.conv4b), relu, ("pool4", self.pool4),
            ("conv5a", self.conv5a), relu, ("conv5b", self.conv5b), relu, ("pool5", self.pool5),
            ("flatten", lambda h: h.view(-1, 8192)),
            ("fc6", self.fc6), relu, dropout,
            ("fc7", self.fc7), relu, dropout,
            ("fc8", self.fc8), ("softmax", self.softmax),
        ]  # fmt: skip


def test_c3d_against_torch():
    model = C3D().eval()
    summary = analyze("c3d")
    modules = dict(model.named_modules())
    modules.update(conv1a=model.conv1, conv2a=model.conv2)  # the paper's names
    shapes = run_steps(model.steps(), torch.zeros(1, 3, 16, 112, 112))
    assert_matches(leaves(summary), shapes, modules)
    assert summary.params == count(model)
