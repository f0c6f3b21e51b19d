"""Answering stats queries over recorded events and visits (visits.stats.engine)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from model_bakery import baker

from sites.models import Site
from visits.models import Visit
from visits.stats import rollups
from visits.stats.engine import realtime_visitors, run_query
from visits.stats.query import InvalidQuery, parse_query
from visits.stats.rollups import first_day
from visits.tests.events import CHROME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _raw_tables_only(monkeypatch):
    """Answer from the raw tables, whatever today's date: test_rollups checks the rollups."""
    monkeypatch.setattr(rollups, "ROLL_BUDGET_SECONDS", 0.0)


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
# Tuesday 19 May 2026, in Berlin (CEST, UTC+2).
TUESDAY = ["2026-05-19", "2026-05-19"]
ALL_METRICS = [
    "visitors",
    "visits",
    "pageviews",
    "events",
    "bounce_rate",
    "visit_duration",
    "views_per_visit",
]


def berlin(*parts: int) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(*parts, tzinfo=BERLIN)


def record(
    site: Site,
    at: datetime,
    *,
    path: str = "/",
    name: str = "pageview",
    ip: str = "8.8.8.8",
    referrer: str = "",
    props: dict | None = None,
    interactive: bool = True,
    user_agent: str = CHROME,
    host: str = "",
    received_at: datetime | None = None,
) -> Visit:
    """Record an event received when it happened.

    received_at is passed in UTC: the visitor's daily salt is chosen by its date.
    """
    return Visit.objects.record(
        site=site,
        name=name,
        url=f"https://{host or site.domain}{path}",
        referrer=referrer,
        props=props or {},
        interactive=interactive,
        ip=ip,
        user_agent=user_agent,
        timestamp=at,
        received_at=(received_at or at).astimezone(UTC),
    )


def run(site: Site, *, now: datetime = NOW, **body) -> dict:
    """Parse and answer a query on the site."""
    query = parse_query(
        {"site_id": site.domain, **body},
        tz=ZoneInfo(site.timezone),
        now=now,
        first_day=first_day(site),
    )
    return run_query(site, query)


def rows(site: Site, **body) -> list[tuple[tuple, list]]:
    """Return each result row as (dimensions, metrics), in the order answered."""
    return [(tuple(row["dimensions"]), row["metrics"]) for row in run(site, **body)["results"]]


def aggregate(site: Site, metrics: list[str], **body) -> list:
    """Return the metrics of a query without dimensions."""
    results = run(site, metrics=metrics, **body)["results"]
    assert [row["dimensions"] for row in results] == [[]]
    return results[0]["metrics"]


@pytest.fixture
def site():
    return baker.make(
        "sites.Site",
        domain="example.com",
        timezone="Europe/Berlin",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def four_visits(site):
    """Three visitors, four visits on Tuesday 19 May."""
    # Visitor 8.8.8.8: 2 pageviews and an interactive event, 10:00 … 10:05 (300 s).
    record(site, berlin(2026, 5, 19, 10, 0), path="/")
    record(site, berlin(2026, 5, 19, 10, 2), path="/pricing")
    record(site, berlin(2026, 5, 19, 10, 5), path="/pricing", name="signup")
    # Visitor 1.1.1.1: one pageview, a bounce (0 s).
    record(site, berlin(2026, 5, 19, 11, 0), path="/blog", ip="1.1.1.1")
    # Visitor 9.9.9.9: a pageview and a non-interactive event, still a bounce (60 s).
    record(site, berlin(2026, 5, 19, 12, 0), path="/", ip="9.9.9.9")
    record(site, berlin(2026, 5, 19, 12, 1), name="scroll", ip="9.9.9.9", interactive=False)
    # Visitor 8.8.8.8 again after hours: a second visit, 2 pageviews, 15:00 … 15:10 (600 s).
    record(site, berlin(2026, 5, 19, 15, 0), path="/pricing")
    record(site, berlin(2026, 5, 19, 15, 10), path="/")
    return site


@pytest.fixture
def eight_visits(site):
    """One visitor, eight visits an hour apart, whose averages end in 5."""
    # 08:00: two pageviews a minute apart (60 s, not a bounce).
    record(site, berlin(2026, 5, 19, 8, 0), path="/")
    record(site, berlin(2026, 5, 19, 8, 1), path="/a")
    # 09:00: one pageview, the only bounce (0 s).
    record(site, berlin(2026, 5, 19, 9, 0), path="/")
    # 10:00 … 15:00: a pageview and a click a minute later (60 s each, not bounces).
    for hour in range(10, 16):
        record(site, berlin(2026, 5, 19, hour, 0), path="/")
        record(site, berlin(2026, 5, 19, hour, 1), path="/", name="click")
    return site


@pytest.fixture
def three_visitors(site):
    """Three visitors whose visits differ in every dimension."""
    # 8.8.8.8 (US, Chrome on Windows): tagged visit, two pageviews and a signup.
    record(
        site,
        berlin(2026, 5, 19, 10, 0),
        path="/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
        "&utm_term=shoes&utm_content=header",
        referrer="https://news.ycombinator.com/item?id=1",
    )
    record(site, berlin(2026, 5, 19, 10, 1), path="/pricing")
    record(site, berlin(2026, 5, 19, 10, 2), path="/pricing", name="signup", props={"plan": "pro"})
    # 1.1.1.1 (AU, Chrome on Windows): from Google, a pageview and a signup.
    record(
        site,
        berlin(2026, 5, 19, 11, 0),
        path="/blog",
        ip="1.1.1.1",
        referrer="https://www.google.com/search?q=tally",
    )
    record(
        site,
        berlin(2026, 5, 19, 11, 5),
        path="/blog",
        name="signup",
        ip="1.1.1.1",
        props={"plan": "free"},
    )
    # 9.9.9.9 (US, Safari on an iPhone): direct, one pageview on the blog subdomain.
    record(
        site,
        berlin(2026, 5, 19, 12, 0),
        path="/",
        host="blog.example.com",
        ip="9.9.9.9",
        user_agent=IPHONE,
    )
    return site


class RunQueryMetricsTest:
    def test_run_query_every_metric(self, four_visits):
        metrics = aggregate(four_visits, ALL_METRICS, date_range=TUESDAY)

        # visitors: 8.8.8.8, 1.1.1.1, 9.9.9.9 = 3; visits: 2 + 1 + 1 = 4;
        # pageviews: 2 + 1 + 1 + 2 = 6; events: 3 + 1 + 2 + 2 = 8;
        # bounce_rate: 2 bounces / 4 visits = 50; visit_duration: (300+0+60+600) / 4 = 240;
        # views_per_visit: 6 / 4 = 1.5.
        assert metrics == [3, 4, 6, 8, 50, 240, 1.5]

    def test_run_query_bounce_rate_rounds_half_up(self, eight_visits):
        metrics = aggregate(eight_visits, ["visits", "bounce_rate"], date_range=TUESDAY)

        # 1 bounce / 8 visits = 12.5 % → 13.
        assert metrics == [8, 13]

    def test_run_query_visit_duration_rounds_half_up(self, eight_visits):
        metrics = aggregate(eight_visits, ["visit_duration"], date_range=TUESDAY)

        # (60 + 0 + 6 * 60) / 8 = 420 / 8 = 52.5 s → 53.
        assert metrics == [53]

    def test_run_query_views_per_visit_rounds_half_up(self, eight_visits):
        metrics = aggregate(eight_visits, ["pageviews", "views_per_visit"], date_range=TUESDAY)

        # (2 + 1 + 6 * 1) / 8 = 9 / 8 = 1.125 → 1.13.
        assert metrics == [9, 1.13]

    def test_run_query_views_per_visit_two_decimals(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), ip="8.8.8.8")
        record(site, berlin(2026, 5, 19, 10, 0), ip="1.1.1.1")
        record(site, berlin(2026, 5, 19, 10, 0), ip="9.9.9.9")
        record(site, berlin(2026, 5, 19, 10, 1), path="/more", ip="9.9.9.9")

        metrics = aggregate(site, ["views_per_visit"], date_range=TUESDAY)

        # 4 pageviews / 3 visits = 1.333… → 1.33.
        assert metrics == [1.33]

    def test_run_query_visit_of_events_only_is_no_bounce(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), name="download")

        metrics = aggregate(site, ["visits", "pageviews", "bounce_rate"], date_range=TUESDAY)

        assert metrics == [1, 0, 0]

    def test_run_query_empty_range_aggregate_is_zeros(self, four_visits):
        metrics = aggregate(four_visits, ALL_METRICS, date_range=["2026-05-01", "2026-05-02"])

        assert metrics == [0, 0, 0, 0, 0, 0, 0.0]

    def test_run_query_other_site_not_counted(self, four_visits):
        other_site = baker.make("sites.Site", domain="other.org", timezone="Europe/Berlin")
        record(other_site, berlin(2026, 5, 19, 10, 0))

        metrics = aggregate(four_visits, ["visitors", "pageviews"], date_range=TUESDAY)

        assert metrics == [3, 6]


