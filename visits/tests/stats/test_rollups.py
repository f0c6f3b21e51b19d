"""Daily rollups: which queries use them, when days roll up, and that they add up exactly."""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from model_bakery import baker

from sites.models import Site
from visits.models import DailyRollup, RolledDay, Session, Visit
from visits.stats import rollups
from visits.stats.dates import DateRange, local_days_range
from visits.stats.engine import run_query
from visits.stats.query import parse_query
from visits.stats.rollups import Plan, first_day, plan, roll_day, roll_up, rolled_dimension

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MAY_18, MAY_19, MAY_20 = date(2026, 5, 18), date(2026, 5, 19), date(2026, 5, 20)
LATER = datetime(2026, 6, 1, tzinfo=UTC)  # long after the recorded days: they are over


def berlin(*parts: int) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(*parts, tzinfo=BERLIN)


def record(site: Site, at: datetime, **fields) -> Visit:
    """Record an event received when it happened."""
    values = {
        "name": "pageview",
        "url": "https://example.com/",
        "referrer": "",
        "props": {},
        "interactive": True,
        "ip": "8.8.8.8",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "timestamp": at,
        "received_at": at,
    }
    return Visit.objects.record(site=site, **{**values, **fields})


def query(site: Site, **body):
    """Parse a query on the site, as asked on 1 June 2026."""
    return parse_query(
        {"site_id": site.domain, "metrics": ["visitors"], "date_range": "all", **body},
        tz=BERLIN,
        now=LATER,
        first_day=first_day(site),
    )


def days_range(first: date, after_last: date) -> DateRange:
    return local_days_range(first, after_last, BERLIN)


@pytest.fixture
def site():
    return baker.make(
        Site, domain="example.com", timezone="Europe/Berlin", created_at=berlin(2026, 5, 18)
    )


@pytest.fixture
def traffic(site):
    """Visits over 18 to 20 May, one across local midnight, a visitor on two days."""
    record(site, berlin(2026, 5, 18, 10, 0), url="https://example.com/a")
    record(site, berlin(2026, 5, 18, 10, 5), url="https://example.com/b")
    record(site, berlin(2026, 5, 18, 23, 50), ip="1.1.1.1", referrer="https://www.google.com/")
    record(
        site, berlin(2026, 5, 19, 0, 10), ip="1.1.1.1", name="signup", url="https://example.com/b"
    )
    record(site, berlin(2026, 5, 19, 1, 30), url="https://example.com/a")  # 8.8.8.8 again
    record(
        site, berlin(2026, 5, 19, 12, 0), ip="9.9.9.9", url="https://example.com/?utm_source=news"
    )
    record(site, berlin(2026, 5, 20, 9, 0), ip="1.1.1.1", url="https://example.com/b")
    return site


class RolledDimensionTest:
    def test_rolled_dimension_without_dimensions(self, site):
        assert rolled_dimension(query(site), events=True) == ""

    def test_rolled_dimension_time_day_and_source(self, site):
        rolled = rolled_dimension(query(site, dimensions=["time:day", "visit:source"]), events=True)

        assert rolled == "visit:source"

    def test_rolled_dimension_with_filter(self, site):
        filtered = query(site, filters=[["is", "visit:country", ["US"]]])

        assert rolled_dimension(filtered, events=True) is None

    def test_rolled_dimension_hourly(self, site):
        assert rolled_dimension(query(site, dimensions=["time:hour"]), events=True) is None

    def test_rolled_dimension_two_dimensions(self, site):
        two = query(site, dimensions=["visit:source", "event:page"])

        assert rolled_dimension(two, events=True) is None

    def test_rolled_dimension_props(self, site):
        props = query(site, dimensions=["event:props:plan"])

        assert rolled_dimension(props, events=True) is None

    def test_rolled_dimension_entry_page_for_events(self, site):
        entry = query(site, dimensions=["visit:entry_page"])

        assert rolled_dimension(entry, events=True) is None

    def test_rolled_dimension_entry_page_for_visits(self, site):
        entry = query(site, dimensions=["visit:entry_page"])

        assert rolled_dimension(entry, events=False) == "visit:entry_page"


