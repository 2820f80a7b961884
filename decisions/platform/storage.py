"""Storage faults: the database is down, read-only, full or missing a table.

Such a request is answered 503 with Retry-After (decisions.web.views.server_error) rather than 500,
and /healthz fails on the same faults, so a load balancer stops sending people to this replica
until the database is back. Nothing here keeps state: each request finds out for itself, so
recovery needs no restart.
"""

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    InternalError,
    OperationalError,
    connections,
    transaction,
)

from decisions.models import Decision

RETRY_AFTER_SECONDS = 30
# PostgreSQL's "relation does not exist": a table the app needs is missing (migrations not run).
_MISSING_TABLE_STATES = {"42P01"}


def is_fault(error: BaseException) -> bool:
    """Whether a database error means the storage cannot serve, not a bug in a query.

    OperationalError: the server is unreachable or went away, the disk is full, SQLite's file is
    read-only, locked or missing a table. InternalError: PostgreSQL refusing a write in a
    read-only transaction (a read-only database or a hot standby). InterfaceError: a connection
    that is already closed. A missing table on PostgreSQL is a ProgrammingError with its own
    SQLSTATE; other ProgrammingErrors, IntegrityError and DataError are bugs and stay 500s.
    """
    if isinstance(error, OperationalError | InternalError | InterfaceError):
        return True
    if isinstance(error, DatabaseError):
        return getattr(error.__cause__, "sqlstate", None) in _MISSING_TABLE_STATES
    return False


def fault_in(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from or while handling, is a storage fault.

    Django's database sessions turn a failed save into UpdateError and then SessionInterrupted
    (a 400): the fault underneath is what the person should hear about.
    """
    seen = 0
    while error is not None and seen < 10:
        if is_fault(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def health_problem() -> str | None:
    """What stops the database from serving the app, or None when it can (four statements).

    Lists the tables (one query) against every table the installed models need, then tries a
    write that changes nothing and is rolled back: PostgreSQL refuses it in a read-only
    database, and SQLite's BEGIN IMMEDIATE refuses a read-only file.

    Asked on a connection of its own where requests share pooled ones (settings.HEALTH_DATABASE),
    so a worker busy serving is not taken for a database that is down.
    """
    alias = settings.HEALTH_DATABASE
    if alias not in settings.DATABASES:
        alias = DEFAULT_DB_ALIAS
    connection = connections[alias]
    needed = set(connection.introspection.django_table_names(include_views=False))
    try:
        with connection.cursor() as cursor:
            missing = needed - set(connection.introspection.table_names(cursor))
    except DatabaseError:
        return "database unavailable"
    if missing:
        return "database is missing tables: " + ", ".join(sorted(missing))
    # The table that matters most; the update matches no row (a primary key is never null).
    table = connection.ops.quote_name(Decision._meta.db_table)
    key = connection.ops.quote_name(Decision._meta.pk.column)
    try:
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {key} = {key} WHERE {key} IS NULL")  # noqa: S608
            transaction.set_rollback(True, using=alias)
    except DatabaseError:
        return "database refuses writes"
    return None
