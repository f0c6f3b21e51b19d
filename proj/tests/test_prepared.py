"""Statements prepared once per connection."""

from itertools import count

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from proj.prepared import PreparedStatement

_names = count()


def statement(sql: str, **kwargs) -> PreparedStatement:
    """Return a statement under a name no other test prepares on the connection."""
    return PreparedStatement(f"tally_test_{next(_names)}", sql, **kwargs)


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


class PreparedStatementTest:
    def test_init_numbers_parameters_in_order_of_first_use(self):
        prepared = PreparedStatement("tally_sum", "SELECT %(b)s::int + %(a)s::int + %(b)s::int")

        assert prepared.prepare_sql == "PREPARE tally_sum AS SELECT $1::int + $2::int + $1::int"
        assert prepared.call_sql == "EXECUTE tally_sum(%(b)s, %(a)s)"

    def test_init_unescapes_percent_signs_for_prepare(self):
        prepared = PreparedStatement("tally_like", "SELECT %(text)s LIKE 'a%%'")

        assert prepared.prepare_sql == "PREPARE tally_like AS SELECT $1 LIKE 'a%'"

    def test_init_runs_before_statements_first(self):
        prepared = PreparedStatement(
            "tally_one", "SELECT 1", before="SET LOCAL work_mem TO '8MB'; "
        )

        assert prepared.setup_sql.startswith("SET LOCAL work_mem TO '8MB'; SET LOCAL plan")

    @pytest.mark.django_db
    def test_fetchone_returns_the_first_row(self):
        prepared = statement("SELECT %(a)s::int + %(b)s::int, %(text)s::text LIKE 'a%%'")

        assert prepared.fetchone({"a": 2, "b": 3, "text": "abc"}) == (5, True)

    @pytest.mark.django_db
    def test_fetchone_no_row(self):
        prepared = statement("SELECT 1 WHERE %(flag)s::bool")

        assert prepared.fetchone({"flag": False}) is None

    @pytest.mark.django_db
    def test_fetchone_prepares_once_per_connection(self):
        prepared = statement("SELECT %(a)s::int")

        with CaptureQueriesContext(connection) as queries:
            results = [prepared.fetchone({"a": 1}), prepared.fetchone({"a": 2})]

        assert results == [(1,), (2,)]
        assert [query["sql"].startswith("PREPARE") for query in queries] == [True, False, False]
        assert prepared.prepare_sql.split()[1] in prepared_names()

    @pytest.mark.django_db(transaction=True)
    def test_fetchone_prepares_again_on_a_new_connection(self):
        prepared = statement("SELECT %(a)s::int")
        prepared.fetchone({"a": 1})
        connection.close()

        assert prepared.fetchone({"a": 2}) == (2,)
        assert prepared.prepare_sql.split()[1] in prepared_names()

    @pytest.mark.django_db
    def test_fetchone_runs_before_statements_in_its_transaction(self):
        prepared = statement(
            "SELECT current_setting('work_mem'), %(a)s::int",
            before="SET LOCAL work_mem TO '7MB'; ",
        )

        assert prepared.fetchone({"a": 1}) == ("7MB", 1)

    @pytest.mark.django_db
    def test_fetchone_runs_then_after_in_the_same_transaction(self):
        prepared = statement(
            "SELECT set_config('tally.seen', %(a)s, true)",
            then=statement(
                "SELECT set_config('tally.seen', current_setting('tally.seen') || %(b)s, true)"
            ),
        )

        with transaction.atomic():
            row = prepared.fetchone({"a": "a", "b": "b"})
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('tally.seen')")
                seen = cursor.fetchone()[0]

        assert row == ("a",)
        assert seen == "ab"

    @pytest.mark.django_db
    def test_execute_many_runs_each_statement_then_its_then(self):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE tally_log (entry text)")
        prepared = statement(
            "INSERT INTO tally_log VALUES (%(a)s)",
            then=statement("INSERT INTO tally_log VALUES (%(a)s || ' then')"),
        )

        prepared.execute_many([{"a": "one"}, {"a": "two"}])

        with connection.cursor() as cursor:
            cursor.execute("SELECT entry FROM tally_log")
            assert [entry for (entry,) in cursor.fetchall()] == [
                "one",
                "one then",
                "two",
                "two then",
            ]

    @pytest.mark.django_db
    def test_execute_many_prepares_then_on_the_connection(self):
        then = statement("SELECT %(a)s::int")
        prepared = statement("SELECT %(a)s::int", then=then)

        prepared.execute_many([{"a": 1}])

        assert then.prepare_sql.split()[1] in prepared_names()