class PlanTest:
    def test_plan_nothing_rolled_up(self, site):
        whole = days_range(MAY_18, MAY_20)

        assert plan(site, query(site), whole, events=True) == Plan("", [], [whole])

    def test_plan_rolled_day_between_raw_ranges(self, site):
        baker.make(RolledDay, site=site, day=MAY_19, timezone="Europe/Berlin")

        planned = plan(site, query(site), days_range(MAY_18, date(2026, 5, 21)), events=True)

        assert planned == Plan(
            "", [MAY_19], [days_range(MAY_18, MAY_19), days_range(MAY_20, date(2026, 5, 21))]
        )

    def test_plan_range_of_one_rolled_day_reads_nothing_raw(self, site):
        baker.make(RolledDay, site=site, day=MAY_19, timezone="Europe/Berlin")

        planned = plan(site, query(site), days_range(MAY_19, MAY_20), events=True)

        assert planned == Plan("", [MAY_19], [])

    def test_plan_query_not_rolled_up_reads_raw(self, site):
        baker.make(RolledDay, site=site, day=MAY_19, timezone="Europe/Berlin")
        hourly = query(site, dimensions=["time:hour"])
        whole = days_range(MAY_19, MAY_20)

        assert plan(site, hourly, whole, events=True) == Plan(None, [], [whole])

    def test_plan_day_rolled_in_another_time_zone_reads_raw(self, site):
        baker.make(RolledDay, site=site, day=MAY_19, timezone="UTC")
        whole = days_range(MAY_19, MAY_20)

        assert plan(site, query(site), whole, events=True) == Plan("", [], [whole])


class FirstDayTest:
    def test_first_day_creation(self):
        # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin.
        site = baker.make(
            Site,
            domain="example.com",
            timezone="Europe/Berlin",
            created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
        )

        assert first_day(site) == date(2026, 3, 2)

    def test_first_day_earlier_first_visit(self, site):
        record(site, datetime(2026, 5, 10, 22, 30, tzinfo=UTC))
        record(site, berlin(2026, 5, 12, 10, 0))

        # Created 18 May; first visit 00:30 on 11 May in Berlin.
        assert first_day(site) == date(2026, 5, 11)

    def test_first_day_later_first_visit(self, site):
        record(site, berlin(2026, 5, 25, 10, 0))

        assert first_day(site) == MAY_18


