"""The models' managers and querysets: named queries, and the two statements written by hand
because the ORM took longer to build them than the database took to run them (storing a
Decision, reading the price sheet)."""

import functools
from collections.abc import Collection
from typing import TYPE_CHECKING, NamedTuple

from django.db import connections, models, router
from django.utils import timezone

from decisions import fastjson
from decisions.domain import prices

if TYPE_CHECKING:
    from decisions.models import Decision


class ModelPriceManager(models.Manager):
    def prices(self, names: "Collection[str] | None" = None) -> "dict[str, prices.Price]":
        """The price sheet as Prices by model name (one query): the rows of `names` only, in no
        set order, or the whole sheet in its order (a few dozen rows at most).

        Read with a plain cursor: building the ORM's SELECT of 20 columns and a model per row
        cost more than running the query, on every decision recorded. Each row's values go
        through the fields' converters, as the ORM's do, and the Price made from them is kept
        by those raw values: an unchanged row is never converted again, and an edited row has
        new values, so it is read afresh the moment it changes."""
        names = None if names is None else list(names)
        sql = _price_select(self.model, connections[self.db].vendor, self.db,
                            None if names is None else len(names))
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, names or ())
            rows = cursor.fetchall()
        sheet = {}
        for row in rows:
            price = _kept_prices.get(row)
            if price is None:
                price = self._price(row, self.model._meta.local_concrete_fields)
                if len(_kept_prices) >= _KEPT_PRICES_MAX:
                    _kept_prices.clear()
                _kept_prices[row] = price
            sheet[price.name] = price
        return sheet

    def _price(self, row: tuple, fields: "list[models.Field]") -> "prices.Price":
        """The Price of one raw row, converted as the ORM converts it."""
        compiler = self.none().query.get_compiler(self.db)
        converters = compiler.get_converters([field.get_col(field.model._meta.db_table)
                                              for field in fields])
        (values,) = compiler.apply_converters([list(row)], converters)
        return self.model.from_db(self.db, [field.attname for field in fields], values).price()


@functools.lru_cache(maxsize=64)
def _price_select(model: type[models.Model], vendor: str, alias: str, count: int | None) -> str:
    """The SELECT of every column of the price sheet: of `count` names, or (None) the whole
    sheet in its order. Built once per database and count."""
    meta = model._meta
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in meta.local_concrete_fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)}"  # noqa: S608
    if count is None:
        order = [
            quote(meta.get_field(name.removeprefix("-")).column)
            + (" DESC" if name.startswith("-") else "")
            for name in meta.ordering
        ]
        return sql + (" ORDER BY " + ", ".join(order) if order else "")
    name = quote(meta.get_field("name").column)
    return sql + f" WHERE {name} IN ({', '.join(['%s'] * count) or 'NULL'})"


# Prices by a row's raw values, as the database returned them (ModelPriceManager.prices).
_kept_prices: "dict[tuple, prices.Price]" = {}
_KEPT_PRICES_MAX = 1000


class DecisionQuerySet(models.QuerySet):
    def shared(self) -> "DecisionQuerySet":
        """Decisions whose public link still works."""
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> "DecisionQuerySet":
        return self.filter(revoked_at__isnull=False)

    def revoke(self) -> int:
        """Turn off the public links that still work (one UPDATE); returns how many."""
        return self.shared().update(revoked_at=timezone.now())

    def restore(self) -> int:
        """Turn revoked public links back on (one UPDATE); returns how many."""
        return self.revoked().update(revoked_at=None)

    def insert(self, decision: "Decision") -> None:
        """Store a new `decision` and set its id (one INSERT): what save(force_insert=True) does,
        without the ORM building the same statement of some 40 columns on every call, which
        took longer than the database took to run it. Each value goes through its field's
        pre_save and get_db_prep_save, as in save(), its JSON written by decisions.fastjson,
        except a value that Django would pass on as it is (_Column says which). Decision
        overrides no save() and nothing listens for its save signals (tests/test_models.py pins
        both, and that a row stored this way reads back as one stored by save())."""
        alias = router.db_for_write(self.model, instance=decision)  # as save() picks it
        connection = connections[alias]
        sql, columns, returning = _insert_statement(self.model, connection.vendor, alias)
        params = []
        for field, attname, as_is in columns:
            value = getattr(decision, attname) if attname else field.pre_save(decision, True)
            if type(value) is not as_is:
                value = _db_value(field, value, connection)
            params.append(value)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                decision.pk = cursor.fetchone()[0]
            else:
                decision.pk = connection.ops.last_insert_id(
                    cursor, self.model._meta.db_table, self.model._meta.pk.column
                )
        decision._state.adding = False
        decision._state.db = alias


def _db_value(field: models.Field, value: object, connection) -> object:
    """What get_db_prep_save gives for `value` of `field`; a JSON column's value written by
    decisions.fastjson, as JSONField.get_db_prep_save would with that encoder (None is SQL
    NULL)."""
    if isinstance(field, models.JSONField) and value is not None:
        return connection.ops.adapt_json_value(value, fastjson.Encoder)
    return field.get_db_prep_save(value, connection)


class _Column(NamedTuple):
    """How insert() reads one field: `attname` to read its value straight off the instance
    (None: the field has a pre_save of its own, as every date field has), and `as_is`, the type of
    value that the field's get_db_prep_save returns unchanged (None: it may change any)."""

    field: models.Field
    attname: str | None
    as_is: type | None


# Django's own fields whose get_prep_value only makes sure of the value's type (str(), int(),
# bool()). Whether the backend then passes such a value on unchanged is asked of each database
# (_column): SQLite does for all three; psycopg 3 wraps integers in its Int2/Int4/Int8, so
# there integers still go through Django.
AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
}


def _column(field: models.Field, connection) -> _Column:
    """The _Column of `field` on `connection`. Only one of AS_IS's classes itself passes values
    on as they are, never a subclass, which may convert them as it likes, and only where
    get_db_prep_save gives back a value of that type as it is (tests/test_models.py checks
    each such value of a real decision on the database in use)."""
    own_pre_save = type(field).pre_save is not models.Field.pre_save
    as_is = AS_IS.get(type(field))
    if as_is is not None:
        prepared = field.get_db_prep_save(as_is(), connection)  # "", 0 or False
        if type(prepared) is not as_is or prepared != as_is():
            as_is = None
    return _Column(field, None if own_pre_save else field.attname, as_is)


@functools.cache
def _insert_statement(
    model: type[models.Model], vendor: str, alias: str
) -> tuple[str, list[_Column], bool]:
    """(the INSERT of every column but the id, its columns in order, whether it returns the
    id) for one database: built once per process."""
    connection = connections[alias]
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    returning = connection.features.can_return_columns_from_insert
    if returning:
        suffix, _ = connection.ops.return_insert_columns([meta.pk])
        sql = f"{sql} {suffix}"
    return sql, [_column(field, connection) for field in fields], returning
