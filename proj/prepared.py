"""Statements PostgreSQL parses and plans once per connection, then runs by name.

Planning a long statement can cost more than running it. A hot statement written with
``%(name)s`` parameters is prepared on each database connection the first time it runs there,
and from then on runs with ``EXECUTE`` under its generic plan. This needs a direct connection
to PostgreSQL or a pooler in session mode: a transaction-mode pooler may run ``EXECUTE`` on
another server connection than the one that saw ``PREPARE``.
"""

import re
from weakref import WeakSet

from django.db import connection

_PARAMETER = re.compile(r"%\((\w+)\)s")


class PreparedStatement:
    """One statement, prepared on each connection at its first run there.

    ``before`` holds statements (``SET LOCAL ...;``) run ahead of it in the same transaction.
    """

    def __init__(self, name: str, sql: str, *, before: str = "") -> None:
        names = list(dict.fromkeys(_PARAMETER.findall(sql)))
        numbered = _PARAMETER.sub(lambda match: f"${names.index(match[1]) + 1}", sql)
        self.prepare_sql = f"PREPARE {name} AS {numbered.replace('%%', '%')}"
        arguments = ", ".join(f"%({parameter})s" for parameter in names)
        self.setup_sql = f"{before}SET LOCAL plan_cache_mode TO force_generic_plan; "
        self.call_sql = f"EXECUTE {name}({arguments})"
        self._prepared_on = WeakSet()

    def fetchone(self, params: dict) -> tuple | None:
        """Run the statement with these parameters and return its first row."""
        with self._cursor() as cursor:
            cursor.execute(self.setup_sql + self.call_sql, params)
            return cursor.fetchone()

    def execute_many(self, params_list: list[dict]) -> None:
        """Run the statement once per parameter set, in order, in one round trip.

        Outside a transaction, the runs form one: all of them or none take effect.
        """
        with self._cursor() as cursor:
            calls = "; ".join(
                cursor.mogrify(self.call_sql, params).decode() for params in params_list
            )
            cursor.execute(self.setup_sql + calls)

    def _cursor(self):
        cursor = connection.cursor()
        # A prepared statement outlives a rolled-back transaction but not its connection.
        if connection.connection not in self._prepared_on:
            cursor.execute(self.prepare_sql)
            self._prepared_on.add(connection.connection)
        return cursor