class RollDayTest:
    def test_roll_day_not_over_long_enough(self, traffic):
        now = berlin(2026, 5, 20, 0, 59)

        assert roll_day(traffic, MAY_19, now=now) is False
        assert not RolledDay.objects.exists()

    def test_roll_day_visit_of_the_next_day_going_on(self, traffic):
        record(traffic, berlin(2026, 5, 21, 0, 20), ip="2.2.2.2")
        record(traffic, berlin(2026, 5, 21, 0, 45), ip="2.2.2.2")

        assert roll_day(traffic, MAY_20, now=berlin(2026, 5, 21, 1, 20)) is True

    def test_roll_day_visit_started_on_it_going_on(self, traffic):
        for minute in (40, 65, 90):  # 23:40, 00:05 and 00:30
            record(traffic, berlin(2026, 5, 20, 23, 0) + timedelta(minutes=minute), ip="3.3.3.3")

        assert roll_day(traffic, MAY_20, now=berlin(2026, 5, 21, 1, 20)) is False

    def test_roll_day_visit_started_the_day_before_going_on(self, site):
        # A long visit from 18 May still going on does not hold 19 May back.
        baker.make(
            Session,
            session_id=1,
            site=site,
            visitor_id=1,
            started_at=berlin(2026, 5, 18, 12, 0),
            ended_at=berlin(2026, 5, 20, 0, 30),
        )

        assert roll_day(site, MAY_19, now=berlin(2026, 5, 20, 1, 0)) is True

    def test_roll_day_totals_row_has_no_value(self, traffic):
        roll_day(traffic, MAY_19, now=LATER)

        assert DailyRollup.objects.get(dimension="").value == ""

    def test_roll_day_once(self, traffic):
        assert roll_day(traffic, MAY_19, now=LATER) is True
        assert roll_day(traffic, MAY_19, now=LATER) is False
        assert RolledDay.objects.get().timezone == "Europe/Berlin"

    def test_roll_day_totals_of_the_day(self, traffic):
        roll_day(traffic, MAY_19, now=LATER)

        day = DailyRollup.objects.get(dimension="")
        # Visits started on 19 May: 8.8.8.8 at 01:30 and 9.9.9.9 (1.1.1.1's began on the 18th).
        assert (day.visitors, day.visits, day.bounces, day.duration) == (2, 2, 2, 0)
        # Events of 19 May: 1.1.1.1's signup, 8.8.8.8's and 9.9.9.9's pageviews.
        assert (day.visit_pageviews, day.pageviews, day.events) == (2, 2, 3)

    def test_roll_day_rows_of_a_dimension(self, traffic):
        roll_day(traffic, MAY_19, now=LATER)

        sources = DailyRollup.objects.filter(dimension="visit:source")
        assert {(row.value, row.visits, row.events) for row in sources} == {
            ("Direct / None", 1, 1),
            ("news", 1, 1),
            ("Google", 0, 1),  # the signup of the visit that came from Google on the 18th
        }

    def test_roll_day_rolled_in_another_time_zone_rolled_again(self, traffic):
        baker.make(RolledDay, site=traffic, day=MAY_19, timezone="UTC")
        baker.make(DailyRollup, site=traffic, day=MAY_19, dimension="", visits=99)

        assert roll_day(traffic, MAY_19, now=LATER) is True
        assert DailyRollup.objects.get(dimension="").visits == 2
        assert RolledDay.objects.get().timezone == "Europe/Berlin"


class RollUpTest:
    def test_roll_up_days_over(self, traffic):
        rolled = roll_up(traffic, [days_range(MAY_18, date(2026, 5, 21))], now=LATER)

        assert rolled == 3
        assert set(RolledDay.objects.values_list("day", flat=True)) == {MAY_18, MAY_19, MAY_20}

    def test_roll_up_not_before_the_site_was_created(self, traffic):
        rolled = roll_up(traffic, [days_range(date(1970, 1, 1), date(2026, 5, 21))], now=LATER)

        assert rolled == 3
        assert set(RolledDay.objects.values_list("day", flat=True)) == {MAY_18, MAY_19, MAY_20}

    def test_roll_up_skips_days_rolled_up(self, traffic):
        roll_day(traffic, MAY_18, now=LATER)

        assert roll_up(traffic, [days_range(MAY_18, MAY_20)], now=LATER) == 1

    def test_roll_up_budget_spent(self, traffic):
        assert roll_up(traffic, [days_range(MAY_18, MAY_20)], now=LATER, budget=0) == 0
        assert not RolledDay.objects.exists()

    def test_roll_up_days_not_over_not_looked_up(self, traffic, django_assert_num_queries):
        now = berlin(2026, 5, 21, 0, 59)  # 20 May ended 59 minutes ago

        with django_assert_num_queries(0):
            assert roll_up(traffic, [days_range(MAY_20, date(2026, 5, 31))], now=now) == 0

    def test_roll_up_day_just_over(self, traffic):
        now = berlin(2026, 5, 21, 1, 0)

        assert roll_up(traffic, [days_range(MAY_20, date(2026, 5, 31))], now=now) == 1
        assert RolledDay.objects.get().day == MAY_20

    def test_roll_up_partial_day_not_rolled(self, traffic):
        hours = DateRange(berlin(2026, 5, 18, 12), berlin(2026, 5, 19, 12), BERLIN)

        assert roll_up(traffic, [hours], now=LATER) == 0


