"""Tests of the Python mutation operators."""

import ast

import pytest

from scripts.mutation import operators

SOURCE = '''
"""A module."""
LIMIT = 10
SQL = "SELECT a FROM t WHERE b < %s ORDER BY a DESC"


def clamp(value: int = 3) -> int:
    """Clamp."""
    if value > LIMIT and not value == 0:
        return min(value, LIMIT - 1)
    return value


class Thing:
    """A thing."""

    kind = "thing"

    def label(self, name):
        return f"{self.kind}: {name}"

    def query(self, site):
        return filter_rows(site=site, day=1)
'''


def _labels(source: str = SOURCE) -> list[str]:
    return [mutant.id for mutant in operators.mutants("pkg/mod.py", source)]


class MutantsTest:
    def test_mutants_of_every_kind(self):
        assert _labels() == [
            "pkg/mod.py:LIMIT:`10` → `11`",
            "pkg/mod.py:SQL:SQL < → <=",
            "pkg/mod.py:SQL:SQL DESC → ASC",
            "pkg/mod.py:clamp:`and` → `or`",
            "pkg/mod.py:clamp:`>` → `>=`",
            "pkg/mod.py:clamp:`not ` dropped",
            "pkg/mod.py:clamp:`==` → `!=`",
            "pkg/mod.py:clamp:`0` → `1`",
            "pkg/mod.py:clamp:`min()` → `max()`",
            "pkg/mod.py:clamp:`-` → `+`",
            "pkg/mod.py:clamp:`1` → `2`",
            "pkg/mod.py:Thing.kind:'thing' → XX…XX",
            "pkg/mod.py:Thing.label:f-string '{self.kind}: {name}' → XX…XX",
            "pkg/mod.py:Thing.query:argument `site=` dropped",
            "pkg/mod.py:Thing.query:argument `day=` dropped",
            "pkg/mod.py:Thing.query:`1` → `2`",
        ]

    def test_mutants_skip_docstrings_defaults_and_annotations(self):
        labels = " ".join(_labels())

        assert "Clamp" not in labels
        assert "`3`" not in labels

    def test_mutants_skip_frozen_class_bodies(self):
        mutants = operators.mutants("pkg/mod.py", SOURCE, frozen_classes={"Thing"})

        assert "pkg/mod.py:Thing.kind:'thing' → XX…XX" not in [m.id for m in mutants]

    def test_mutants_repeated_change_numbered(self):
        assert _labels("def f(a):\n    return a + 1 + 1\n") == [
            "pkg/mod.py:f:`+` → `-`",
            "pkg/mod.py:f:`+` → `-` #2",
            "pkg/mod.py:f:`1` → `2`",
            "pkg/mod.py:f:`1` → `2` #2",
        ]

    def test_mutants_sql_line_inside_string(self):
        source = 'SQL = """\nSELECT a\nFROM t\nORDER BY a DESC\n"""\n'

        [mutant] = operators.mutants("pkg/mod.py", source)

        assert (mutant.line, mutant.label) == (4, "SQL DESC → ASC")

    def test_mutants_scopes(self):
        scopes = {m.scope for m in operators.mutants("pkg/mod.py", SOURCE)}

        assert scopes == {
            ("module", 1),
            ("module", 2),
            ("function", "clamp"),
            ("class", "Thing", 1),
            ("function", "Thing.label"),
            ("function", "Thing.query"),
        }


class MutateTest:
    def test_mutate_applies_one_mutant(self):
        mutants = operators.mutants("pkg/mod.py", SOURCE)
        index = next(m.index for m in mutants if m.label == "`not ` dropped")

        tree = operators.mutate(SOURCE, index)

        assert "if value > LIMIT and bool(value == 0):" in ast.unparse(tree)

    def test_mutate_sql_in_f_string_keeps_fields(self):
        source = 'def f(t):\n    return f"SELECT a FROM {t} WHERE x > 1 AND {t}.y = 2"\n'
        mutants = operators.mutants("pkg/mod.py", source)
        index = next(m.index for m in mutants if m.label == "SQL AND {t}.y = 2 dropped")

        tree = operators.mutate(source, index)

        assert ast.unparse(tree).splitlines()[1] == "    return f'SELECT a FROM {t} WHERE x > 1'"

    def test_mutate_every_mutant_compiles(self):
        for mutant in operators.mutants("pkg/mod.py", SOURCE):
            compile(operators.mutate(SOURCE, mutant.index), "pkg/mod.py", "exec")

    def test_mutate_unknown_index(self):
        with pytest.raises(IndexError, match="no mutant 99"):
            operators.mutate(SOURCE, 99)