class RunQuerySessionsTest:
    def test_run_query_event_after_29m59s_continues_visit(self, site):
        record(site, berlin(2026, 5, 19, 10, 0, 0))
        record(site, berlin(2026, 5, 19, 10, 29, 59), path="/next")

        metrics = aggregate(site, ["visits", "visit_duration"], date_range=TUESDAY)

        # One visit of 29 * 60 + 59 = 1799 s.
        assert metrics == [1, 1799]

    def test_run_query_event_after_30m_starts_visit(self, site):
        record(site, berlin(2026, 5, 19, 10, 0, 0))
        record(site, berlin(2026, 5, 19, 10, 30, 0), path="/next")

        metrics = aggregate(site, ["visitors", "visits", "bounce_rate"], date_range=TUESDAY)

        # Two single-pageview visits of one visitor: both bounce.
        assert metrics == [1, 2, 100]

    def test_run_query_inactivity_not_length_ends_visit(self, site):
        for minute in (0, 20, 40):
            record(site, berlin(2026, 5, 19, 10, minute), path=f"/{minute}")

        metrics = aggregate(site, ["visits", "visit_duration"], date_range=TUESDAY)

        # Gaps of 20 minutes: one visit of 40 minutes = 2400 s.
        assert metrics == [1, 2400]

    def test_run_query_visit_across_local_midnight_by_day(self, site):
        record(site, berlin(2026, 5, 19, 23, 50))
        record(site, berlin(2026, 5, 20, 0, 10), path="/next")

        result = rows(
            site,
            metrics=["visits", "pageviews"],
            date_range=["2026-05-19", "2026-05-20"],
            dimensions=["time:day"],
        )

        # The visit counts on the day it started; each pageview on its own day.
        assert result == [(("2026-05-19",), [1, 1]), (("2026-05-20",), [0, 1])]

    def test_run_query_visit_started_before_range_not_counted(self, site):
        record(site, berlin(2026, 5, 19, 23, 50))
        record(site, berlin(2026, 5, 20, 0, 10), path="/next")

        metrics = aggregate(
            site, ["visitors", "visits", "pageviews"], date_range=["2026-05-20", "2026-05-20"]
        )

        assert metrics == [0, 0, 1]

    def test_run_query_visit_across_utc_midnight_one_visitor(self, site):
        # 23:50 and 00:10 UTC, received on two days with two daily salts.
        record(site, datetime(2026, 5, 19, 23, 50, tzinfo=UTC))
        record(site, datetime(2026, 5, 20, 0, 10, tzinfo=UTC), path="/next")

        metrics = aggregate(
            site, ["visitors", "visits", "visit_duration"], date_range=["2026-05-20", "2026-05-20"]
        )

        # 01:50 and 02:10 in Berlin: one visitor, one visit of 20 minutes = 1200 s.
        assert metrics == [1, 1, 1200]

    def test_run_query_same_address_next_day_new_visitor(self, site):
        record(site, berlin(2026, 5, 19, 10, 0))
        record(site, berlin(2026, 5, 20, 10, 0))

        metrics = aggregate(site, ["visitors", "visits"], date_range=["2026-05-19", "2026-05-20"])

        # Visitor ids change with the daily salt: two visitors.
        assert metrics == [2, 2]


