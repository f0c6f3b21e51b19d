"""A database really out of reach, for the outage tests: no driver is mocked.

Tests that use these make and break real connections, so they run outside a test transaction
(``django_db(transaction=True)``, or no database marker at all).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections

CLOSED_PORT = "1"  # nothing listens on 127.0.0.1:1: connecting is refused at once


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Point the database settings at a closed local port for the block, then back.

    The settings are shared by every thread, so the writer thread loses the database too.
    """
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=CLOSED_PORT)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextmanager
def connection_terminated() -> Iterator[None]:
    """End this thread's database session from another connection, as a server restart does.

    The broken connection is closed after the block, whatever the code under test did with it.
    """
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    try:
        yield
    finally:
        connection.close()


@contextmanager
def table_locked(table: str) -> Iterator[None]:
    """Hold an exclusive lock on a table from another connection; this one waits 50 ms at most.

    A query of the table then fails with a lock timeout: a real query error from a database
    that is up.
    """
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '50ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