QUERIES = [
    {"metrics": ["visitors", "visits", "pageviews", "events", "bounce_rate", "visit_duration",
                 "views_per_visit"]},
    {"metrics": ["visitors", "pageviews"], "dimensions": ["time:day"],
     "include": {"time_labels": True}},
    {"metrics": ["visitors", "visits"], "dimensions": ["time:week"]},
    {"metrics": ["visitors", "events"], "dimensions": ["time:month"]},
    {"metrics": ["visitors", "pageviews", "percentage"], "dimensions": ["event:page"]},
    {"metrics": ["visitors", "bounce_rate"], "dimensions": ["visit:source"]},
    {"metrics": ["visitors", "visits"], "dimensions": ["visit:entry_page"]},
    {"metrics": ["visitors", "events"], "dimensions": ["time:day", "event:name"]},
    {"metrics": ["pageviews"], "dimensions": ["event:name"]},
    {"metrics": ["visits"], "dimensions": ["event:name"]},
    {"metrics": ["visitors"], "date_range": ["2026-05-18T12:00:00", "2026-05-20T12:00:00"]},
    {"metrics": ["visitors", "pageviews"], "date_range": ["2026-05-19", "2026-05-19"],
     "include": {"comparisons": {"mode": "previous_period"}}},
]  # fmt: skip


class RollupExactnessTest:
    @pytest.mark.parametrize("body", QUERIES)
    def test_run_query_rolled_up_same_as_raw(self, traffic, monkeypatch, body):
        body = {"date_range": ["2026-05-18", "2026-05-20"], **body}
        monkeypatch.setattr(rollups, "ROLL_BUDGET_SECONDS", 0.0)  # the raw answer first
        raw_answer = run_query(traffic, query(traffic, **body))
        roll_up(traffic, [days_range(MAY_18, date(2026, 5, 21))], now=LATER)
        # Every query reads 19 May whole: only its rollup rows can answer for it now.
        may_19 = days_range(MAY_19, MAY_20)
        Visit.objects.filter(timestamp__gte=may_19.start, timestamp__lt=may_19.end).delete()
        Session.objects.filter(started_at__gte=may_19.start, started_at__lt=may_19.end).delete()

        assert RolledDay.objects.count() == 3
        assert run_query(traffic, query(traffic, **body)) == raw_answer

    @pytest.mark.django_db(transaction=True)
    def test_run_query_day_forgotten_while_answering(self, traffic, monkeypatch):
        roll_up(traffic, [days_range(MAY_18, date(2026, 5, 21))], now=LATER)
        body = {"metrics": ["visitors", "pageviews"], "date_range": ["2026-05-18", "2026-05-20"]}
        expected = run_query(traffic, query(traffic, **body))
        totals = rollups.totals

        def totals_after_a_late_event(*args, **kwargs):
            # A late event of 19 May commits between the rolled-day lookup and the rollup rows.
            def forget():
                RolledDay.objects.forget(traffic, [berlin(2026, 5, 19, 12)])
                connection.close()

            thread = threading.Thread(target=forget)
            thread.start()
            thread.join()
            return totals(*args, **kwargs)

        monkeypatch.setattr(rollups, "totals", totals_after_a_late_event)
        answer = run_query(traffic, query(traffic, **body))

        assert not RolledDay.objects.filter(day=MAY_19).exists()
        assert answer == expected

    def test_run_query_events_only_group_without_event_of_the_range_not_shown(self, traffic):
        roll_up(traffic, [days_range(MAY_18, MAY_20)], now=LATER)
        body = {"metrics": ["pageviews"], "dimensions": ["event:name"]}

        answer = run_query(traffic, query(traffic, date_range=["2026-05-18", "2026-05-18"], **body))

        # The signup of the 18th's visit happened on the 19th: no event of that name on the 18th.
        assert [row["dimensions"] for row in answer["results"]] == [["pageview"]]

    def test_run_query_visits_only_group_without_visit_of_the_range_not_shown(self, traffic):
        roll_up(traffic, [days_range(MAY_18, MAY_20)], now=LATER)
        body = {"metrics": ["visitors"], "dimensions": ["visit:source"]}

        answer = run_query(traffic, query(traffic, date_range=["2026-05-19", "2026-05-19"], **body))

        # On the 19th, Google brought only an event of a visit that started on the 18th.
        assert [row["dimensions"] for row in answer["results"]] == [["Direct / None"], ["news"]]