@pytest.fixture
def fall_back(site):
    """Visits around the end of summer time: Sunday 25 October 2026, 03:00 CEST → 02:00 CET."""
    # Saturday 24 October, 23:30 CEST.
    record(site, datetime(2026, 10, 24, 21, 30, tzinfo=UTC), ip="5.6.7.8")
    # Sunday 00:30 CEST, still Saturday in UTC.
    record(site, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), ip="8.8.8.8")
    # Sunday 02:30 CEST, then 02:30 CET an hour later.
    record(site, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), ip="1.1.1.1")
    record(site, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), ip="9.9.9.9")
    # Monday 26 October 00:15 CET, still Sunday in UTC.
    record(site, datetime(2026, 10, 25, 23, 15, tzinfo=UTC), ip="5.6.7.8")
    # Sunday 1 November 00:30 CET, still October in UTC.
    record(site, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), ip="5.6.7.8")
    return site


class RunQueryTimeBucketsTest:
    def test_run_query_time_hour_fall_back_day(self, fall_back):
        result = rows(
            fall_back,
            metrics=["visits"],
            date_range=["2026-10-25", "2026-10-25"],
            dimensions=["time:hour"],
        )

        # 00:30 CEST; 02:30 CEST and 02:30 CET share the wall-clock hour 02:00.
        assert result == [(("2026-10-25 00:00:00",), [1]), (("2026-10-25 02:00:00",), [2])]

    def test_run_query_time_day_local(self, fall_back):
        result = rows(
            fall_back,
            metrics=["visitors"],
            date_range=["2026-10-24", "2026-10-26"],
            dimensions=["time:day"],
        )

        # Saturday: 23:30; Sunday: 00:30, 02:30 CEST, 02:30 CET; Monday: 00:15.
        assert result == [
            (("2026-10-24",), [1]),
            (("2026-10-25",), [3]),
            (("2026-10-26",), [1]),
        ]

    def test_run_query_time_week_starts_monday(self, fall_back):
        result = rows(
            fall_back,
            metrics=["pageviews"],
            date_range=["2026-10-19", "2026-11-01"],
            dimensions=["time:week"],
        )

        # Week of Monday 19 October: 4 pageviews; of Monday 26 October: 00:15 and 1 November.
        assert result == [(("2026-10-19",), [4]), (("2026-10-26",), [2])]

    def test_run_query_time_month_local(self, fall_back):
        result = rows(
            fall_back,
            metrics=["visits"],
            date_range=["2026-10-01", "2026-11-30"],
            dimensions=["time:month"],
        )

        assert result == [(("2026-10-01",), [5]), (("2026-11-01",), [1])]

    def test_run_query_time_auto_hourly_for_a_day(self, fall_back):
        result = rows(
            fall_back,
            now=datetime(2026, 10, 25, 12, 0, tzinfo=UTC),
            metrics=["visits"],
            date_range="day",
            dimensions=["time"],
        )

        assert result == [(("2026-10-25 00:00:00",), [1]), (("2026-10-25 02:00:00",), [2])]

    def test_run_query_time_labels_fill_empty_buckets(self, four_visits):
        answer = run(
            four_visits,
            metrics=["visitors", "pageviews", "bounce_rate", "views_per_visit", "percentage"],
            date_range=["2026-05-18", "2026-05-20"],
            dimensions=["time:day"],
            include={"time_labels": True},
        )

        assert answer["meta"]["time_labels"] == ["2026-05-18", "2026-05-19", "2026-05-20"]
        assert [(row["dimensions"], row["metrics"]) for row in answer["results"]] == [
            (["2026-05-18"], [0, 0, 0, 0.0, 0.0]),
            # 3 of the 3 visitors: 100 %.
            (["2026-05-19"], [3, 6, 50, 1.5, 100.0]),
            (["2026-05-20"], [0, 0, 0, 0.0, 0.0]),
        ]

    def test_run_query_time_labels_of_range_starting_within_an_hour(self, site):
        record(site, berlin(2026, 5, 19, 12, 10))

        answer = run(
            site,
            metrics=["pageviews"],
            date_range=["2026-05-19T10:30:00", "2026-05-19T12:29:59"],
            dimensions=["time:hour"],
            include={"time_labels": True},
        )

        # The event's bucket, 12:00, is the last label.
        assert answer["meta"]["time_labels"] == [
            "2026-05-19 10:00:00",
            "2026-05-19 11:00:00",
            "2026-05-19 12:00:00",
        ]
        assert [(row["dimensions"], row["metrics"]) for row in answer["results"]] == [
            (["2026-05-19 10:00:00"], [0]),
            (["2026-05-19 11:00:00"], [0]),
            (["2026-05-19 12:00:00"], [1]),
        ]

    def test_run_query_percentage_without_visitors(self, site):
        answer = run(
            site,
            metrics=["visitors", "percentage"],
            date_range=TUESDAY,
            dimensions=["time:day"],
            include={"time_labels": True},
        )

        assert answer["results"] == [{"metrics": [0, 0.0], "dimensions": ["2026-05-19"]}]

    def test_run_query_time_labels_with_two_dimensions_not_filled(self, four_visits):
        answer = run(
            four_visits,
            metrics=["visits"],
            date_range=["2026-05-18", "2026-05-20"],
            dimensions=["time:day", "visit:entry_page"],
            include={"time_labels": True},
        )

        assert answer["meta"]["time_labels"] == ["2026-05-18", "2026-05-19", "2026-05-20"]
        assert [(row["dimensions"], row["metrics"]) for row in answer["results"]] == [
            (["2026-05-19", "/"], [2]),
            (["2026-05-19", "/blog"], [1]),
            (["2026-05-19", "/pricing"], [1]),
        ]


