"""Tests of the SQL text operators."""

from scripts.mutation import sql


def _mutated(text: str) -> list[str]:
    return [mutation.apply(text) for mutation in sql.sql_mutations(text)]


class LooksLikeSqlTest:
    def test_looks_like_sql_statement(self):
        assert sql.looks_like_sql("SELECT 1 FROM visits_visit")

    def test_looks_like_sql_prose(self):
        assert not sql.looks_like_sql("Enter a domain name such as example.com.")


class SqlMutationsTest:
    def test_sql_mutations_order_direction(self):
        assert _mutated("ORDER BY timestamp DESC") == ["ORDER BY timestamp ASC"]

    def test_sql_mutations_comparisons(self):
        assert _mutated("WHERE a < b") == ["WHERE a <= b"]
        assert _mutated("WHERE a >= b") == ["WHERE a > b"]
        assert _mutated("WHERE a <> ''") == ["WHERE a = ''"]

    def test_sql_mutations_json_operator_left_alone(self):
        assert _mutated("SELECT e.props ->> 'k'") == []

    def test_sql_mutations_least_and_min(self):
        assert _mutated("SELECT LEAST(a, b), min(c) FROM t") == [
            "SELECT GREATEST(a, b), min(c) FROM t",
            "SELECT LEAST(a, b), max(c) FROM t",
        ]

    def test_sql_mutations_integers_not_in_names_or_placeholders(self):
        assert _mutated("SELECT col_2, $1, %(x1)s FROM t LIMIT 1") == [
            "SELECT col_2, $1, %(x1)s FROM t LIMIT 2"
        ]

    def test_sql_mutations_exists_constant_left_alone(self):
        assert _mutated("WHERE EXISTS (SELECT 1 FROM t)") == ["WHERE NOT EXISTS (SELECT 1 FROM t)"]

    def test_sql_mutations_interval(self):
        assert _mutated("SELECT now() - INTERVAL '30 minutes'") == [
            "SELECT now() + INTERVAL '30 minutes'",
            "SELECT now() - INTERVAL '31 minutes'",
        ]

    def test_sql_mutations_drop_each_conjunct(self):
        assert _mutated("SELECT * FROM t WHERE a = %s AND (b = 1 OR c = 2) ORDER BY a") == [
            "SELECT * FROM t WHERE (b = 1 OR c = 2) ORDER BY a",
            "SELECT * FROM t WHERE a = %s ORDER BY a",
            "SELECT * FROM t WHERE a = %s AND (b = 2 OR c = 2) ORDER BY a",
            "SELECT * FROM t WHERE a = %s AND (b = 1 OR c = 3) ORDER BY a",
        ]

    def test_sql_mutations_conjunct_of_between_kept(self):
        assert [m.label for m in sql.sql_mutations("WHERE day BETWEEN %s AND %s")] == []

    def test_sql_mutations_distinct(self):
        assert _mutated("SELECT count(DISTINCT visitor_id) FROM t") == [
            "SELECT count(visitor_id) FROM t"
        ]

    def test_sql_mutations_is_distinct_from(self):
        assert _mutated("WHERE (a) IS DISTINCT FROM (b)") == ["WHERE (a) IS NOT DISTINCT FROM (b)"]

    def test_sql_mutations_coalesce_arguments_swapped(self):
        assert _mutated("SELECT COALESCE(sum(x), y) FROM t") == [
            "SELECT COALESCE(y, sum(x)) FROM t"
        ]

    def test_sql_mutations_labels_name_the_change(self):
        labels = [m.label for m in sql.sql_mutations("WHERE a = 1 AND b > c")]

        assert labels == ["WHERE a = 1 dropped", "1 → 2", "AND b > c dropped", "> → >="]
