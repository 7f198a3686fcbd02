"""The JSON Schema of the spec format: shipped, current, and right about specs."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from cnncalc.spec import schema
from tests.conftest import SPECS

VALIDATOR = jsonschema.Draft7Validator(schema.build())


def valid(document) -> bool:
    return VALIDATOR.is_valid(document)


def test_shipped_file_is_current():
    """The file the package ships equals what the registry generates today."""
    assert schema.shipped() == schema.text(), (
        "regenerate it: python -m cnncalc.spec.schema > cnncalc/spec/spec.schema.json"
    )


def test_schema_is_a_valid_draft_7_schema():
    """Editors can load it."""
    jsonschema.Draft7Validator.check_schema(schema.build())


def test_every_definition_is_used_and_every_reference_resolves():
    """A definition no field refers to is dead weight; a reference to none is a bug."""
    built = schema.build()
    refs = set(re.findall(r'"\$ref": "#/definitions/(\w+)"', json.dumps(built)))
    assert refs == set(built["definitions"])


def test_cnncalc_schema_prints_it(run):
    """`cnncalc schema` prints the shipped schema."""
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "cnncalc spec"


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_spec_validates(path):
    """The bundled specs are valid against the schema."""
    VALIDATOR.validate(yaml.safe_load(path.read_text()))


def test_misspelled_key_is_rejected():
    """stirde is not a key of conv: the schema says no, as cnncalc does."""
    document = {"input": [32, 32, 3], "layers": [{"type": "conv", "filters": 8, "kernel": 5}]}
    assert valid(document)
    document["layers"][0]["stirde"] = 2
    assert not valid(document)


@pytest.mark.parametrize(
    ("layer", "ok"),
    [
        ("conv:16,5", True),
        ("Conv2D:16,5", True),
        ("cnov:16,5", False),
        ({"type": "MaxPooling2D", "pool_size": 2}, True),
        ({"type": "conv", "filters": 8}, False),  # no kernel
        ({"type": "conv", "filters": 8, "f": 3}, True),  # the kernel by its course name
        ({"type": "conv", "filters": 0, "kernel": 3}, False),
        ({"type": "conv", "filters": 8, "kernel": [3, 5], "padding": [0, 1, 0, 1]}, True),
        ({"type": "conv", "filters": 8, "kernel": 3, "padding": "SAME"}, True),
        ({"type": "fc", "units": 10, "expect": {"shape": [10], "params": 0}}, True),
        ({"type": "fc", "units": 10, "expect": {"shpae": [10]}}, False),
        ({"type": "zeropad", "padding": [1, 2]}, True),
        ({"type": "zeropad", "padding": "same"}, False),  # cnncalc refuses it too
    ],
)
def test_layers(layer, ok):
    """Shorthand and mappings, aliases and case, as cnncalc reads them."""
    assert valid({"input": [32, 32, 3], "layers": [layer]}) is ok


def test_layout_key():
    """layout: chw is part of the format; other layouts are not."""
    document = {"layout": "chw", "input": [3, 32, 32], "layers": ["conv:8,5"]}
    assert valid(document)
    assert not valid({**document, "layout": "nhwc"})


def test_a_layer_type_given_by_a_block_parameter():
    """A named block may take its activation as a parameter, in shorthand or as a type;
    cnncalc reads both, so the schema accepts both."""
    document = {
        "input": [8, 8, 4],
        "blocks": {"b": {"params": {"act": "relu"}, "layers": ["$act:name=$name.act",
                                                               {"type": "$act"}]}},
        "layers": [{"use": "b", "name": "x", "act": "hardswish"}],
    }  # fmt: skip
    assert valid(document)
    assert not valid({**document, "layers": [{"type": "$act!"}]})
