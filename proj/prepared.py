"""Statements PostgreSQL parses and plans once per connection, then runs by name.

Planning a long statement can cost more than running it. A hot statement written with
``%(name)s`` parameters is prepared on each database connection the first time it runs there,
and from then on runs with ``EXECUTE`` under its generic plan. This needs a direct connection
to PostgreSQL or a pooler in session mode: a transaction-mode pooler may run ``EXECUTE`` on
another server connection than the one that saw ``PREPARE``.
"""

import re
from weakref import WeakSet

from django.db import connection, transaction

_PARAMETER = re.compile(r"%\((\w+)\)s")


class PreparedStatement:
    """One statement, prepared on each connection at its first run there.

    ``before`` holds statements (``SET LOCAL ...;``) run ahead of it in the same transaction;
    ``then``, a statement run after it with the same parameters, in the same transaction.
    """

    def __init__(
        self, name: str, sql: str, *, before: str = "", then: "PreparedStatement | None" = None
    ) -> None:
        names = list(dict.fromkeys(_PARAMETER.findall(sql)))
        numbered = _PARAMETER.sub(lambda match: f"${names.index(match[1]) + 1}", sql)
        self.prepare_sql = f"PREPARE {name} AS {numbered.replace('%%', '%')}"
        arguments = ", ".join(f"%({parameter})s" for parameter in names)
        self.setup_sql = f"{before}SET LOCAL plan_cache_mode TO force_generic_plan; "
        self.call_sql = f"EXECUTE {name}({arguments})"
        self.then = then
        self._prepared_on = WeakSet()

    def fetchone(self, params: dict) -> tuple | None:
        """Run the statement (and those after) with these parameters; return its first row."""
        with transaction.atomic(savepoint=False), self._cursor() as cursor:
            cursor.execute(self.setup_sql + self.call_sql, params)
            row = cursor.fetchone()
            for statement in self._sequence()[1:]:
                cursor.execute(statement.call_sql, params)
            return row

    def execute_many(self, params_list: list[dict]) -> None:
        """Run the statement once per parameter set, in order, in one round trip.

        Outside a transaction, the runs form one: all of them or none take effect.
        """
        with self._cursor() as cursor:
            call_sql = "; ".join(statement.call_sql for statement in self._sequence())
            calls = "; ".join(cursor.mogrify(call_sql, params).decode() for params in params_list)
            cursor.execute(self.setup_sql + calls)

    def _sequence(self) -> list["PreparedStatement"]:
        return [self] if self.then is None else [self, *self.then._sequence()]

    def _cursor(self):
        cursor = connection.cursor()
        # A prepared statement outlives a rolled-back transaction but not its connection.
        for statement in self._sequence():
            if connection.connection not in statement._prepared_on:
                cursor.execute(statement.prepare_sql)
                statement._prepared_on.add(connection.connection)
        return cursor
