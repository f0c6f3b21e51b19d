"""Totals from the raw events and visits (visits.stats.raw); the engine's tests cover the SQL."""

from visits.stats.raw import Totals, merge


class MergeTest:
    def test_merge_adds_totals_of_the_same_group(self):
        merged = merge({("a",): Totals(visitors=1, events=2)}, {("a",): Totals(visitors=3)})

        assert merged == {("a",): Totals(visitors=4, events=2)}

    def test_merge_keeps_groups_of_one_part(self):
        merged = merge({("a",): Totals(visits=1)}, {("b",): Totals(visits=2)})

        assert merged == {("a",): Totals(visits=1), ("b",): Totals(visits=2)}

    def test_merge_nothing(self):
        assert merge() == {}
