"""decisions.fastjson: orjson's text, read back as json's."""

import json

import pytest

from decisions import fastjson

VALUES = [
    {"a": [1, 2.5, None, True], "b": {"c": "naïve – “quoted”"}, "d": {}, "e": []},
    {"too big for orjson": 2**70, "list": [{"x": 1}]},  # handed to json
    {"per token": 6e-07, "per request": 2.64e-06, "tiny": 1e-300},  # spelled otherwise than json
]


@pytest.mark.parametrize("value", VALUES)
def test_it_reads_back_as_the_value(value):
    assert json.loads(fastjson.dumps(value)) == value
    assert json.loads(fastjson.dumps(value, indent=True)) == value


def test_indented_it_is_laid_out_as_json_lays_it_out():
    ordinary, too_big, _ = VALUES
    assert fastjson.dumps(ordinary, indent=True).decode() == json.dumps(
        ordinary, indent=2, ensure_ascii=False
    )
    assert fastjson.dumps(too_big, indent=True).decode() == json.dumps(too_big, indent=2)


def test_unindented_it_has_no_spaces_or_newlines():
    assert fastjson.dumps({"a": [1, {"b": "c"}]}) == b'{"a":[1,{"b":"c"}]}'
