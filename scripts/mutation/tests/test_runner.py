"""Tests of the runner's bookkeeping: scores, equivalents, covering lines, test order."""

import dataclasses
import enum
import types
import typing

from scripts.mutation import operators, runner
from scripts.mutation.runner import Outcome, Score

SOURCE = '''"""A module."""
LIMIT = 10
DOUBLE = LIMIT * 2


def clamp(value):
    if value > DOUBLE:
        return DOUBLE
    return value


def other(value):
    return (
        value
        + 1
    )


class Thing:
    kind = "thing"

    def label(self):
        return self.kind
'''


def _mutant(label: str) -> operators.Mutant:
    [mutant] = [m for m in operators.mutants("pkg/mod.py", SOURCE) if m.id.endswith(label)]
    return mutant


class ScoreTest:
    def test_score_counts_only_mutants_changing_behaviour(self):
        score = Score("pkg/mod.py")
        mutant = _mutant("clamp:`>` → `>=`")
        for outcome in [
            Outcome.KILLED,
            Outcome.TIMEOUT,
            Outcome.SURVIVED,
            Outcome.UNCOVERED,
            Outcome.EQUIVALENT,
        ]:
            score.add(outcome, mutant)

        assert (score.killed, score.relevant, score.percent) == (2, 4, 50.0)

    def test_score_without_mutants_is_full(self):
        assert Score("pkg/mod.py").percent == 100.0


class EquivalentIdsTest:
    def test_equivalent_ids_first_column_of_tables(self, tmp_path):
        doc = tmp_path / "mutation.md"
        doc.write_text(
            "# Mutation\n\n| Mutant | Why |\n|---|---|\n"
            "| `` pkg/mod.py:clamp:`>` → `>=` `` | same |\n"
            "| `` a.py:f:`1` → `2` `` | unused |\n"
            "| `a.py` | 50% |\n"
        )

        assert runner.equivalent_ids(doc) == {"pkg/mod.py:clamp:`>` → `>=`", "a.py:f:`1` → `2`"}

    def test_equivalent_ids_without_doc(self, tmp_path):
        assert runner.equivalent_ids(tmp_path / "missing.md") == set()


class LinesForTest:
    def test_lines_for_function_innermost_statement(self):
        assert runner.lines_for(_mutant("clamp:`>` → `>=`"), SOURCE) == {7}

    def test_lines_for_multiline_statement_own_and_first_line(self):
        assert runner.lines_for(_mutant("other:`+` → `-`"), SOURCE) == {13, 14}

    def test_lines_for_module_constant_every_reader(self):
        assert runner.lines_for(_mutant("LIMIT:`10` → `11`"), SOURCE) == {7, 8}

    def test_lines_for_inner_statement_starting_on_the_line(self):
        source = "def f(a):\n    if a:\n        return a + 1\n    return 0\n"
        [mutant] = [m for m in operators.mutants("m.py", source) if m.label == "`+` → `-`"]

        assert runner.lines_for(mutant, source) == {3}

    def test_lines_for_class_attribute_whole_class(self):
        assert runner.lines_for(_mutant("Thing.kind:'thing' → XX…XX"), SOURCE) == set(range(19, 24))


class OrderTestsTest:
    def test_order_tests_own_file_first_then_fastest(self):
        tests = {
            "a/tests/test_views.py::T::test_slow",
            "a/tests/test_views.py::T::test_fast",
            "a/tests/test_mod.py::T::test_own",
        }
        durations = {
            "a/tests/test_views.py::T::test_slow": 2.0,
            "a/tests/test_views.py::T::test_fast": 0.1,
            "a/tests/test_mod.py::T::test_own": 5.0,
        }

        assert runner.order_tests(tests, "a/mod.py", durations) == [
            "a/tests/test_mod.py::T::test_own",
            "a/tests/test_views.py::T::test_fast",
            "a/tests/test_views.py::T::test_slow",
        ]


class KillersFirstTest:
    def test_killers_first_only_those_selected(self):
        tests = ["t.py::a", "t.py::b", "t.py::c"]

        assert runner.killers_first(tests, ["t.py::c", "u.py::x", "t.py::b"]) == [
            "t.py::c",
            "t.py::b",
            "t.py::a",
        ]


class FrozenClassesTest:
    def test_frozen_classes_those_built_at_class_creation(self):
        @dataclasses.dataclass
        class Point:
            x: int = 0

        class Pair(typing.NamedTuple):
            left: int = 0

        class Colour(enum.Enum):
            RED = 1

        class Plain:
            kind = "plain"

        module = types.SimpleNamespace(Point=Point, Pair=Pair, Colour=Colour, Plain=Plain, n=1)

        assert runner.frozen_classes(module) == {"Point", "Pair", "Colour"}
