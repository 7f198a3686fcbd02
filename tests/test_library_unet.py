"""The bundled U-Net against its paper, worked out here by hand.

Ronneberger, Fischer and Brox (2015), Figure 1: 572×572×1 in; each level two unpadded
3×3 convs (n − 2 each); 2×2 max pools (n/2); 2×2 up-convolutions (2n) to half the
channels; the encoder's features centre-cropped and joined first; a 1×1 conv to 2
classes. Its 31,030,658 parameters are the figure's convs with biases, added up below.
"""

from __future__ import annotations

from itertools import pairwise

from cnncalc import bundled, engine, spec


def analyze() -> engine.Summary:
    path = bundled.path("unet")
    assert path is not None
    return engine.analyze(spec.load(path))


def conv(k: int, c_in: int, c_out: int) -> int:
    return (k * k * c_in + 1) * c_out


def test_unet_parameters_level_by_level():
    widths = [64, 128, 256, 512, 1024]
    encoder = (
        conv(3, 1, 64)
        + conv(3, 64, 64)
        + sum(conv(3, c_in, c_out) + conv(3, c_out, c_out) for c_in, c_out in pairwise(widths))
    )
    decoder = sum(
        (2 * 2 * c_in * c_out + c_out)  # up-conv 2×2, with bias
        + conv(3, 2 * c_out, c_out)  # the joined skip doubles the channels
        + conv(3, c_out, c_out)
        for c_in, c_out in pairwise(widths[::-1])
    )
    head = conv(1, 64, 2)
    summary = analyze()
    assert summary.params == encoder + decoder + head == 31_030_658
    assert summary.buffers == 0


def test_unet_sizes_follow_the_figure():
    """572 → 570 → 568, halved and less 4 at each level down to 28; each level up doubles
    and loses 4: 56 − 4 = 52, 104 − 4 = 100, 200 − 4 = 196, 392 − 4 = 388."""
    down = [572 - 4]
    for _ in range(4):
        down.append(down[-1] // 2 - 4)
    assert down == [568, 280, 136, 64, 28]
    up = [down[-1]]
    for _ in range(4):
        up.append(2 * up[-1] - 4)
    assert up == [28, 52, 100, 196, 388]
    rows = analyze().rows
    assert [row.shape[0] for row in rows[:5]] == down
    assert [row.shape[0] for row in rows[4:9]] == up
    assert rows[-1].shape == (388, 388, 2)


def test_unet_crops_each_skip_by_half_the_difference():
    """The join of level 4: e4 is 64×64, the up-conv gives 56×56: (64 − 56)/2 = 4 cut a
    side; 512 + 512 channels."""
    level = analyze().rows[5]
    up, join = level.children[:2]
    assert up.shape == (2 * 28, 2 * 28, 512)
    assert join.shape == (56, 56, 512 + 512)
