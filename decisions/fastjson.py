"""JSON text of a stored decision, written by orjson.

A decision's verdict, economics and cost panel come to about 8 KB of JSON, written twice per
decision the API records: into the database and into the response. The standard library's
json took as long to write them as SQLite took to store the row; orjson takes a tenth of that.

For the plain dicts, lists, strings, numbers, booleans and None written here, the text reads
back as json.dumps's does: no space after separators, and UTF-8 where json writes \\u escapes.
Where the two differ, json has the last word: an integer beyond 64 bits, a date, a dataclass or
a subclass of str, int, dict or list is handed to json, which writes it or raises TypeError as
before. One difference is left: orjson writes a float NaN or infinity as null where json writes
NaN, which is not JSON at all; a decision holds none (engine.Economics refuses them, and the
panel's figures come from Decimals).
"""

import json

import orjson

# Keys that are not strings become strings, as json.dumps makes them.
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _refuse(value: object) -> object:
    raise TypeError(f"left to json: {type(value).__name__}")


def dumps(value: object, *, indent: bool = False) -> bytes:
    """`value` as UTF-8 JSON; with `indent`, laid out as json.dumps(value, indent=2) lays it
    out, for people to read. Numbers are spelled as orjson spells them, which for very small
    floats is not json's ("6e-7" where json writes "6e-07"): the same values either way."""
    options = (_OPTIONS | orjson.OPT_INDENT_2) if indent else _OPTIONS
    try:
        return orjson.dumps(value, default=_refuse, option=options)
    except orjson.JSONEncodeError:
        return json.dumps(value, indent=2 if indent else None).encode()


class Encoder(json.JSONEncoder):
    """For Django's JSON columns (connection.ops.adapt_json_value): json.dumps(value, cls=Encoder)
    writes through dumps() above."""

    def encode(self, o: object) -> str:
        return dumps(o).decode()
