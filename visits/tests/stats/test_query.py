"""Parsing and validating stats queries (visits.stats.query)."""

from datetime import UTC, date, datetime
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
    with pytest.raises(InvalidQuery) as rejected:
        parse(**changes)
    return rejected.value.part


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
        assert invalid_part(zebra=1, interval="day") == "interval"


class ParseQueryMetricsTest:
    @pytest.mark.parametrize("metrics", [None, [], "visitors", ["visitors", 1], {"visitors": True}])
    def test_parse_query_metrics_not_a_list_of_names(self, metrics):
        assert invalid_part(metrics=metrics) == "metrics"

    def test_parse_query_metrics_missing(self):
        with pytest.raises(InvalidQuery) as rejected:
            parse_query({"date_range": "7d"}, tz=BERLIN, now=NOW, first_day=FIRST_DAY)

        assert rejected.value.part == "metrics"

    def test_parse_query_metrics_unknown(self):
        with pytest.raises(InvalidQuery, match="Unknown metric 'bounces'") as rejected:
            parse(metrics=["visitors", "bounces"])

        assert rejected.value.part == "metrics"

    def test_parse_query_metrics_duplicate(self):
        with pytest.raises(InvalidQuery, match="listed twice") as rejected:
            parse(metrics=["visitors", "visits", "visitors"])

        assert rejected.value.part == "metrics"

    def test_parse_query_percentage_without_dimension(self):
        with pytest.raises(InvalidQuery, match="needs a dimension") as rejected:
            parse(metrics=["visitors", "percentage"])

        assert rejected.value.part == "metrics"

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
        assert invalid_part(dimensions=dimensions) == "dimensions"

    @pytest.mark.parametrize(
        "dimension", ["visit:pages", "event:props:", "event:props", "time:year", "source"]
    )
    def test_parse_query_dimension_unknown(self, dimension):
        with pytest.raises(InvalidQuery, match="Unknown dimension") as rejected:
            parse(dimensions=[dimension])

        assert rejected.value.part == "dimensions"

    def test_parse_query_dimension_duplicate(self):
        with pytest.raises(InvalidQuery, match="listed twice") as rejected:
            parse(dimensions=["visit:source", "visit:source"])

        assert rejected.value.part == "dimensions"

    def test_parse_query_two_time_dimensions(self):
        with pytest.raises(InvalidQuery, match="one time dimension") as rejected:
            parse(dimensions=["time:day", "time:month"])

        assert rejected.value.part == "dimensions"

    def test_parse_query_dimensions_checked_before_metrics(self):
        assert invalid_part(metrics=[], dimensions=["nope"]) == "dimensions"

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

        assert rejected.value.part == "date_range"

    def test_parse_query_date_range_invalid(self):
        with pytest.raises(InvalidQuery, match="ends before it starts") as rejected:
            parse(date_range=["2026-05-03", "2026-05-01"])

        assert rejected.value.part == "date_range"

    def test_parse_query_date_range_all_from_first_day(self):
        query = parse(date_range="all")

        assert query.date_range == local_days_range(FIRST_DAY, date(2026, 5, 21), BERLIN)


class ParseQueryFiltersTest:
    @pytest.mark.parametrize("filters", ["visit:source", {"is": "x"}, None])
    def test_parse_query_filters_not_a_list(self, filters):
        with pytest.raises(InvalidQuery, match="filters is a list") as rejected:
            parse(filters=filters)

        assert rejected.value.part == "filters"

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
        with pytest.raises(InvalidQuery, match="A filter is a list") as rejected:
            parse(filters=[item])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize(
        "item",
        [
            ["is", "visit:source"],
            ["is", "visit:source", ["Google"], {}, "extra"],
            ["is", 1, ["Google"]],
        ],
    )
    def test_parse_query_filter_wrong_length_or_dimension_type(self, item):
        with pytest.raises(InvalidQuery, match="takes a dimension and a list") as rejected:
            parse(filters=[item])

        assert rejected.value.part == "filters"

    def test_parse_query_filter_unknown_operator(self):
        with pytest.raises(InvalidQuery, match="Unknown filter operator 'equals'") as rejected:
            parse(filters=[["equals", "visit:source", ["Google"]]])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize("dimension", ["visit:nope", "time:day", "time"])
    def test_parse_query_filter_unknown_or_time_dimension(self, dimension):
        with pytest.raises(InvalidQuery, match="Unknown dimension") as rejected:
            parse(filters=[["is", dimension, ["2026-05-20"]]])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize("values", ["Google", [], ["Google", 1], [None]])
    def test_parse_query_filter_values_not_strings(self, values):
        with pytest.raises(InvalidQuery, match="values is a list of strings") as rejected:
            parse(filters=[["is", "visit:source", values]])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize("modifiers", [[], "case_sensitive", {"case_insensitive": True}])
    def test_parse_query_filter_unknown_modifier(self, modifiers):
        with pytest.raises(InvalidQuery, match="only filter modifier") as rejected:
            parse(filters=[["is", "visit:source", ["Google"], modifiers]])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize("flag", ["false", 0, None])
    def test_parse_query_filter_case_sensitive_not_bool(self, flag):
        with pytest.raises(InvalidQuery, match="true or false") as rejected:
            parse(filters=[["is", "visit:source", ["Google"], {"case_sensitive": flag}]])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize(
        "item",
        [["and"], ["or", []], ["and", "x"], ["or", [["is", "visit:source", ["a"]]], "extra"]],
    )
    def test_parse_query_filter_and_or_shape(self, item):
        with pytest.raises(InvalidQuery, match="takes a non-empty list of filters") as rejected:
            parse(filters=[item])

        assert rejected.value.part == "filters"

    @pytest.mark.parametrize(
        "item",
        [["not"], ["not", ["is", "visit:source", ["a"]], ["is", "visit:source", ["b"]]]],
    )
    def test_parse_query_filter_not_shape(self, item):
        with pytest.raises(InvalidQuery, match="'not' takes one filter") as rejected:
            parse(filters=[item])

        assert rejected.value.part == "filters"

    def test_parse_query_filter_nested_invalid(self):
        assert invalid_part(filters=[["not", ["or", [["is", "visit:nope", ["a"]]]]]]) == "filters"

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
        with pytest.raises(InvalidQuery, match="order_by is a list") as rejected:
            parse(order_by="visitors")

        assert rejected.value.part == "order_by"

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
        with pytest.raises(InvalidQuery, match="Cannot order by") as rejected:
            parse(order_by=[item])

        assert rejected.value.part == "order_by"


