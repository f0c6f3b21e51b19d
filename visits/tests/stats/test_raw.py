"""Totals from the raw events and visits (visits.stats.raw); the engine's tests cover the SQL."""

from datetime import UTC, datetime, timedelta

import pytest
from model_bakery import baker

from sites.models import Site
from visits.models import Session
from visits.stats.dates import DateRange
from visits.stats.query import Condition, Query
from visits.stats.raw import Totals, counted_from_events, merge, visit_totals


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


@pytest.mark.django_db
class VisitTotalsTest:
    def test_visit_totals_duration_in_microseconds(self):
        site = baker.make(Site)
        start = datetime(2026, 5, 19, 10, 0, tzinfo=UTC)
        baker.make(
            Session,
            site=site,
            visitor_id=1,
            started_at=start,
            ended_at=start + timedelta(minutes=5, microseconds=1),
            pageviews=2,
            interactive_events=1,
        )
        day = DateRange(start - timedelta(hours=10), start + timedelta(hours=14), UTC)

        totals = visit_totals(site, query(["visit_duration"], []), day)

        assert totals == {(): Totals(visitors=1, visits=1, duration=300_000_001, visit_pageviews=2)}

    def test_visit_totals_no_visit_all_zero(self):
        site = baker.make(Site)
        moment = datetime(2026, 5, 19, tzinfo=UTC)
        day = DateRange(moment, moment + timedelta(days=1), UTC)

        assert visit_totals(site, query(["visit_duration"], []), day) == {(): Totals()}
