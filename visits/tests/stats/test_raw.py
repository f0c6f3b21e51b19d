"""Totals from the raw events and visits (visits.stats.raw); the engine's tests cover the SQL."""

from datetime import UTC, datetime

import pytest

from visits.stats.dates import DateRange
from visits.stats.query import Condition, Query
from visits.stats.raw import Totals, counted_from_events, merge


def query(metrics: list[str], dimensions: list[str], filters: list | None = None) -> Query:
    moment = datetime(2026, 5, 19, tzinfo=UTC)
    return Query(
        metrics=metrics,
        date_range=DateRange(moment, moment, UTC),
        dimensions=dimensions,
        filters=filters or [],
        order_by=[],
        limit=10,
        offset=0,
    )


class MergeTest:
    def test_merge_adds_totals_of_the_same_group(self):
        merged = merge({("a",): Totals(visitors=1, events=2)}, {("a",): Totals(visitors=3)})

        assert merged == {("a",): Totals(visitors=4, events=2)}

    def test_merge_keeps_groups_of_one_part(self):
        merged = merge({("a",): Totals(visits=1)}, {("b",): Totals(visits=2)})

        assert merged == {("a",): Totals(visits=1), ("b",): Totals(visits=2)}

    def test_merge_nothing(self):
        assert merge() == {}


class CountedFromEventsTest:
    @pytest.mark.parametrize(
        "dimension", ["event:page", "event:name", "event:hostname", "event:props:plan"]
    )
    def test_counted_from_events_visitors_by_event_dimension(self, dimension):
        assert counted_from_events(query(["visitors", "visits", "pageviews"], [dimension]))

    def test_counted_from_events_event_filter(self):
        page = Condition("is", "event:page", ("/",))

        assert counted_from_events(query(["visitors", "percentage"], ["visit:source"], [page]))

    def test_counted_from_events_no_event_dimension(self):
        country = Condition("is", "visit:country", ("US",))

        assert not counted_from_events(query(["visitors"], ["visit:source"], [country]))

    @pytest.mark.parametrize("metric", ["bounce_rate", "visit_duration", "views_per_visit"])
    def test_counted_from_events_metric_of_visits_only(self, metric):
        assert not counted_from_events(query(["visitors", metric], ["event:page"]))

    def test_counted_from_events_entry_page_dimension(self):
        assert not counted_from_events(query(["visitors"], ["event:page", "visit:entry_page"]))

    def test_counted_from_events_exit_page_filter(self):
        exit_page = Condition("is", "visit:exit_page", ("/",))

        assert not counted_from_events(query(["visitors"], ["event:page"], [exit_page]))
