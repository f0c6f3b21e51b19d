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
        self.execute_sql = (
            f"{before}SET LOCAL plan_cache_mode TO force_generic_plan; EXECUTE {name}({arguments})"
        )
        self._prepared_on = WeakSet()

    def fetchone(self, params: dict) -> tuple | None:
        """Run the statement with these parameters and return its first row."""
        with connection.cursor() as cursor:
            # A prepared statement outlives a rolled-back transaction but not its connection.
            if connection.connection not in self._prepared_on:
                cursor.execute(self.prepare_sql)
                self._prepared_on.add(connection.connection)
            cursor.execute(self.execute_sql, params)
            return cursor.fetchone()
