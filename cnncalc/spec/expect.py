"""Reading `expect`: what the author says a layer, or the whole network, should give."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnncalc.errors import LayerRef, SpecError, Where, suggestion
from cnncalc.model import Expectation
from cnncalc.shapes import from_layout
from cnncalc.spec import axes, values
from cnncalc.spec.marked import key_at, value_at

SPEC_EXPECT_KEYS = ("output", "params")
LAYER_EXPECT_KEYS = ("shape", "params")


def spec_expectation(raw: Any, where: Where | None, source: str | None, layout: str) -> Expectation:
    """`expect: {output: [10], params: 62958}` at the top of a spec."""
    if not isinstance(raw, Mapping):
        raise SpecError(
            "expect must be a mapping such as {output: [10], params: 62958}, "
            f"got {values.show(raw)}",
            where,
        )
    return _expectation(
        raw, where, source, None, "output", SPEC_EXPECT_KEYS, "the spec's expect", layout
    )


def layer_expectation(
    raw: Any, where: Where | None, source: str | None, ref: LayerRef, layout: str
) -> Expectation:
    """A layer's `expect`: its output shape, or {shape: [...], params: N}."""
    if not isinstance(raw, Mapping):
        with values.located(where, ref, "; or give {shape: [...], params: N}"):
            shape = from_layout(axes.dims("expect", raw), layout)
            return Expectation(shape=shape, shape_where=where)
    return _expectation(
        raw, where, source, ref, "shape", LAYER_EXPECT_KEYS, "a layer's expect", layout
    )


def _expectation(
    raw: Mapping[Any, Any],
    where: Where | None,
    source: str | None,
    ref: LayerRef | None,
    shape_key: str,
    keys: Sequence[str],
    what: str,
    layout: str,
) -> Expectation:
    if not raw:  # an expect that checks nothing would let CI pass on anything
        raise SpecError(
            f"{what} is empty, so it checks nothing; give {' and/or '.join(keys)}, or remove it",
            where,
            ref,
        )
    for key in raw:
        if key not in keys:
            raise SpecError(
                f"{what} has no key {values.show(key)}"
                + suggestion(str(key), keys, f"; its keys are {', '.join(keys)}"),
                key_at(raw, key, source) or where,
                ref,
            )
    shape_where = value_at(raw, shape_key, source) or where
    params_where = value_at(raw, "params", source) or where
    shape = params = None
    with values.located(shape_where, ref):
        if shape_key in raw:
            shape = from_layout(axes.dims(shape_key, raw[shape_key]), layout)
    with values.located(params_where, ref):
        if "params" in raw:
            params = values.count("params", raw["params"])
    return Expectation(shape, params, shape_where, params_where)