class RunQueryDimensionsTest:
    def test_run_query_event_page(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["pageviews", "events"],
            date_range=TUESDAY,
            dimensions=["event:page"],
        )

        # "/" twice (both hosts); a tie of 1 pageview is ordered by page.
        assert result == [
            (("/",), [2, 2]),
            (("/blog",), [1, 2]),
            (("/pricing",), [1, 2]),
        ]

    def test_run_query_event_name(self, three_visitors):
        result = rows(
            three_visitors, metrics=["events"], date_range=TUESDAY, dimensions=["event:name"]
        )

        assert result == [(("pageview",), [4]), (("signup",), [2])]

    def test_run_query_event_hostname(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["event:hostname"],
        )

        assert result == [(("example.com",), [3]), (("blog.example.com",), [1])]

    def test_run_query_event_props(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["events"],
            date_range=TUESDAY,
            dimensions=["event:props:plan"],
        )

        # The four pageviews have no plan.
        assert result == [(("(none)",), [4]), (("free",), [1]), (("pro",), [1])]

    def test_run_query_entry_page(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["visit:entry_page"],
        )

        assert result == [(("/",), [2]), (("/blog",), [1])]

    def test_run_query_exit_page_is_last_pageview(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visits"],
            date_range=TUESDAY,
            dimensions=["visit:exit_page"],
        )

        # The signups after the last pageviews do not move the exit page.
        assert result == [(("/",), [1]), (("/blog",), [1]), (("/pricing",), [1])]

    def test_run_query_entry_page_without_pageview(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), name="download")

        result = rows(site, metrics=["visits"], date_range=TUESDAY, dimensions=["visit:entry_page"])

        assert result == [(("(none)",), [1])]

    def test_run_query_source(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["visit:source"],
        )

        # utm_source wins over the Hacker News referrer; no referrer is "Direct / None".
        assert result == [
            (("Direct / None",), [1]),
            (("Google",), [1]),
            (("newsletter",), [1]),
        ]

    def test_run_query_referrer(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["visit:referrer"],
        )

        assert result == [
            (("(none)",), [1]),
            (("google.com",), [1]),
            (("news.ycombinator.com",), [1]),
        ]

    @pytest.mark.parametrize(
        ("dimension", "value"),
        [
            ("visit:utm_source", "newsletter"),
            ("visit:utm_medium", "email"),
            ("visit:utm_campaign", "spring"),
            ("visit:utm_term", "shoes"),
            ("visit:utm_content", "header"),
        ],
    )
    def test_run_query_utm(self, three_visitors, dimension, value):
        result = rows(
            three_visitors, metrics=["visitors"], date_range=TUESDAY, dimensions=[dimension]
        )

        assert result == [(("(none)",), [2]), ((value,), [1])]

    def test_run_query_country(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors", "percentage"],
            date_range=TUESDAY,
            dimensions=["visit:country"],
        )

        # 8.8.8.8 and 9.9.9.9 are in the US, 1.1.1.1 in Australia: 2/3 and 1/3 of 3.
        assert result == [(("US",), [2, 66.67]), (("AU",), [1, 33.33])]

    @pytest.mark.parametrize("dimension", ["visit:region", "visit:city"])
    def test_run_query_region_city_without_city_database(self, three_visitors, dimension):
        result = rows(
            three_visitors, metrics=["visitors"], date_range=TUESDAY, dimensions=[dimension]
        )

        assert result == [(("(none)",), [3])]

    @pytest.mark.parametrize(
        ("dimension", "desktop", "iphone"),
        [
            ("visit:browser", "Chrome", "Safari"),
            ("visit:browser_version", "124.0", "17.4"),
            ("visit:os", "Windows", "iOS"),
            ("visit:os_version", "10", "17.4"),
            ("visit:device", "desktop", "mobile"),
        ],
    )
    def test_run_query_software(self, three_visitors, dimension, desktop, iphone):
        result = rows(
            three_visitors, metrics=["visitors"], date_range=TUESDAY, dimensions=[dimension]
        )

        assert result == [((desktop,), [2]), ((iphone,), [1])]

    def test_run_query_two_dimensions(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors", "events"],
            date_range=TUESDAY,
            dimensions=["visit:country", "event:name"],
        )

        # US pageviews: 2 of 8.8.8.8 and 1 of 9.9.9.9; the ties are ordered by dimensions.
        assert result == [
            (("US", "pageview"), [2, 3]),
            (("AU", "pageview"), [1, 1]),
            (("AU", "signup"), [1, 1]),
            (("US", "signup"), [1, 1]),
        ]

    def test_run_query_event_metrics_by_visit_source(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["visit:source"],
        )

        # The second pageview of the newsletter visit keeps the visit's source.
        assert result == [
            (("newsletter",), [2]),
            (("Direct / None",), [1]),
            (("Google",), [1]),
        ]

    def test_run_query_event_metrics_by_entry_page(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["events"],
            date_range=TUESDAY,
            dimensions=["visit:entry_page"],
        )

        # Visits entered on "/": 3 events of 8.8.8.8 and 1 of 9.9.9.9.
        assert result == [(("/",), [4]), (("/blog",), [2])]

    def test_run_query_visits_by_event_page(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors", "visits", "views_per_visit"],
            date_range=TUESDAY,
            dimensions=["event:page"],
        )

        # A visit counts for each page it holds, with all its pageviews (2, 1 and 1).
        assert result == [
            (("/",), [2, 2, 1.5]),
            (("/blog",), [1, 1, 1.0]),
            (("/pricing",), [1, 1, 2.0]),
        ]

    def test_run_query_visit_counts_once_per_event_value(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/")
        record(site, berlin(2026, 5, 19, 10, 1), path="/pricing")
        record(site, berlin(2026, 5, 19, 10, 2), path="/")

        result = rows(
            site, metrics=["visits", "pageviews"], date_range=TUESDAY, dimensions=["event:page"]
        )

        assert result == [(("/",), [1, 2]), (("/pricing",), [1, 1])]

    def test_run_query_visits_by_time_and_event_name(self, site):
        record(site, berlin(2026, 5, 19, 23, 50))
        record(site, berlin(2026, 5, 20, 0, 10), name="signup")

        result = rows(
            site,
            metrics=["visits", "events"],
            date_range=["2026-05-19", "2026-05-20"],
            dimensions=["time:day", "event:name"],
        )

        # The visit started on the 19th; its signup happened on the 20th.
        assert result == [
            (("2026-05-19", "pageview"), [1, 1]),
            (("2026-05-19", "signup"), [1, 0]),
            (("2026-05-20", "signup"), [0, 1]),
        ]

    def test_run_query_visitors_by_event_page_visit_started_before_range(self, site):
        record(site, berlin(2026, 5, 18, 23, 50), path="/monday")
        record(site, berlin(2026, 5, 19, 0, 10), path="/tuesday")

        result = rows(
            site, metrics=["visitors", "pageviews"], date_range=TUESDAY, dimensions=["event:page"]
        )

        # The visit started on Monday: its Tuesday pageview counts, its visitor does not.
        assert result == [(("/tuesday",), [0, 1])]

    def test_run_query_visitors_by_event_page_visit_ending_after_range(self, site):
        record(site, berlin(2026, 5, 19, 23, 50), path="/tuesday")
        record(site, berlin(2026, 5, 20, 0, 10), path="/wednesday")

        result = rows(
            site, metrics=["visitors", "pageviews"], date_range=TUESDAY, dimensions=["event:page"]
        )

        # The visit started on Tuesday: its visitor counts for both pages, Wednesday's
        # pageview does not.
        assert result == [(("/tuesday",), [1, 1]), (("/wednesday",), [1, 0])]

    def test_run_query_visitors_by_event_page_visit_across_utc_midnight(self, site):
        # 01:50 and 02:10 in Berlin, 23:50 and 00:10 UTC: the second event is received under
        # the next day's salt and continues the visit, whose visitor it counts as.
        record(site, datetime(2026, 5, 19, 23, 50, tzinfo=UTC), path="/before")
        record(site, datetime(2026, 5, 20, 0, 10, tzinfo=UTC), path="/after")

        metrics = aggregate(
            site,
            ["visitors", "visits"],
            date_range=["2026-05-20", "2026-05-20"],
            filters=[["is", "event:page", ["/before", "/after"]]],
        )

        assert metrics == [1, 1]

    def test_run_query_visitors_by_event_page_visit_across_local_midnight(self, site):
        # 23:50 and 00:10 in Berlin, one UTC day: the visit's visitor is Tuesday's, also on
        # its Wednesday event.
        record(site, berlin(2026, 5, 19, 23, 50), path="/tuesday")
        record(site, berlin(2026, 5, 20, 0, 10), path="/wednesday")

        metrics = aggregate(
            site,
            ["visitors", "visits"],
            date_range=["2026-05-19", "2026-05-20"],
            filters=[["is", "event:page", ["/tuesday", "/wednesday"]]],
        )

        assert metrics == [1, 1]

    def test_run_query_visitors_by_event_page_start_moved_to_previous_day(self, site):
        site.timezone = "Asia/Kathmandu"  # UTC+5:45: local midnight is 18:15 UTC
        site.save()
        # Two first events in the half hour 18:00-18:30 UTC: the later one, on Wednesday
        # (00:05 local), is stored first; the earlier, on Tuesday (23:55), moves the start.
        record(site, datetime(2026, 5, 19, 18, 20, tzinfo=UTC), path="/wednesday")
        record(site, datetime(2026, 5, 19, 18, 10, tzinfo=UTC), path="/tuesday")

        result = rows(
            site,
            metrics=["visitors", "visits", "pageviews"],
            date_range=TUESDAY,
            dimensions=["event:page"],
        )

        assert result == [(("/tuesday",), [1, 1, 1]), (("/wednesday",), [1, 1, 0])]

    def test_run_query_visit_source_of_merged_visit_with_event_filter(self, site):
        # The direct event is stored first; the earlier one, from Google, merges into its visit
        # (same half hour) and becomes its first event: the visit came from Google.
        record(site, berlin(2026, 5, 19, 10, 10), path="/")
        record(site, berlin(2026, 5, 19, 10, 5), referrer="https://www.google.com/")

        result = rows(
            site,
            metrics=["visitors", "visits", "percentage"],
            date_range=TUESDAY,
            dimensions=["visit:source"],
            filters=[["is", "event:page", ["/"]]],
        )

        assert result == [(("Google",), [1, 1, 100.0])]


class RunQueryFiltersTest:
    @pytest.mark.parametrize(
        ("condition", "pageviews"),
        [
            (["is", "event:page", ["/", "/blog"]], 3),
            (["is_not", "event:page", ["/"]], 2),
            (["contains", "event:page", ["pric"]], 1),
            (["contains_not", "event:page", ["blog"]], 3),
            (["matches", "event:page", ["^/(blog|pricing)$"]], 2),
            (["matches_not", "event:page", ["^/$"]], 2),
            (["is", "event:hostname", ["blog.example.com"]], 1),
        ],
    )
    def test_run_query_filter_operator(self, three_visitors, condition, pageviews):
        metrics = aggregate(three_visitors, ["pageviews"], date_range=TUESDAY, filters=[condition])

        # Pageviews: "/" twice, "/pricing" and "/blog" once each.
        assert metrics == [pageviews]

    @pytest.mark.parametrize(
        ("condition", "visitors"),
        [
            (["is", "visit:source", ["google"]], 0),
            (["is", "visit:source", ["google"], {"case_sensitive": True}], 0),
            (["is", "visit:source", ["google"], {"case_sensitive": False}], 1),
            (["contains", "event:page", ["PRIC"], {"case_sensitive": False}], 1),
            (["matches", "event:page", ["^/BLOG$"], {"case_sensitive": False}], 1),
            (["is_not", "visit:source", ["GOOGLE"], {"case_sensitive": False}], 2),
        ],
    )
    def test_run_query_filter_case_sensitivity(self, three_visitors, condition, visitors):
        metrics = aggregate(three_visitors, ["visitors"], date_range=TUESDAY, filters=[condition])

        assert metrics == [visitors]

    def test_run_query_filter_direct_source(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visitors"],
            date_range=TUESDAY,
            filters=[["is", "visit:source", ["Direct / None"]]],
        )

        assert metrics == [1]

    def test_run_query_filter_missing_prop(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["events"],
            date_range=TUESDAY,
            filters=[["is", "event:props:plan", ["(none)"]]],
        )

        assert metrics == [4]

    def test_run_query_filter_contains_wildcards_literally(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/a_b")
        record(site, berlin(2026, 5, 19, 10, 1), path="/axb")

        metrics = aggregate(
            site,
            ["pageviews"],
            date_range=TUESDAY,
            filters=[["contains", "event:page", ["a_b", "a%b"]]],
        )

        # "_" and "%" are no wildcards: "/a_b" matches, "/axb" does not.
        assert metrics == [1]

    def test_run_query_filter_contains_backslash_literally(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/a\\b")
        record(site, berlin(2026, 5, 19, 10, 1), path="/ab")

        result = rows(
            site,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            filters=[["contains", "event:page", ["a\\b"]]],
        )

        # The backslash is a character, not an escape that would make the pattern "ab".
        assert result == [(("/a\\b",), [1])]

    def test_run_query_filter_and(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visitors"],
            date_range=TUESDAY,
            filters=[
                ["and", [["is", "visit:country", ["US"]], ["is", "visit:device", ["mobile"]]]]
            ],
        )

        assert metrics == [1]

    def test_run_query_filter_or(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["pageviews"],
            date_range=TUESDAY,
            filters=[["or", [["is", "visit:country", ["AU"]], ["is", "event:page", ["/pricing"]]]]],
        )

        # "/blog" of 1.1.1.1 (AU) and "/pricing" of 8.8.8.8.
        assert metrics == [2]

    def test_run_query_filter_not(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visitors"],
            date_range=TUESDAY,
            filters=[["not", ["is", "visit:country", ["US"]]]],
        )

        assert metrics == [1]

    def test_run_query_filter_nested(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["events"],
            date_range=TUESDAY,
            filters=[
                [
                    "or",
                    [
                        ["is", "visit:device", ["mobile"]],
                        [
                            "and",
                            [
                                ["is", "event:name", ["signup"]],
                                ["not", ["is", "event:props:plan", ["free"]]],
                            ],
                        ],
                    ],
                ]
            ],
        )

        # The iPhone pageview, and the signup on the pro plan.
        assert metrics == [2]

    def test_run_query_filters_listed_are_all_required(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visitors"],
            date_range=TUESDAY,
            filters=[["is", "visit:country", ["US"]], ["is", "visit:browser", ["Chrome"]]],
        )

        assert metrics == [1]

    def test_run_query_event_filter_counts_visits_holding_the_event(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate"],
            date_range=TUESDAY,
            filters=[["is", "event:page", ["/pricing"]]],
        )

        # The visit of 8.8.8.8 holds "/pricing": it counts whole (2 pageviews, no bounce),
        # while the pageview metric counts the matching pageview only.
        assert metrics == [1, 1, 1, 2.0, 0]

    def test_run_query_event_name_filter(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visits", "pageviews", "events"],
            date_range=TUESDAY,
            filters=[["is", "event:name", ["signup"]]],
        )

        # Two visits hold a signup; no matching event is a pageview.
        assert metrics == [2, 0, 2]

    def test_run_query_entry_page_filter_on_events(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visits", "pageviews"],
            date_range=TUESDAY,
            filters=[["is", "visit:entry_page", ["/"]]],
        )

        # Visits entered on "/": 8.8.8.8 (2 pageviews) and 9.9.9.9 (1).
        assert metrics == [2, 3]

    def test_run_query_event_and_entry_page_filters(self, three_visitors):
        metrics = aggregate(
            three_visitors,
            ["visits"],
            date_range=TUESDAY,
            filters=[
                ["is", "event:name", ["signup"]],
                ["is", "visit:exit_page", ["/blog"]],
            ],
        )

        assert metrics == [1]

    def test_run_query_visit_filter_with_event_dimension(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            filters=[["is", "visit:country", ["US"]]],
        )

        assert result == [(("/",), [2]), (("/pricing",), [1])]

    def test_run_query_percentage_of_filtered_visitors(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors", "percentage"],
            date_range=TUESDAY,
            dimensions=["visit:device"],
            filters=[["is", "visit:country", ["US"]]],
        )

        # Of the 2 US visitors: 1 on desktop, 1 on mobile.
        assert result == [(("desktop",), [1, 50.0]), (("mobile",), [1, 50.0])]

    def test_run_query_matches_case_sensitive_class_escape(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/about")

        metrics = aggregate(
            site,
            ["pageviews"],
            date_range=TUESDAY,
            filters=[["matches", "event:page", ["^/\\D+$"]]],
        )

        assert metrics == [1]

    def test_run_query_matches_case_insensitive_class_escape(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/about")

        metrics = aggregate(
            site,
            ["pageviews"],
            date_range=TUESDAY,
            filters=[["matches", "event:page", ["^/\\D+$"], {"case_sensitive": False}]],
        )

        assert metrics == [1]

    def test_run_query_matches_case_insensitive_character_range(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/about")

        metrics = aggregate(
            site,
            ["pageviews"],
            date_range=TUESDAY,
            filters=[["matches", "event:page", ["^/[Z-a]"], {"case_sensitive": False}]],
        )

        # "a" lies between "Z" and "a".
        assert metrics == [1]

    @pytest.mark.parametrize(
        ("filters", "message"),
        [
            (
                [["matches", "event:page", ["("]]],
                "Invalid regular expression '(': invalid regular expression: parentheses () "
                "not balanced",
            ),
            (
                [["not", ["matches_not", "event:page", ["^/", "[a-"]]]],
                "Invalid regular expression '[a-': invalid regular expression: brackets [] "
                "not balanced",
            ),
        ],
    )
    def test_run_query_invalid_regular_expression(self, three_visitors, filters, message):
        with pytest.raises(InvalidQuery) as rejected:
            run(three_visitors, metrics=["visitors"], date_range=TUESDAY, filters=filters)

        assert (rejected.value.part, rejected.value.message) == ("filters", message)


class RunQueryOrderTest:
    def test_run_query_order_by_metric_asc(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["visit:entry_page"],
            order_by=[["visitors", "asc"]],
        )

        assert result == [(("/blog",), [1]), (("/",), [2])]

    def test_run_query_order_by_dimension_desc(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["visitors"],
            date_range=TUESDAY,
            dimensions=["visit:entry_page"],
            order_by=[["visit:entry_page", "desc"]],
        )

        assert result == [(("/blog",), [1]), (("/",), [2])]

    def test_run_query_order_by_metric_then_dimension(self, three_visitors):
        result = rows(
            three_visitors,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            order_by=[["pageviews", "desc"], ["event:page", "desc"]],
        )

        assert result == [(("/",), [2]), (("/pricing",), [1]), (("/blog",), [1])]

    def test_run_query_order_by_time_desc(self, fall_back):
        result = rows(
            fall_back,
            metrics=["visits"],
            date_range=["2026-10-24", "2026-10-26"],
            dimensions=["time:day"],
            order_by=[["time:day", "desc"]],
        )

        assert result == [
            (("2026-10-26",), [1]),
            (("2026-10-25",), [3]),
            (("2026-10-24",), [1]),
        ]


class RunQueryPaginationTest:
    def test_run_query_limit_and_offset(self, three_visitors):
        answer = run(
            three_visitors,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            pagination={"limit": 1, "offset": 1},
            include={"total_rows": True},
        )

        # Ordered "/" (2), "/blog" (1), "/pricing" (1): the second row of three.
        assert answer["results"] == [{"metrics": [1], "dimensions": ["/blog"]}]
        assert answer["meta"] == {"total_rows": 3}

    def test_run_query_offset_past_the_end(self, three_visitors):
        answer = run(
            three_visitors,
            metrics=["pageviews"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            pagination={"limit": 10, "offset": 3},
        )

        assert answer["results"] == []
        assert answer["meta"] == {}


class RunQueryComparisonTest:
    def test_run_query_previous_period(self, four_visits):
        # Monday 18 May: one visitor, one bounce.
        record(four_visits, berlin(2026, 5, 18, 10, 0), ip="5.6.7.8")

        answer = run(
            four_visits,
            metrics=ALL_METRICS,
            date_range=TUESDAY,
            include={"comparisons": {"mode": "previous_period"}},
        )

        assert answer["meta"]["comparison_date_range"] == [
            "2026-05-18T00:00:00+02:00",
            "2026-05-18T23:59:59+02:00",
        ]
        [row] = answer["results"]
        assert row["metrics"] == [3, 4, 6, 8, 50, 240, 1.5]
        assert row["comparison"] == {
            "dimensions": [],
            "metrics": [1, 1, 1, 1, 100, 0, 1.0],
            # visitors (3-1)/1 = 200 %; visits 300 %; pageviews 500 %; events 700 %;
            # bounce_rate 50 - 100 = -50 points; duration from 0 → 100; views (1.5-1)/1 = 50 %.
            "change": [200, 300, 500, 700, -50, 100, 50],
        }

    def test_run_query_year_over_year(self, site):
        for ip in ("8.8.8.8", "1.1.1.1", "9.9.9.9"):
            record(site, berlin(2025, 5, 19, 10, 0), ip=ip)
        record(site, berlin(2026, 5, 19, 10, 0))

        answer = run(
            site,
            metrics=["visitors"],
            date_range=TUESDAY,
            include={"comparisons": {"mode": "year_over_year"}},
        )

        assert answer["meta"]["comparison_date_range"] == [
            "2025-05-19T00:00:00+02:00",
            "2025-05-19T23:59:59+02:00",
        ]
        # (1 - 3) / 3 = -66.67 % → -67.
        assert answer["results"][0]["comparison"] == {
            "dimensions": [],
            "metrics": [3],
            "change": [-67],
        }

    def test_run_query_comparison_both_zero(self, site):
        answer = run(
            site,
            metrics=["visitors", "bounce_rate"],
            date_range=TUESDAY,
            include={"comparisons": "previous_period"},
        )

        assert answer["results"][0]["comparison"]["change"] == [0, 0]

    def test_run_query_comparison_bounce_rate_from_zero_in_points(self, four_visits):
        # Monday 18 May: a visit of two pageviews, no bounce (0 %).
        record(four_visits, berlin(2026, 5, 18, 10, 0), ip="5.6.7.8")
        record(four_visits, berlin(2026, 5, 18, 10, 1), path="/next", ip="5.6.7.8")

        answer = run(
            four_visits,
            metrics=["bounce_rate"],
            date_range=TUESDAY,
            include={"comparisons": "previous_period"},
        )

        # 50 % - 0 % = 50 points.
        assert answer["results"][0]["comparison"]["change"] == [50]

    def test_run_query_comparison_rows_matched_by_dimensions(self, three_visitors):
        # Monday 18 May: one visitor from Google, none direct.
        record(
            three_visitors,
            berlin(2026, 5, 18, 10, 0),
            path="/blog",
            ip="5.6.7.8",
            referrer="https://www.google.com/",
        )

        result = {
            tuple(row["dimensions"]): row["comparison"]
            for row in run(
                three_visitors,
                metrics=["visitors"],
                date_range=TUESDAY,
                dimensions=["visit:source"],
                include={"comparisons": "previous_period"},
            )["results"]
        }

        assert result == {
            # 1 → 1: 0 %.
            ("Google",): {"dimensions": ["Google"], "metrics": [1], "change": [0]},
            # 0 → 1: 100 %.
            ("Direct / None",): {"dimensions": ["Direct / None"], "metrics": [0], "change": [100]},
            ("newsletter",): {"dimensions": ["newsletter"], "metrics": [0], "change": [100]},
        }

    def test_run_query_comparison_row_missing_in_other_period(self, site):
        record(site, berlin(2026, 5, 19, 10, 0), path="/new")

        answer = run(
            site,
            metrics=["visitors", "views_per_visit", "percentage"],
            date_range=TUESDAY,
            dimensions=["event:page"],
            include={"comparisons": "previous_period"},
        )

        # Nothing on Monday: the comparison row is zeros of the metrics' own types.
        comparison = answer["results"][0]["comparison"]
        assert comparison == {"dimensions": ["/new"], "metrics": [0, 0.0, 0.0], "change": [100] * 3}
        assert [type(value) for value in comparison["metrics"]] == [int, float, float]

    def test_run_query_comparison_time_buckets_by_position(self, site):
        record(site, berlin(2026, 5, 17, 10, 0))
        record(site, berlin(2026, 5, 17, 11, 0), ip="1.1.1.1")
        record(site, berlin(2026, 5, 18, 10, 0))
        record(site, berlin(2026, 5, 19, 10, 0))
        record(site, berlin(2026, 5, 20, 10, 0))
        record(site, berlin(2026, 5, 20, 11, 0), ip="1.1.1.1")
        record(site, berlin(2026, 5, 20, 12, 0), ip="9.9.9.9")

        result = [
            (row["dimensions"], row["metrics"], row["comparison"])
            for row in run(
                site,
                metrics=["visits"],
                date_range=["2026-05-19", "2026-05-20"],
                dimensions=["time:day"],
                include={"comparisons": "previous_period", "time_labels": True},
            )["results"]
        ]

        # 19th vs 17th: 1 vs 2 → -50 %; 20th vs 18th: 3 vs 1 → 200 %.
        assert result == [
            (["2026-05-19"], [1], {"dimensions": ["2026-05-17"], "metrics": [2], "change": [-50]}),
            (["2026-05-20"], [3], {"dimensions": ["2026-05-18"], "metrics": [1], "change": [200]}),
        ]

    def test_run_query_comparison_bucket_without_counterpart(self, site):
        record(site, berlin(2028, 2, 28, 10, 0))
        record(site, berlin(2028, 2, 29, 10, 0))

        answer = run(
            site,
            now=datetime(2028, 3, 1, tzinfo=UTC),
            metrics=["visits"],
            date_range=["2028-02-28", "2028-02-29"],
            dimensions=["time:day"],
            include={"comparisons": "year_over_year"},
        )

        # 2027 has a 28 February only: 29 February has nothing to compare with.
        leap_day = answer["results"][1]
        assert leap_day["dimensions"] == ["2028-02-29"]
        assert (leap_day["comparison"]["metrics"], leap_day["comparison"]["change"]) == ([0], [100])


class RunQueryEchoTest:
    def test_run_query_echoes_resolved_query(self, site):
        filters = [["is", "visit:source", ["Google"]]]

        answer = run(
            site,
            metrics=["visitors"],
            date_range="7d",
            dimensions=["visit:source"],
            filters=filters,
            include={"comparisons": "year_over_year"},
        )

        assert answer["query"] == {
            "site_id": "example.com",
            "metrics": ["visitors"],
            # 14 … 20 May in Berlin.
            "date_range": ["2026-05-14T00:00:00+02:00", "2026-05-20T23:59:59+02:00"],
            "dimensions": ["visit:source"],
            "filters": filters,
            "order_by": [["visitors", "desc"]],
            "include": {
                "total_rows": False,
                "time_labels": False,
                "comparisons": {"mode": "year_over_year"},
            },
            "pagination": {"limit": 10000, "offset": 0},
        }


class RealtimeVisitorsTest:
    def test_realtime_visitors_last_five_minutes(self, site):
        now = datetime(2026, 5, 19, 12, 0, tzinfo=UTC)
        record(site, datetime(2026, 5, 19, 11, 54, 59, tzinfo=UTC), ip="9.9.9.9")
        record(site, datetime(2026, 5, 19, 11, 55, 0, tzinfo=UTC), ip="1.1.1.1")
        record(site, datetime(2026, 5, 19, 11, 56, tzinfo=UTC))
        record(site, datetime(2026, 5, 19, 11, 58, tzinfo=UTC), path="/next")

        visitor_count = realtime_visitors(site, now=now)

        # 8.8.8.8 (twice) and 1.1.1.1 exactly five minutes ago; 9.9.9.9 a second earlier.
        assert visitor_count == 2

    def test_realtime_visitors_other_site_not_counted(self, site):
        now = datetime(2026, 5, 19, 12, 0, tzinfo=UTC)
        other_site = baker.make("sites.Site", domain="other.org")
        record(other_site, datetime(2026, 5, 19, 11, 59, tzinfo=UTC))

        assert realtime_visitors(site, now=now) == 0

    def test_realtime_visitors_until_now(self, site):
        now = datetime(2026, 5, 19, 12, 0, tzinfo=UTC)
        record(site, now, ip="1.1.1.1")
        record(site, datetime(2026, 5, 19, 12, 0, 1, tzinfo=UTC), ip="9.9.9.9")

        # 1.1.1.1 at this very moment; 9.9.9.9's event is dated a second into the future.
        assert realtime_visitors(site, now=now) == 1


class RunQueryAllTest:
    def test_run_query_all_starts_on_first_day(self, site):
        record(site, berlin(2025, 12, 21, 10, 0))
        record(site, berlin(2026, 5, 19, 10, 0))

        answer = run(site, metrics=["visits"], date_range="all")

        assert answer["query"]["date_range"] == [
            "2025-12-21T00:00:00+01:00",
            "2026-05-20T23:59:59+02:00",
        ]
        assert answer["results"][0]["metrics"] == [2]
