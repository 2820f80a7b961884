"""decisions.platform.sqlite: Django's SQLite backend converting each statement once.

These pin what the backend relies on in Django: that its cursor's execute() and executemany()
convert through convert_query(), and what that conversion gives."""

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3 import base as django_sqlite

from decisions.models import Decision
from decisions.platform.sqlite import base
from tests.helpers import fine_tuning_decision

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]

QUERIES = [
    "SELECT %s",
    "SELECT %s, %s WHERE 1 = %s",
    "SELECT '100%%' || %s",  # a literal percent sign, doubled as Django writes it
    "SELECT '%%s' || %s",  # a doubled one before an s is the text "%s", not a placeholder
    "SELECT 1",
]


def test_settings_choose_it_for_sqlite():
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
    assert isinstance(connections["default"], base.DatabaseWrapper)


@pytest.mark.parametrize("query", QUERIES)
def test_conversion_is_djangos_own(query):
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        djangos = django_sqlite.SQLiteCursorWrapper.convert_query(cursor, query)
        assert cursor.convert_query(query) == djangos


def test_execute_converts_through_it_once_per_statement():
    query = "SELECT %s || '%%' || %s -- test_execute_converts_through_it_once_per_statement"
    base._converted.pop(query, None)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, ["50", "!"])
            assert cursor.fetchone() == ("50%!",)
            assert base._converted[query] == query.replace("%s", "?").replace("%%", "%")
            base._converted[query] = "SELECT ? || ' remembered' || ?"
            cursor.execute(query, ["50", "!"])
            assert cursor.fetchone() == ("50 remembered!",)
    finally:
        base._converted.pop(query, None)


def test_executemany_converts_through_it():
    query = "UPDATE decisions_decision SET title = %s WHERE token = %s -- test_executemany"
    first, second = fine_tuning_decision("one"), fine_tuning_decision("two")
    with connection.cursor() as cursor:
        cursor.executemany(query, [("uno", first.token), ("dos", second.token)])
    assert query in base._converted
    titles = Decision.objects.filter(pk__in=[first.pk, second.pk]).values_list("title", flat=True)
    assert set(titles) == {"uno", "dos"}


def test_named_parameters_are_left_to_django():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s || %(b)s", {"a": "x", "b": "y"})
        assert cursor.fetchone() == ("xy",)
    assert "SELECT %(a)s || %(b)s" not in base._converted


def test_it_holds_at_most_its_limit_of_statements(monkeypatch):
    monkeypatch.setattr(base, "CONVERTED_MAX", 3)
    monkeypatch.setattr(base, "_converted", {})
    with connection.cursor() as cursor:
        for number in range(10):
            cursor.execute(f"SELECT %s + {number}", [1])
            assert cursor.fetchone() == (1 + number,)
            assert len(base._converted) <= 3
