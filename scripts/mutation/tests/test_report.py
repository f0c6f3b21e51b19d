"""Tests of the Markdown report of the results."""

from scripts.mutation import report

RESULTS = {
    "a/mod.py": {
        "killed": 3,
        "total": 4,
        "percent": 75.0,
        "seconds": 24,
        "jobs": 2,
        "mutants": [
            {"line": 9, "id": "a/mod.py:f:`<` → `<=`", "outcome": "survived"},
            {"line": 2, "id": "a/mod.py:LIMIT:`1` → `2`", "outcome": "uncovered"},
            {"line": 5, "id": "a/mod.py:f:`+` → `-`", "outcome": "killed"},
            {"line": 6, "id": "a/mod.py:f:`1` → `2`", "outcome": "equivalent"},
        ],
    },
    "b/mod.py": {"killed": 1, "total": 1, "percent": 100.0, "seconds": 6, "mutants": []},
}


class WithEquivalentsTest:
    def test_with_equivalents_recounts(self):
        updated = report.with_equivalents(RESULTS, {"a/mod.py:f:`<` → `<=`"})

        assert (updated["a/mod.py"]["killed"], updated["a/mod.py"]["total"]) == (1, 2)
        assert updated["a/mod.py"]["percent"] == 50.0


class ScoresTableTest:
    def test_scores_table_rows_with_floors(self):
        assert report.scores_table(RESULTS).splitlines()[2:] == [
            "| `a/mod.py` | 3 / 4 | 75.0% | 75% | 1 | 12 s |",
            "| `b/mod.py` | 1 / 1 | 100.0% | 100% | 0 | 3 s |",
        ]


class SurvivorsTest:
    def test_survivors_by_module_and_line(self):
        assert report.survivors(RESULTS) == (
            "### `a/mod.py` (2)\n\n"
            "- `a/mod.py:2` LIMIT:`1` → `2` (uncovered)\n"
            "- `a/mod.py:9` f:`<` → `<=`"
        )
