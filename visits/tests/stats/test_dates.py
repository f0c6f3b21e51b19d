"""Date ranges and time buckets in the site's time zone (visits.stats.dates)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from visits.stats.dates import DateRange, InvalidDateRange, local_days_range, resolve_date_range

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 20 May 2026, 12:00 in Berlin (CEST, UTC+2).
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 1, 15)


def berlin(*parts: int) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(*parts, tzinfo=BERLIN)


def resolve(value, *, now: datetime = NOW, first_day: date = FIRST_DAY) -> DateRange:
    return resolve_date_range(value, tz=BERLIN, now=now, first_day=first_day)


def days(first: date, after_last: date) -> DateRange:
    return local_days_range(first, after_last, BERLIN)


def hours(range_: DateRange) -> timedelta:
    """Return the real length of a range, whatever wall-clock arithmetic Python would do."""
    return range_.end.astimezone(UTC) - range_.start.astimezone(UTC)


class ResolveDateRangePeriodTest:
    @pytest.mark.parametrize(
        ("period", "start", "end"),
        [
            ("day", date(2026, 5, 20), date(2026, 5, 21)),
            # 14 … 20 May: seven days, today included.
            ("7d", date(2026, 5, 14), date(2026, 5, 21)),
            # 21 May - 28 days = 23 April (April has 30 days).
            ("28d", date(2026, 4, 23), date(2026, 5, 21)),
            ("30d", date(2026, 4, 21), date(2026, 5, 21)),
            # May has 31 days.
            ("month", date(2026, 5, 1), date(2026, 6, 1)),
            # December 2025 … May 2026: six calendar months across the new year.
            ("6mo", date(2025, 12, 1), date(2026, 6, 1)),
            ("12mo", date(2025, 6, 1), date(2026, 6, 1)),
            ("year", date(2026, 1, 1), date(2027, 1, 1)),
            ("all", FIRST_DAY, date(2026, 5, 21)),
        ],
    )
    def test_resolve_date_range_period(self, period, start, end):
        date_range = resolve(period)

        assert date_range == days(start, end)

    def test_resolve_date_range_month_has_31_days(self):
        date_range = resolve("month")

        assert hours(date_range) == timedelta(days=31)

    def test_resolve_date_range_today_in_site_zone(self):
        # 23:30 UTC on 20 May is 01:30 on 21 May in Berlin.
        late = datetime(2026, 5, 20, 23, 30, tzinfo=UTC)

        date_range = resolve("day", now=late)

        assert date_range == days(date(2026, 5, 21), date(2026, 5, 22))

    def test_resolve_date_range_all_with_future_first_day(self):
        date_range = resolve("all", first_day=date(2026, 6, 1))

        assert date_range == days(date(2026, 5, 20), date(2026, 5, 21))

    def test_resolve_date_range_day_spring_forward_is_23_hours(self):
        sunday = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)

        date_range = resolve("day", now=sunday)

        # 00:00 CET (23:00 UTC on the 28th) to 00:00 CEST (22:00 UTC on the 29th).
        assert hours(date_range) == timedelta(hours=23)

    def test_resolve_date_range_day_fall_back_is_25_hours(self):
        sunday = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)

        date_range = resolve("day", now=sunday)

        # 00:00 CEST (22:00 UTC on the 24th) to 00:00 CET (23:00 UTC on the 25th).
        assert hours(date_range) == timedelta(hours=25)


class ResolveDateRangeExplicitTest:
    def test_resolve_date_range_dates_inclusive(self):
        date_range = resolve(["2026-05-01", "2026-05-03"])

        assert date_range == days(date(2026, 5, 1), date(2026, 5, 4))

    def test_resolve_date_range_single_date(self):
        date_range = resolve(["2026-05-01", "2026-05-01"])

        assert date_range == days(date(2026, 5, 1), date(2026, 5, 2))

    def test_resolve_date_range_naive_datetimes_in_site_zone(self):
        date_range = resolve(["2026-05-01T10:00:00", "2026-05-01T12:30:00"])

        # The end is inclusive to the second.
        assert date_range == DateRange(
            berlin(2026, 5, 1, 10, 0), berlin(2026, 5, 1, 12, 30, 1), BERLIN
        )

    def test_resolve_date_range_aware_datetimes(self):
        date_range = resolve(["2026-05-01T10:00:00Z", "2026-05-01T12:00:00+00:00"])

        assert date_range.start == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
        assert date_range.end == datetime(2026, 5, 1, 12, 0, 1, tzinfo=UTC)
        assert date_range.tz == BERLIN

    def test_resolve_date_range_one_second(self):
        date_range = resolve(["2026-05-01T10:00:00", "2026-05-01T10:00:00"])

        assert hours(date_range) == timedelta(seconds=1)

    @pytest.mark.parametrize(
        "value",
        [
            None,
            20260501,
            {"start": "2026-05-01", "end": "2026-05-02"},
            [],
            ["2026-05-01"],
            ["2026-05-01", "2026-05-02", "2026-05-03"],
            ["2026-05-01", 20260502],
            [None, None],
        ],
    )
    def test_resolve_date_range_wrong_shape(self, value):
        with pytest.raises(InvalidDateRange, match="date_range is one of day, 7d"):
            resolve(value)

    @pytest.mark.parametrize("value", ["fortnight", "Day", "90d", ""])
    def test_resolve_date_range_unknown_period(self, value):
        with pytest.raises(InvalidDateRange, match="Unknown date_range"):
            resolve(value)

    @pytest.mark.parametrize(
        "value",
        [
            ["2026-13-01", "2026-13-02"],
            ["2026-02-30", "2026-03-01"],
            ["2026-05-01", "yesterday"],
            ["2026-05-01T25:00:00", "2026-05-01T26:00:00"],
        ],
    )
    def test_resolve_date_range_bad_iso(self, value):
        with pytest.raises(InvalidDateRange, match=r"^date_range: "):
            resolve(value)

    @pytest.mark.parametrize(
        "value",
        [
            ["2026-05-03", "2026-05-01"],
            ["2026-05-01T12:00:00", "2026-05-01T11:00:00"],
            # The end is inclusive: 11:59:59 ends at 12:00:00, where the range starts.
            ["2026-05-01T12:00:00", "2026-05-01T11:59:59"],
        ],
    )
    def test_resolve_date_range_ends_before_start(self, value):
        with pytest.raises(InvalidDateRange, match="ends before it starts"):
            resolve(value)

    def test_resolve_date_range_last_representable_day(self):
        with pytest.raises(InvalidDateRange):
            resolve(["2026-01-01", "9999-12-31"])


class DateRangeLabelsTest:
    def test_labels_hour(self):
        date_range = DateRange(berlin(2026, 5, 20, 10, 30), berlin(2026, 5, 20, 13, 0), BERLIN)

        labels = date_range.labels("hour")

        assert labels == ["2026-05-20 10:00:00", "2026-05-20 11:00:00", "2026-05-20 12:00:00"]

    def test_labels_hour_of_a_day(self):
        labels = resolve("day").labels("hour")

        assert len(labels) == 24
        assert (labels[0], labels[-1]) == ("2026-05-20 00:00:00", "2026-05-20 23:00:00")

    def test_labels_hour_fall_back_day_shows_repeated_hour_once(self):
        sunday = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)

        labels = resolve("day", now=sunday).labels("hour")

        # 25 real hours, 24 wall-clock hours: 02:00 CEST and 02:00 CET share a bucket.
        assert len(labels) == 24
        assert labels.count("2026-10-25 02:00:00") == 1

    def test_labels_hour_range_starting_within_an_hour(self):
        date_range = resolve(["2026-05-20T10:30:00", "2026-05-20T12:29:59"])

        labels = date_range.labels("hour")

        # 10:30 … 12:30 touches three hours: an event at 12:10 falls in the last.
        assert labels == ["2026-05-20 10:00:00", "2026-05-20 11:00:00", "2026-05-20 12:00:00"]

    def test_labels_hour_range_ending_after_midnight(self):
        date_range = resolve(["2026-05-19T22:30:00", "2026-05-20T00:29:59"])

        labels = date_range.labels("hour")

        assert labels == ["2026-05-19 22:00:00", "2026-05-19 23:00:00", "2026-05-20 00:00:00"]

    def test_labels_hour_zone_with_quarter_hour_offset(self):
        kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+5:45
        start = datetime(2026, 5, 19, 23, 30, tzinfo=kathmandu)
        date_range = DateRange(start, start + timedelta(hours=1), kathmandu)

        labels = date_range.labels("hour")

        assert labels == ["2026-05-19 23:00:00", "2026-05-20 00:00:00"]

    def test_labels_hour_range_starting_within_repeated_hour(self):
        # 02:30 CET, the second 02:00 hour of the fall-back day, to 03:30 CET.
        start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        date_range = DateRange(start, start + timedelta(hours=1), BERLIN)

        labels = date_range.labels("hour")

        assert labels == ["2026-10-25 02:00:00", "2026-10-25 03:00:00"]

    def test_labels_day_range_ending_after_midnight(self):
        date_range = resolve(["2026-05-19T10:00:00", "2026-05-20T00:29:59"])

        labels = date_range.labels("day")

        # The range ends half an hour into 20 May: that day is its last bucket.
        assert labels == ["2026-05-19", "2026-05-20"]

    def test_labels_day(self):
        labels = resolve("7d").labels("day")

        assert labels == [f"2026-05-{day}" for day in range(14, 21)]

    def test_labels_week_are_mondays(self):
        labels = resolve("month").labels("week")

        # 1 May 2026 is a Friday: its week starts on Monday 27 April.
        assert labels == ["2026-04-27", "2026-05-04", "2026-05-11", "2026-05-18", "2026-05-25"]

    def test_labels_month(self):
        labels = resolve("6mo").labels("month")

        assert labels == [
            "2025-12-01",
            "2026-01-01",
            "2026-02-01",
            "2026-03-01",
            "2026-04-01",
            "2026-05-01",
        ]


class DateRangeAutoGranularityTest:
    @pytest.mark.parametrize(
        ("value", "granularity"),
        [
            ("day", "hour"),
            (["2026-05-01T00:00:00", "2026-05-01T23:59:59"], "hour"),
            (["2026-05-01T00:00:00", "2026-05-02T00:00:00"], "day"),
            (["2026-05-01", "2026-05-02"], "day"),
            ("7d", "day"),
            ("month", "day"),
            # 1 April … 10 May is 40 days, one more is 41.
            (["2026-04-01", "2026-05-10"], "day"),
            (["2026-04-01", "2026-05-11"], "month"),
            ("6mo", "month"),
            ("year", "month"),
        ],
    )
    def test_auto_granularity(self, value, granularity):
        assert resolve(value).auto_granularity() == granularity

    def test_auto_granularity_fall_back_day_is_hourly(self):
        sunday = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)

        assert resolve("day", now=sunday).auto_granularity() == "hour"


class DateRangePreviousPeriodTest:
    def test_previous_period_days(self):
        previous = resolve("7d").previous_period()

        # 14 … 20 May → the seven days before: 7 … 13 May.
        assert previous == days(date(2026, 5, 7), date(2026, 5, 14))

    def test_previous_period_month_same_number_of_days(self):
        previous = resolve("month").previous_period()

        # May has 31 days; 1 May - 31 days = 31 March.
        assert previous == days(date(2026, 3, 31), date(2026, 5, 1))

    def test_previous_period_whole_local_days_across_dst(self):
        monday = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)

        previous = resolve("day", now=monday).previous_period()

        # The day before is the 23-hour spring-forward day, not 24 hours back.
        assert previous == days(date(2026, 3, 29), date(2026, 3, 30))
        assert hours(previous) == timedelta(hours=23)

    def test_previous_period_datetimes(self):
        date_range = resolve(["2026-05-01T10:00:00", "2026-05-01T12:29:59"])

        previous = date_range.previous_period()

        # 10:00 … 12:30 is 2 h 30 min; the period before is 07:30 … 10:00.
        assert previous == DateRange(berlin(2026, 5, 1, 7, 30), berlin(2026, 5, 1, 10, 0), BERLIN)


class DateRangeOneEndAtMidnightTest:
    def test_previous_period_start_at_midnight(self):
        date_range = resolve(["2026-05-20T00:00:00", "2026-05-20T11:59:59"])

        previous = date_range.previous_period()

        # Not whole days: the 12 real hours before.
        assert previous == DateRange(berlin(2026, 5, 19, 12, 0), berlin(2026, 5, 20), BERLIN)

    def test_previous_period_end_at_midnight(self):
        date_range = resolve(["2026-05-19T12:00:00", "2026-05-19T23:59:59"])

        previous = date_range.previous_period()

        assert previous == DateRange(berlin(2026, 5, 19), berlin(2026, 5, 19, 12, 0), BERLIN)

    def test_year_over_year_start_at_midnight(self):
        date_range = resolve(["2026-05-20T00:00:00", "2026-05-20T11:59:59"])

        earlier = date_range.year_over_year()

        assert earlier == DateRange(berlin(2025, 5, 20), berlin(2025, 5, 20, 12, 0), BERLIN)

    def test_local_days_one_end_at_midnight(self):
        date_range = resolve(["2026-05-20T00:00:00", "2026-05-20T11:59:59"])

        assert date_range.local_days() == (None, None)


class DateRangeYearOverYearTest:
    def test_year_over_year(self):
        earlier = resolve("7d").year_over_year()

        assert earlier == days(date(2025, 5, 14), date(2025, 5, 21))

    def test_year_over_year_leap_day(self):
        date_range = resolve(["2028-02-29", "2028-02-29"])

        earlier = date_range.year_over_year()

        # 29 February 2028 is compared with 28 February 2027.
        assert earlier == days(date(2027, 2, 28), date(2027, 3, 1))

    def test_year_over_year_range_ending_before_leap_day(self):
        date_range = resolve(["2028-02-01", "2028-02-28"])

        earlier = date_range.year_over_year()

        assert earlier == days(date(2027, 2, 1), date(2027, 3, 1))


class DateRangeAsJsonTest:
    def test_as_json_end_inclusive_in_site_zone(self):
        assert resolve("day").as_json() == [
            "2026-05-20T00:00:00+02:00",
            "2026-05-20T23:59:59+02:00",
        ]

    def test_as_json_aware_range_shown_in_site_zone(self):
        date_range = resolve(["2026-01-10T09:00:00Z", "2026-01-10T17:00:00Z"])

        # Berlin is UTC+1 in January.
        assert date_range.as_json() == [
            "2026-01-10T10:00:00+01:00",
            "2026-01-10T18:00:00+01:00",
        ]


class DaylightSavingBucketsTest:
    def test_labels_hour_spring_forward_day_has_23_hours(self):
        date_range = local_days_range(date(2026, 3, 29), date(2026, 3, 30), BERLIN)

        labels = date_range.labels("hour")

        assert len(labels) == 23
        assert "2026-03-29 02:00:00" not in labels

    def test_labels_hour_fall_back_day_merges_repeated_hour(self):
        date_range = local_days_range(date(2026, 10, 25), date(2026, 10, 26), BERLIN)

        labels = date_range.labels("hour")

        # 25 real hours; the two 02:00 hours share one label.
        assert len(labels) == 24
        assert labels.count("2026-10-25 02:00:00") == 1

    def test_previous_period_datetime_range_counts_real_hours(self):
        # 01:00 CEST (23:00 UTC) to 04:00 CET (03:00 UTC): four real hours.
        start = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
        date_range = DateRange(start, start + timedelta(hours=4), BERLIN)

        previous = date_range.previous_period()

        assert previous.end == start
        assert previous.start == start - timedelta(hours=4)


class YearOverYearDatetimeTest:
    def test_year_over_year_datetime_range(self):
        start = datetime(2026, 6, 10, 9, 30, tzinfo=BERLIN)
        date_range = DateRange(start, start + timedelta(hours=2), BERLIN)

        previous = date_range.year_over_year()

        assert previous.start == datetime(2025, 6, 10, 9, 30, tzinfo=BERLIN)
        assert previous.end == datetime(2025, 6, 10, 11, 30, tzinfo=BERLIN)

    def test_year_over_year_aware_range_read_in_site_zone(self):
        # 10:00 UTC on 29 March 2026 is 12:00 CEST; a year earlier, 12:00 in Berlin was CET
        # (summer time began on 30 March 2025), 11:00 UTC.
        date_range = resolve(["2026-03-29T10:00:00Z", "2026-03-29T11:59:59Z"])

        previous = date_range.year_over_year()

        assert previous == DateRange(berlin(2025, 3, 29, 12, 0), berlin(2025, 3, 29, 14, 0), BERLIN)
        assert previous.start == datetime(2025, 3, 29, 11, 0, tzinfo=UTC)

    def test_year_over_year_whole_days_in_site_zone(self):
        # 29 March 2026 has 23 hours in Berlin; 29 March 2025 had 24.
        date_range = resolve(["2026-03-29", "2026-03-29"])

        previous = date_range.year_over_year()

        assert (previous.start, previous.end) == (
            datetime(2025, 3, 28, 23, 0, tzinfo=UTC),
            datetime(2025, 3, 29, 23, 0, tzinfo=UTC),
        )
        assert previous.tz == BERLIN

    def test_year_over_year_datetime_range_on_leap_day(self):
        start = datetime(2028, 2, 29, 9, 0, tzinfo=BERLIN)
        date_range = DateRange(start, start + timedelta(hours=1), BERLIN)

        previous = date_range.year_over_year()

        assert previous.start == datetime(2027, 2, 28, 9, 0, tzinfo=BERLIN)


class DateRangeWholeDaysTest:
    def test_whole_days_midnight_to_midnight(self):
        date_range = days(date(2026, 5, 18), date(2026, 5, 20))

        assert date_range.whole_days() == [date(2026, 5, 18), date(2026, 5, 19)]

    def test_whole_days_partial_ends(self):
        partial = DateRange(berlin(2026, 5, 18, 12), berlin(2026, 5, 20, 12), BERLIN)

        assert partial.whole_days() == [date(2026, 5, 19)]

    def test_whole_days_within_a_day(self):
        within = DateRange(berlin(2026, 5, 18, 1), berlin(2026, 5, 18, 23), BERLIN)

        assert within.whole_days() == []

    def test_whole_days_daylight_saving_day_of_25_hours(self):
        fall_back = date(2026, 10, 25)

        assert days(fall_back, fall_back + timedelta(days=1)).whole_days() == [fall_back]


class ResolveDateRangeMessageTest:
    def test_resolve_date_range_unknown_period_message(self):
        with pytest.raises(InvalidDateRange) as rejected:
            resolve("fortnight")

        assert str(rejected.value) == (
            "Unknown date_range 'fortnight'; use one of day, 7d, 28d, 30d, month, 6mo, 12mo, "
            "year, all."
        )

    def test_resolve_date_range_bad_iso_message(self):
        with pytest.raises(InvalidDateRange) as rejected:
            resolve(["2026-13-01", "2026-13-02"])

        assert str(rejected.value) == "date_range: month must be in 1..12."


class DateRangeComparisonTest:
    def test_comparison_year_over_year_into_first_year(self):
        date_range = resolve(["1971-01-01", "1971-01-31"])

        earlier = date_range.comparison("year_over_year")

        assert earlier == days(date(1970, 1, 1), date(1970, 2, 1))


class DateRangeLabelsPrecisionTest:
    def test_labels_hour_range_ending_a_microsecond_into_an_hour(self):
        start = berlin(2026, 5, 20, 10, 30, 15, 500000)
        date_range = DateRange(start, berlin(2026, 5, 20, 12, 0, 0, 1), BERLIN)

        labels = date_range.labels("hour")

        # Buckets start on the hour, not at the range's minute, second or microsecond.
        assert labels == ["2026-05-20 10:00:00", "2026-05-20 11:00:00", "2026-05-20 12:00:00"]

    def test_labels_day_range_ending_a_microsecond_into_a_day(self):
        start = berlin(2026, 5, 19, 10, 30, 15, 500000)
        date_range = DateRange(start, berlin(2026, 5, 21, 0, 0, 0, 1), BERLIN)

        labels = date_range.labels("day")

        # Buckets start at midnight, not at the range's hour, minute, second or microsecond.
        assert labels == ["2026-05-19", "2026-05-20", "2026-05-21"]

    def test_labels_month_range_ending_within_the_first_hour_of_a_month(self):
        date_range = DateRange(berlin(2026, 1, 15), berlin(2026, 3, 1, 0, 30), BERLIN)

        labels = date_range.labels("month")

        assert labels == ["2026-01-01", "2026-02-01", "2026-03-01"]
