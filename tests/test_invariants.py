"""The invariant checker catches what it is there to catch: a figure that does not add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import invariants

GOLDEN = Path(__file__).parent / "golden" / "table"


def _read(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("11,689,512", "11,689,513"),  # the Total of the parameters
        ("1,814,073,344", "1,814,073,345"),  # the MACs Total, so FLOPs ≠ 2 × MACs too
        ("activations 29.91 MB", "activations 30.01 MB"),  # the memory footer
    ],
)
def test_plain_catches_a_wrong_figure(old, new):
    """One figure changed in the rendered text fails the check."""
    text = _read("resnet18.all.txt")
    assert old in text
    tampered = text.replace(old, new, 1)
    with pytest.raises(AssertionError):
        invariants.check_plain(tampered)


def test_plain_catches_a_block_that_does_not_sum():
    """A block row whose parameters differ from its layers' sum fails, even if the Total holds."""
    text = _read("zoo.all.txt")
    line = next(line for line in text.splitlines() if line.startswith("| down "))
    tampered = text.replace(line, line.replace("5,184", "5,185", 1))
    with pytest.raises(AssertionError, match="block row"):
        invariants.check_plain(tampered)


def test_markdown_catches_a_wrong_total():
    text = _read("resnet50.all.md")
    invariants.check_markdown(text)
    with pytest.raises(AssertionError):
        invariants.check_markdown(text.replace("**25,557,032**", "**25,557,031**"))


def test_json_catches_wrong_memory():
    document = json.loads(_read("googlenet.all.json"))
    invariants.check_json(json.dumps(document))
    document["totals"]["memory"]["activations"] += 4
    with pytest.raises(AssertionError):
        invariants.check_json(json.dumps(document))


def test_csv_catches_a_row_that_does_not_sum():
    text = _read("resnet18.all.csv")
    totals = invariants.check_json(_read("resnet18.all.json"))
    invariants.check_csv(text, totals)
    with pytest.raises(AssertionError):
        invariants.check_csv(text.replace(",9408,9408,", ",9409,9409,", 1), totals)


@pytest.mark.parametrize(
    ("shown", "exact", "holds"),
    [("3.21 MB", 3_211_264, True), ("3.22 MB", 3_211_264, False), ("288 B", 288, True),
     ("287 B", 288, False), ("1,000.00 KB", 999_996, True), ("602112", 602_112, True)],
)  # fmt: skip
def test_bytes_within_their_rounding(shown, exact, holds):
    """3.21 MB stands for 3,205,000 to 3,215,000 bytes, and nothing else."""
    if holds:
        invariants.assert_bytes(shown, exact)
    else:
        with pytest.raises(AssertionError):
            invariants.assert_bytes(shown, exact)


@pytest.mark.parametrize(
    ("old", "new"),
    [(",12288,1,1,0,", ",12.29 KB,1,1,0,"), (",0x1x0x1,0.5149", ",(0 1 0 1),0.5149"),
     (",0.5149", ",0.5%")],
)  # fmt: skip
def test_csv_refuses_display_text(old, new):
    """Figures formatted for people (12.29 KB, (0 1 0 1), 0.5%) are not raw CSV cells."""
    text = _read("zoo.all.csv")
    totals = invariants.check_json(_read("zoo.all.json"))
    invariants.check_csv(text, totals)
    assert old in text
    with pytest.raises(AssertionError, match="raw figure"):
        invariants.check_csv(text.replace(old, new, 1), totals)
