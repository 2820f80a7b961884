"""Django's SQLite backend, remembering each statement's conversion to SQLite's placeholders.

Django writes parameters as %s; Python's sqlite3 takes ?. Django's cursor rewrites every
statement with a regular expression on every execute: about 20 µs for the 40-column INSERT of a
decision and again for the price sheet's SELECT, together a tenth of an API POST. A statement's
text decides its conversion, so this cursor converts each text once and looks it up after.

Everything else is Django's backend unchanged. Django calls convert_query() from execute() and
executemany(); tests/platform/test_sqlite.py pins that it still does, and that the conversion
is Django's own.
"""

from django.db.backends.sqlite3 import base

# Statements seen, by text; when it is full (text built afresh each time, such as an IN list of
# every length) it starts again, so it never holds more than this many.
CONVERTED_MAX = 1000
_converted: dict[str, str] = {}


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:  # named ("pyformat") parameters: rare, left to Django
            return super().convert_query(query, param_names=param_names)
        converted = _converted.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_converted) >= CONVERTED_MAX:
                _converted.clear()
            _converted[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