class ParseQueryPaginationTest:
    def test_parse_query_pagination_given(self):
        query = parse(pagination={"limit": 10000, "offset": 20})

        assert (query.limit, query.offset) == (10000, 20)

    def test_parse_query_pagination_smallest_limit(self):
        assert parse(pagination={"limit": 1}).limit == 1

    @pytest.mark.parametrize(
        "pagination",
        [
            {"limit": 0},
            {"limit": 10001},
            {"offset": -1},
            {"limit": -5},
            {"limit": True},
            {"offset": False},
            {"limit": 10.0},
            {"limit": "10"},
            {"page": 2},
            [10, 0],
        ],
    )
    def test_parse_query_pagination_invalid(self, pagination):
        assert invalid_part(pagination=pagination) == "pagination"


class ParseQueryIncludeTest:
    @pytest.mark.parametrize("include", [[], "total_rows", {"imports": True}])
    def test_parse_query_include_unknown_key(self, include):
        with pytest.raises(InvalidQuery, match="include takes") as rejected:
            parse(include=include)

        assert rejected.value.part == "include"

    @pytest.mark.parametrize("name", ["total_rows", "time_labels"])
    def test_parse_query_include_flag_not_bool(self, name):
        with pytest.raises(InvalidQuery, match=f"include.{name} is true or false") as rejected:
            parse(dimensions=["time"], include={name: 1})

        assert rejected.value.part == "include"

    def test_parse_query_include_flags(self):
        query = parse(dimensions=["time"], include={"total_rows": True, "time_labels": True})

        assert (query.total_rows, query.time_labels) == (True, True)

    def test_parse_query_time_labels_without_time_dimension(self):
        with pytest.raises(InvalidQuery, match="needs a time dimension") as rejected:
            parse(dimensions=["visit:source"], include={"time_labels": True})

        assert rejected.value.part == "include"

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
        with pytest.raises(InvalidQuery) as rejected:
            parse(include={"comparisons": comparisons})

        assert rejected.value.part == "include"
        assert rejected.value.message == (
            'include.comparisons is {"mode": "previous_period"} or {"mode": "year_over_year"}.'
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

        assert excinfo.value.part == "filters"

    def test_parse_query_props_dimension_unstorable(self):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(dimensions=["event:props:a\u0000"])

        assert excinfo.value.part == "dimensions"

    def test_parse_query_too_many_time_buckets(self):
        # 2 years of hours: 17,520 buckets, over the 10,000 limit.
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(date_range=["2024-01-01", "2025-12-31"], dimensions=["time:hour"])

        assert excinfo.value.part == "dimensions"

    def test_parse_query_many_days_allowed(self):
        # 2 years of days: 731 buckets.
        query = self.parse(date_range=["2024-01-01", "2025-12-31"], dimensions=["time:day"])

        assert query.granularity() == "day"

    @pytest.mark.parametrize("value", [["0001-01-01", "0001-01-31"], ["9999-01-01", "9999-12-30"]])
    def test_parse_query_date_range_years_out_of_range(self, value):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(date_range=value)

        assert excinfo.value.part == "date_range"

    def test_parse_query_comparison_before_1970(self):
        with pytest.raises(InvalidQuery) as excinfo:
            self.parse(
                date_range=["1970-01-01", "1975-12-31"],
                include={"comparisons": {"mode": "previous_period"}},
            )

        assert excinfo.value.part == "include"

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
