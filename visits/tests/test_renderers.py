"""CSV export: cell formatting and formula escaping."""

import csv
import io
from datetime import UTC, datetime

import pytest

from visits.renderers import csv_lines


def parsed(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


class CsvLinesTest:
    def test_csv_lines_header_first(self):
        lines = csv_lines(["id", "name"], [])

        assert list(lines) == ["id,name\r\n"]

    def test_csv_lines_one_line_per_row(self):
        lines = list(csv_lines(["id", "name"], [(1, "pageview"), (2, "signup")]))

        assert lines == ["id,name\r\n", "1,pageview\r\n", "2,signup\r\n"]

    def test_csv_lines_lazy(self):
        def rows():
            yield (1,)
            raise AssertionError("read too far")

        lines = csv_lines(["id"], rows())

        assert next(lines) == "id\r\n"
        assert next(lines) == "1\r\n"

    @pytest.mark.parametrize(
        ("value", "cell"),
        [
            (None, ""),
            ("", ""),
            (0, "0"),
            (51.5, "51.5"),
            (True, "True"),
            (False, "False"),
            ({}, "{}"),
            ({"plan": "pro", "city": "Zürich"}, '{"plan": "pro", "city": "Zürich"}'),
            (datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC), "2026-03-04T05:06:07+00:00"),
            ("/pricing", "/pricing"),
        ],
    )
    def test_csv_lines_cell(self, value, cell):
        lines = csv_lines(["value"], [(value,)])

        assert parsed(lines)[1] == [cell]

    @pytest.mark.parametrize(
        "text",
        [
            '=HYPERLINK("https://evil.example")',
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
        ],
    )
    def test_csv_lines_formula_escaped(self, text):
        lines = csv_lines(["path"], [(text,)])

        assert parsed(lines)[1] == ["'" + text]

    @pytest.mark.parametrize("value", [-73.98, -1])
    def test_csv_lines_negative_number_kept(self, value):
        lines = csv_lines(["longitude"], [(value,)])

        assert parsed(lines)[1] == [str(value)]

    def test_csv_lines_formula_in_props_not_escaped_inside_json(self):
        lines = csv_lines(["props"], [({"x": "=1+1"},)])

        assert parsed(lines)[1] == ['{"x": "=1+1"}']

    def test_csv_lines_quotes_separators(self):
        lines = csv_lines(["path"], [('/a,"b"\nc',)])

        assert parsed(lines)[1] == ['/a,"b"\nc']