class _Clock:
    """A monotonic clock that advances one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


class RunQueryRollsUpTest:
    def test_run_query_rolls_up_for_two_seconds(self, traffic, monkeypatch):
        monkeypatch.setattr(rollups, "time", _Clock())

        run_query(traffic, query(traffic, date_range=["2026-05-18", "2026-05-20"]))

        # Started at 1 s: 18 May rolls at 2 s; at 3 s two seconds are spent.
        assert set(RolledDay.objects.values_list("day", flat=True)) == {MAY_18}

    def test_run_query_rolls_up_days_over(self, traffic):
        run_query(traffic, query(traffic, date_range=["2026-05-18", "2026-05-19"]))

        assert set(RolledDay.objects.values_list("day", flat=True)) == {MAY_18, MAY_19}

    def test_run_query_rolls_up_comparison_days(self, traffic):
        compared = query(
            traffic,
            date_range=["2026-05-19", "2026-05-19"],
            include={"comparisons": {"mode": "previous_period"}},
        )

        run_query(traffic, compared)

        assert set(RolledDay.objects.values_list("day", flat=True)) == {MAY_18, MAY_19}

    def test_run_query_filtered_rolls_nothing_up(self, traffic):
        filtered = query(traffic, filters=[["is", "visit:country", ["US"]]])

        run_query(traffic, filtered)

        assert not RolledDay.objects.exists()


OTHER_URL = "https://other.example/"


@pytest.fixture
def other_site():
    """Another site in the same zone, with a visit on 19 May."""
    other = baker.make(
        Site, domain="other.example", timezone="Europe/Berlin", created_at=berlin(2026, 5, 18)
    )
    record(other, berlin(2026, 5, 19, 15, 0), ip="4.4.4.4", url=OTHER_URL)
    return other


class RollupsOtherSiteTest:
    def test_plan_day_rolled_for_another_site_reads_raw(self, site, other_site):
        roll_day(other_site, MAY_19, now=LATER)
        whole = days_range(MAY_19, MAY_20)

        assert plan(site, query(site), whole, events=True) == Plan("", [], [whole])

    def test_roll_day_keeps_another_sites_rollups(self, traffic, other_site):
        roll_day(other_site, MAY_19, now=LATER)

        roll_day(traffic, MAY_19, now=LATER)

        assert RolledDay.objects.filter(site=other_site, day=MAY_19).exists()
        assert DailyRollup.objects.get(site=other_site, day=MAY_19, dimension="").visits == 1

    def test_roll_day_visit_of_another_site_going_on(self, site, other_site):
        record(site, berlin(2026, 5, 18, 10, 0))
        # The other site's visit started on 18 May and ended less than an hour ago.
        record(other_site, berlin(2026, 5, 18, 23, 50), ip="5.5.5.5", url=OTHER_URL)
        record(other_site, berlin(2026, 5, 19, 0, 15), ip="5.5.5.5", url=OTHER_URL)

        assert roll_day(site, MAY_18, now=berlin(2026, 5, 19, 1, 0)) is True

    def test_run_query_rolled_days_of_one_site(self, traffic, other_site):
        roll_day(other_site, MAY_19, now=LATER)
        roll_day(traffic, MAY_19, now=LATER)
        body = {"metrics": ["visitors", "visits"], "date_range": ["2026-05-19", "2026-05-19"]}

        answer = run_query(traffic, query(traffic, **body))

        assert answer["results"] == [{"metrics": [2, 2], "dimensions": []}]
