"""Parsing and validating stats queries (visits.stats.query)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from visits.stats.dates import local_days_range
from visits.stats.query import (
    Condition,
    InvalidQuery,
    Logical,
    Query,
    is_event_dimension,
    parse_query,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 1, 15)
VALID = {"site_id": "example.com", "metrics": ["visitors"], "date_range": "7d"}


def parse(**changes) -> Query:
    """Parse a valid query with some keys replaced."""
    return parse_query({**VALID, **changes}, tz=BERLIN, now=NOW, first_day=FIRST_DAY)


def invalid_part(**changes) -> str:
    """Return the part an invalid query is rejected for."""
    return rejection(**changes)[0]


def rejection(**changes) -> tuple[str, str]:
    """Return the part and the message an invalid query is rejected with, as the user sees them."""
    with pytest.raises(InvalidQuery) as rejected:
        parse(**changes)
    assert str(rejected.value) == rejected.value.message
    return rejected.value.part, rejected.value.message


# The smallest span of each time dimension's bucket; a month counts as its shortest, 28 days.
BUCKET_SIZES = [
    ("time:hour", timedelta(hours=1)),
    ("time:day", timedelta(days=1)),
    ("time:week", timedelta(weeks=1)),
    ("time:month", timedelta(days=28)),
]
TOO_MANY_BUCKETS = (
    "At most 10000 time buckets: use a coarser time dimension or a shorter date_range."
)
METRIC_NAMES = (
    "visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration, events, percentage"
)


class ParseQueryTest:
    def test_parse_query_defaults(self):
        query = parse()

        assert query.metrics == ["visitors"]
        assert query.date_range == local_days_range(date(2026, 5, 14), date(2026, 5, 21), BERLIN)
        assert query.dimensions == []
        assert query.filters == []
        assert query.order_by == [("visitors", "desc")]
        assert (query.limit, query.offset) == (10000, 0)
        assert (query.total_rows, query.time_labels, query.comparison) == (False, False, None)
        assert query.raw == VALID

    def test_parse_query_without_site_id(self):
        query = parse_query(
            {"metrics": ["visits"], "date_range": "day"}, tz=BERLIN, now=NOW, first_day=FIRST_DAY
        )

        assert query.metrics == ["visits"]

    @pytest.mark.parametrize("body", [None, [], "visitors", 42])
    def test_parse_query_not_an_object(self, body):
        with pytest.raises(InvalidQuery) as rejected:
            parse_query(body, tz=BERLIN, now=NOW, first_day=FIRST_DAY)

        assert rejected.value.part == "query"
        assert rejected.value.message == "The query is a JSON object."

    def test_parse_query_unknown_key(self):
        with pytest.raises(InvalidQuery) as rejected:
            parse(period="7d")

        assert rejected.value.part == "period"
        assert rejected.value.message == "Unknown key 'period'."

    def test_parse_query_unknown_keys_name_first_in_order(self):
        assert rejection(zebra=1, interval="day") == ("interval", "Unknown key 'interval'.")


class ParseQueryMetricsTest:
    @pytest.mark.parametrize("metrics", [None, [], "visitors", ["visitors", 1], {"visitors": True}])
    def test_parse_query_metrics_not_a_list_of_names(self, metrics):
        assert rejection(metrics=metrics) == (
            "metrics",
            "metrics is a non-empty list of metric names.",
        )

    def test_parse_query_metrics_missing(self):
        with pytest.raises(InvalidQuery) as rejected:
            parse_query({"date_range": "7d"}, tz=BERLIN, now=NOW, first_day=FIRST_DAY)

        assert (rejected.value.part, rejected.value.message) == (
            "metrics",
            "metrics is a non-empty list of metric names.",
        )

    def test_parse_query_metrics_unknown(self):
        assert rejection(metrics=["visitors", "bounces"]) == (
            "metrics",
            f"Unknown metric 'bounces'; choose from {METRIC_NAMES}.",
        )

    def test_parse_query_metrics_duplicate(self):
        assert rejection(metrics=["visitors", "visits", "visitors"]) == (
            "metrics",
            "A metric is listed twice.",
        )

    def test_parse_query_percentage_without_dimension(self):
        assert rejection(metrics=["visitors", "percentage"]) == (
            "metrics",
            "The percentage metric needs a dimension.",
        )

    def test_parse_query_percentage_with_dimension(self):
        query = parse(metrics=["visitors", "percentage"], dimensions=["visit:source"])

        assert query.metrics == ["visitors", "percentage"]

    def test_parse_query_every_metric(self):
        metrics = [
            "visitors",
            "visits",
            "pageviews",
            "views_per_visit",
            "bounce_rate",
            "visit_duration",
            "events",
            "percentage",
        ]

        query = parse(metrics=metrics, dimensions=["event:page"])

        assert query.metrics == metrics


class ParseQueryDimensionsTest:
    @pytest.mark.parametrize("dimensions", ["visit:source", None, ["visit:source", 3]])
    def test_parse_query_dimensions_not_a_list_of_names(self, dimensions):
        assert rejection(dimensions=dimensions) == (
            "dimensions",
            "dimensions is a list of dimension names.",
        )

    @pytest.mark.parametrize(
        "dimension", ["visit:pages", "event:props:", "event:props", "time:year", "source"]
    )
    def test_parse_query_dimension_unknown(self, dimension):
        assert rejection(dimensions=[dimension]) == (
            "dimensions",
            f"Unknown dimension '{dimension}'.",
        )

    def test_parse_query_dimension_duplicate(self):
        assert rejection(dimensions=["visit:source", "visit:source"]) == (
            "dimensions",
            "A dimension is listed twice.",
        )

    def test_parse_query_two_time_dimensions(self):
        assert rejection(dimensions=["time:day", "time:month"]) == (
            "dimensions",
            "At most one time dimension.",
        )

    def test_parse_query_dimensions_checked_before_metrics(self):
        assert rejection(metrics=[], dimensions=["nope"]) == (
            "dimensions",
            "Unknown dimension 'nope'.",
        )

    @pytest.mark.parametrize(
        "dimension",
        [
            "time",
            "time:hour",
            "time:day",
            "time:week",
            "time:month",
            "event:page",
            "event:name",
            "event:hostname",
            "event:props:plan",
            "visit:entry_page",
            "visit:exit_page",
            "visit:source",
            "visit:referrer",
            "visit:utm_source",
            "visit:utm_medium",
            "visit:utm_campaign",
            "visit:utm_term",
            "visit:utm_content",
            "visit:country",
            "visit:region",
            "visit:city",
            "visit:browser",
            "visit:browser_version",
            "visit:os",
            "visit:os_version",
            "visit:device",
        ],
    )
    def test_parse_query_dimension_known(self, dimension):
        assert parse(dimensions=[dimension]).dimensions == [dimension]

    def test_parse_query_time_and_other_dimension(self):
        query = parse(dimensions=["visit:source", "time:day"])

        assert query.dimensions == ["visit:source", "time:day"]


class ParseQueryDateRangeTest:
    def test_parse_query_date_range_missing(self):
        with pytest.raises(InvalidQuery) as rejected:
            parse_query({"metrics": ["visitors"]}, tz=BERLIN, now=NOW, first_day=FIRST_DAY)

        assert (rejected.value.part, rejected.value.message) == (
            "date_range",
            "date_range is one of day, 7d, 28d, 30d, month, 6mo, 12mo, year, all, or [start, end] "
            "as ISO dates or datetimes.",
        )

    def test_parse_query_date_range_invalid(self):
        assert rejection(date_range=["2026-05-03", "2026-05-01"]) == (
            "date_range",
            "date_range ends before it starts.",
        )

    def test_parse_query_date_range_all_from_first_day(self):
        query = parse(date_range="all")

        assert query.date_range == local_days_range(FIRST_DAY, date(2026, 5, 21), BERLIN)


class ParseQueryFiltersTest:
    @pytest.mark.parametrize("filters", ["visit:source", {"is": "x"}, None])
    def test_parse_query_filters_not_a_list(self, filters):
        assert rejection(filters=filters) == ("filters", "filters is a list of filters.")

    @pytest.mark.parametrize(
        "item",
        [
            "is",
            [],
            [1, "visit:source", ["Google"]],
            {"op": "is"},
        ],
    )
    def test_parse_query_filter_not_a_list(self, item):
        assert rejection(filters=[item]) == (
            "filters",
            f"A filter is a list such as ['is', dimension, values]: {item!r}.",
        )

    @pytest.mark.parametrize(
        "item",
        [
            ["is", "visit:source"],
            ["is", "visit:source", ["Google"], {}, "extra"],
            ["is", 1, ["Google"]],
        ],
    )
    def test_parse_query_filter_wrong_length_or_dimension_type(self, item):
        assert rejection(filters=[item]) == (
            "filters",
            "'is' takes a dimension and a list of values.",
        )

    def test_parse_query_filter_unknown_operator(self):
        assert rejection(filters=[["equals", "visit:source", ["Google"]]]) == (
            "filters",
            "Unknown filter operator 'equals'; use is, is_not, contains, contains_not, matches, "
            "matches_not, and, or, not.",
        )

    @pytest.mark.parametrize("dimension", ["visit:nope", "time:day", "time"])
    def test_parse_query_filter_unknown_or_time_dimension(self, dimension):
        assert rejection(filters=[["is", dimension, ["2026-05-20"]]]) == (
            "filters",
            f"Unknown dimension '{dimension}'.",
        )

    @pytest.mark.parametrize("values", ["Google", [], ["Google", 1], [None]])
    def test_parse_query_filter_values_not_strings(self, values):
        assert rejection(filters=[["is", "visit:source", values]]) == (
            "filters",
            "Filter on 'visit:source': values is a list of strings.",
        )

    @pytest.mark.parametrize("modifiers", [[], "case_sensitive", {"case_insensitive": True}])
    def test_parse_query_filter_unknown_modifier(self, modifiers):
        assert rejection(filters=[["is", "visit:source", ["Google"], modifiers]]) == (
            "filters",
            "The only filter modifier is case_sensitive.",
        )

    @pytest.mark.parametrize("flag", ["false", 0, None])
    def test_parse_query_filter_case_sensitive_not_bool(self, flag):
        filters = [["is", "visit:source", ["Google"], {"case_sensitive": flag}]]

        assert rejection(filters=filters) == ("filters", "case_sensitive is true or false.")

    @pytest.mark.parametrize(
        "item",
        [["and"], ["or", []], ["and", "x"], ["or", [["is", "visit:source", ["a"]]], "extra"]],
    )
    def test_parse_query_filter_and_or_shape(self, item):
        assert rejection(filters=[item]) == (
            "filters",
            f"'{item[0]}' takes a non-empty list of filters.",
        )

    @pytest.mark.parametrize(
        "item",
        [["not"], ["not", ["is", "visit:source", ["a"]], ["is", "visit:source", ["b"]]]],
    )
    def test_parse_query_filter_not_shape(self, item):
        assert rejection(filters=[item]) == ("filters", "'not' takes one filter.")

    def test_parse_query_filter_nested_invalid(self):
        assert rejection(filters=[["not", ["or", [["is", "visit:nope", ["a"]]]]]]) == (
            "filters",
            "Unknown dimension 'visit:nope'.",
        )

    def test_parse_query_filter_condition(self):
        query = parse(filters=[["is_not", "visit:source", ["Google", "Bing"]]])

        assert query.filters == [Condition("is_not", "visit:source", ("Google", "Bing"), True)]

    def test_parse_query_filter_case_insensitive(self):
        query = parse(filters=[["contains", "event:page", ["Blog"], {"case_sensitive": False}]])

        assert query.filters == [Condition("contains", "event:page", ("Blog",), False)]

    def test_parse_query_filter_nested_logic(self):
        query = parse(
            filters=[
                [
                    "and",
                    [
                        ["matches", "event:props:plan", ["^pro"]],
                        ["not", ["contains_not", "visit:country", ["US"]]],
                    ],
                ]
            ]
        )

        assert query.filters == [
            Logical(
                "and",
                (
                    Condition("matches", "event:props:plan", ("^pro",)),
                    Logical("not", (Condition("contains_not", "visit:country", ("US",)),)),
                ),
            )
        ]


class ParseQueryOrderByTest:
    def test_parse_query_order_by_default_first_metric_desc(self):
        query = parse(metrics=["pageviews", "visitors"], dimensions=["event:page"])

        assert query.order_by == [("pageviews", "desc")]

    def test_parse_query_order_by_default_time_asc(self):
        query = parse(dimensions=["visit:source", "time:week"])

        assert query.order_by == [("time:week", "asc")]

    def test_parse_query_order_by_given(self):
        query = parse(
            dimensions=["visit:source"],
            order_by=[["visit:source", "asc"], ["visitors", "desc"]],
        )

        assert query.order_by == [("visit:source", "asc"), ("visitors", "desc")]

    def test_parse_query_order_by_not_a_list(self):
        assert rejection(order_by="visitors") == (
            "order_by",
            "order_by is a list of [metric or dimension, direction].",
        )

    @pytest.mark.parametrize(
        "item",
        [
            "visitors",
            ["visitors"],
            ["visitors", "desc", "extra"],
            ["visitors", "down"],
            ["pageviews", "desc"],
            ["visit:source", "asc"],
        ],
    )
    def test_parse_query_order_by_invalid_entry(self, item):
        assert rejection(order_by=[item]) == (
            "order_by",
            f"Cannot order by {item!r}: use [name, 'asc' or 'desc'] with a queried metric or "
            "dimension.",
        )


class ParseQueryPaginationTest:
    def test_parse_query_pagination_given(self):
        query = parse(pagination={"limit": 10000, "offset": 20})

        assert (query.limit, query.offset) == (10000, 20)

    def test_parse_query_pagination_smallest_limit(self):
        assert parse(pagination={"limit": 1}).limit == 1

    @pytest.mark.parametrize(
        ("pagination", "message"),
        [
            ({"limit": 0}, "limit is between 1 and 10000."),
            ({"limit": 10001}, "limit is between 1 and 10000."),
            ({"offset": -1}, "offset is a whole number, at least 0."),
            ({"limit": -5}, "limit is a whole number, at least 0."),
            ({"limit": True}, "limit is a whole number, at least 0."),
            ({"offset": False}, "offset is a whole number, at least 0."),
            ({"limit": 10.0}, "limit is a whole number, at least 0."),
            ({"limit": "10"}, "limit is a whole number, at least 0."),
            ({"page": 2}, "pagination takes limit and offset."),
            ([10, 0], "pagination takes limit and offset."),
        ],
    )
    def test_parse_query_pagination_invalid(self, pagination, message):
        assert rejection(pagination=pagination) == ("pagination", message)


class ParseQueryIncludeTest:
    @pytest.mark.parametrize("include", [[], "total_rows", {"imports": True}])
    def test_parse_query_include_unknown_key(self, include):
        assert rejection(include=include) == (
            "include",
            "include takes total_rows, time_labels and comparisons.",
        )

    @pytest.mark.parametrize("name", ["total_rows", "time_labels"])
    def test_parse_query_include_flag_not_bool(self, name):
        assert rejection(dimensions=["time"], include={name: 1}) == (
            "include",
            f"include.{name} is true or false.",
        )

    def test_parse_query_include_flags(self):
        query = parse(dimensions=["time"], include={"total_rows": True, "time_labels": True})

        assert (query.total_rows, query.time_labels) == (True, True)

    def test_parse_query_time_labels_without_time_dimension(self):
        assert rejection(dimensions=["visit:source"], include={"time_labels": True}) == (
            "include",
            "time_labels needs a time dimension.",
        )

    @pytest.mark.parametrize(
        "comparisons",
        [
            {"mode": "custom"},
            {},
            "last_year",
            True,
            1,
            ["previous_period"],
            {"mode": "previous_period", "match_day_of_week": True},
            {"mode": "year_over_year", "date_range": ["2025-01-01", "2025-01-31"]},
        ],
    )
    def test_parse_query_comparisons_bad_mode(self, comparisons):
        assert rejection(include={"comparisons": comparisons}) == (
            "include",
            'include.comparisons is {"mode": "previous_period"} or {"mode": "year_over_year"}.',
        )

    @pytest.mark.parametrize("mode", ["previous_period", "year_over_year"])
    def test_parse_query_comparisons_as_object(self, mode):
        assert parse(include={"comparisons": {"mode": mode}}).comparison == mode

    @pytest.mark.parametrize("mode", ["previous_period", "year_over_year"])
    def test_parse_query_comparisons_as_string(self, mode):
        assert parse(include={"comparisons": mode}).comparison == mode

    @pytest.mark.parametrize("comparisons", [None, False])
    def test_parse_query_comparisons_off(self, comparisons):
        assert parse(include={"comparisons": comparisons}).comparison is None


class QueryGranularityTest:
    def test_granularity_auto_for_week(self):
        assert parse(date_range="7d", dimensions=["time"]).granularity() == "day"

    def test_granularity_auto_for_day(self):
        assert parse(date_range="day", dimensions=["time"]).granularity() == "hour"

    def test_granularity_auto_for_year(self):
        assert parse(date_range="year", dimensions=["time"]).granularity() == "month"

    def test_granularity_explicit(self):
        query = parse(date_range="day", dimensions=["visit:source", "time:week"])

        assert query.granularity() == "week"

    def test_granularity_without_time_dimension(self):
        assert parse(dimensions=["visit:source"]).granularity() is None


class QueryTimeIndexTest:
    def test_time_index_position(self):
        assert parse(dimensions=["visit:source", "time:day"]).time_index() == 1

    def test_time_index_without_time_dimension(self):
        assert parse(dimensions=["visit:source"]).time_index() is None


class IsEventDimensionTest:
    @pytest.mark.parametrize(
        ("dimension", "expected"),
        [
            ("event:page", True),
            ("event:name", True),
            ("event:hostname", True),
            ("event:props:plan", True),
            ("visit:entry_page", False),
            ("visit:source", False),
            ("time:day", False),
        ],
    )
    def test_is_event_dimension(self, dimension, expected):
        assert is_event_dimension(dimension) is expected


class ParseQueryLimitsTest:
    def parse_utc(self, *, span: timedelta, **body) -> Query:
        """Parse a query in UTC whose date_range starts on 1 January 2000 and lasts span."""
        start = datetime(2000, 1, 1, tzinfo=UTC)
        last = start + span - timedelta(seconds=1)
        return parse_query(
            {"metrics": ["visitors"], "date_range": [start.isoformat(), last.isoformat()], **body},
            tz=ZoneInfo("UTC"),
            now=NOW,
            first_day=FIRST_DAY,
        )

    def parse(self, **body):
        return parse_query(
            {"metrics": ["visitors"], "date_range": "day", **body},
            tz=ZoneInfo("Europe/Berlin"),
            now=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
            first_day=date(2026, 1, 1),
        )

    @pytest.mark.parametrize("value", ["\u0000", "\ud800"])
    def test_parse_query_filter_value_unstorable(self, value):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(filters=[["is", "event:page", [value]]])

        assert (excinfo.value.part, excinfo.value.message) == (
            "filters",
            "Filter on 'event:page': values is a list of strings.",
        )

    def test_parse_query_props_dimension_unstorable(self):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(dimensions=["event:props:a\u0000"])

        assert (excinfo.value.part, excinfo.value.message) == (
            "dimensions",
            "Unknown dimension 'event:props:a\\x00'.",
        )

    def test_parse_query_too_many_time_buckets(self):
        # 2 years of hours: 17,520 buckets, over the 10,000 limit.
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(date_range=["2024-01-01", "2025-12-31"], dimensions=["time:hour"])

        assert (excinfo.value.part, excinfo.value.message) == ("dimensions", TOO_MANY_BUCKETS)

    @pytest.mark.parametrize(("dimension", "bucket"), BUCKET_SIZES)
    def test_parse_query_10000_time_buckets_allowed(self, dimension, bucket):
        query = self.parse_utc(span=10000 * bucket, dimensions=[dimension])

        assert query.date_range.end - query.date_range.start == 10000 * bucket

    @pytest.mark.parametrize(("dimension", "bucket"), BUCKET_SIZES)
    def test_parse_query_10001_time_buckets_refused(self, dimension, bucket):
        # An hour more than 10,000 buckets touches a 10,001st.
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse_utc(span=10000 * bucket + timedelta(hours=1), dimensions=[dimension])

        assert (excinfo.value.part, excinfo.value.message) == ("dimensions", TOO_MANY_BUCKETS)

    def test_parse_query_time_buckets_counted_by_auto_granularity(self):
        # 10,001 days: "time" picks months for so long a range, and 358 months are allowed.
        query = self.parse_utc(span=timedelta(days=10001), dimensions=["time"])

        assert query.granularity() == "month"

    def test_parse_query_many_days_allowed(self):
        # 2 years of days: 731 buckets.
        query = self.parse(date_range=["2024-01-01", "2025-12-31"], dimensions=["time:day"])

        assert query.granularity() == "day"

    @pytest.mark.parametrize("value", [["0001-01-01", "0001-01-31"], ["9999-01-01", "9999-12-30"]])
    def test_parse_query_date_range_years_out_of_range(self, value):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(date_range=value)

        assert (excinfo.value.part, excinfo.value.message) == (
            "date_range",
            "date_range lies between 1970 and 9998.",
        )

    def test_parse_query_comparison_before_1970(self):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(
                date_range=["1970-01-01", "1975-12-31"],
                include={"comparisons": {"mode": "previous_period"}},
            )

        assert (excinfo.value.part, excinfo.value.message) == (
            "include",
            "The comparison period is out of range.",
        )

    def test_parse_query_comparison_range_resolved(self):
        query = self.parse(
            date_range=["2026-11-01", "2026-11-07"],
            include={"comparisons": {"mode": "previous_period"}},
        )

        assert query.comparison_range.as_json()[0] == "2026-10-25T00:00:00+02:00"

    def test_parse_query_comparison_overflows(self):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(
                date_range=["1970-01-01", "9998-12-30"],
                include={"comparisons": {"mode": "previous_period"}},
            )

        assert excinfo.value.message == "The comparison period is out of range."
