"""Date ranges and time buckets, in the site's time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from proj.datetimes import UTC_OFFSET_MESSAGE, has_storable_offset

# Explicit ranges stay within years every computation here can handle, comparisons included.
FIRST_YEAR, LAST_YEAR = 1970, 9998
PERIODS = ("day", "7d", "28d", "30d", "month", "6mo", "12mo", "year", "all")


class InvalidDateRange(ValueError):
    """A date range the API does not understand."""


@dataclass(frozen=True)
class DateRange:
    """A half-open interval [start, end) of aware datetimes, and the zone it was read in."""

    start: datetime
    end: datetime
    tz: ZoneInfo

    def previous_period(self) -> "DateRange":
        """Return the range of equal length just before this one (equal days when whole)."""
        first, after_last = self.local_days()
        if first is not None:
            days = (after_last - first).days
            return local_days_range(first - timedelta(days=days), first, self.tz)
        start = self.start.astimezone(UTC)  # real durations, across daylight saving changes
        return DateRange(start - (self.end.astimezone(UTC) - start), start, self.tz)

    def year_over_year(self) -> "DateRange":
        """Return the same range one year earlier (whole days map to the same dates)."""
        first, after_last = self.local_days()
        if first is not None:
            last = _year_earlier(after_last - timedelta(days=1))
            return local_days_range(_year_earlier(first), last + timedelta(days=1), self.tz)
        start, end = (moment.astimezone(self.tz) for moment in (self.start, self.end))
        return DateRange(_year_earlier(start), _year_earlier(end), self.tz)

    def comparison(self, mode: str) -> "DateRange":
        """Return the range to compare with: ``previous_period`` or ``year_over_year``."""
        try:
            other = self.previous_period() if mode == "previous_period" else self.year_over_year()
        except (OverflowError, ValueError) as error:
            raise InvalidDateRange("The comparison period is out of range.") from error
        if other.start.year < FIRST_YEAR:
            raise InvalidDateRange("The comparison period is out of range.")
        return other

    def local_days(self) -> tuple[date | None, date | None]:
        """Return the first and the day after the last local day, when both ends are midnight."""
        start, end = self.start.astimezone(self.tz), self.end.astimezone(self.tz)
        if start.time() == time(0) and end.time() == time(0):
            return start.date(), end.date()
        return None, None

    def whole_days(self) -> list[date]:
        """Return the local days that lie wholly within the range, whatever its ends."""
        start, end = self.start.astimezone(self.tz), self.end.astimezone(self.tz)
        first = start.date() if start.time() == time(0) else start.date() + timedelta(days=1)
        return [first + timedelta(days=n) for n in range((end.date() - first).days)]

    def auto_granularity(self) -> str:
        """Return the bucket size a time series of this range uses by default."""
        span = self.end - self.start
        if span <= timedelta(days=1):
            return "hour"
        if span <= timedelta(days=40):
            return "day"
        return "month"

    def labels(self, granularity: str) -> list[str]:
        """Return the label of every bucket of the range, in order."""
        if granularity == "hour":  # walk real hours: DST days have 23 or 25 of them
            # From the start of the local hour the range starts in, so that a range starting
            # within an hour still ends with the label of the hour it ends in.
            local_start = self.start.astimezone(self.tz)
            hour_start = local_start.replace(minute=0, second=0, microsecond=0)
            labels, moment = [], hour_start.astimezone(UTC)
            while moment < self.end:
                text = label(moment.astimezone(self.tz).replace(tzinfo=None), "hour")
                if not labels or labels[-1] != text:
                    labels.append(text)
                moment += timedelta(hours=1)
            return labels
        local = self.start.astimezone(self.tz).replace(tzinfo=None)
        end = self.end.astimezone(self.tz).replace(tzinfo=None)
        cursor = truncate(local, granularity)
        labels = []
        while cursor < end:
            labels.append(label(cursor, granularity))
            cursor = _next_bucket(cursor, granularity)
        return labels

    def as_json(self) -> list[str]:
        """Return the range as ISO datetimes in the site's zone, the end inclusive."""
        last = self.end - timedelta(seconds=1)
        return [
            self.start.astimezone(self.tz).isoformat(),
            last.astimezone(self.tz).isoformat(),
        ]


def local_days_range(first: date, after_last: date, tz: ZoneInfo) -> DateRange:
    """Return the range from local midnight of ``first`` to local midnight of ``after_last``."""
    return DateRange(
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(after_last, time(0), tzinfo=tz),
        tz,
    )


def resolve_date_range(value, *, tz: ZoneInfo, now: datetime, first_day: date) -> DateRange:
    """Turn a query's ``date_range`` into a DateRange; ``first_day`` starts "all"."""
    today = now.astimezone(tz).date()
    if isinstance(value, str):
        return _period(value, tz=tz, today=today, first_day=first_day)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return _explicit(value, tz=tz)
    raise InvalidDateRange(
        f"date_range is one of {', '.join(PERIODS)}, or [start, end] as ISO dates or datetimes."
    )


def _period(value: str, *, tz: ZoneInfo, today: date, first_day: date) -> DateRange:
    tomorrow = today + timedelta(days=1)
    month_start = today.replace(day=1)
    if value == "day":
        return local_days_range(today, tomorrow, tz)
    if value in ("7d", "28d", "30d"):
        return local_days_range(tomorrow - timedelta(days=int(value[:-1])), tomorrow, tz)
    if value == "month":
        return local_days_range(month_start, _add_months(month_start, 1), tz)
    if value in ("6mo", "12mo"):
        months = int(value[:-2])
        next_month = _add_months(month_start, 1)
        return local_days_range(_add_months(next_month, -months), next_month, tz)
    if value == "year":
        return local_days_range(date(today.year, 1, 1), date(today.year + 1, 1, 1), tz)
    if value == "all":
        return local_days_range(min(first_day, today), tomorrow, tz)
    raise InvalidDateRange(f"Unknown date_range {value!r}; use one of {', '.join(PERIODS)}.")


def _explicit(value: list[str], *, tz: ZoneInfo) -> DateRange:
    try:
        if all(len(v) == 10 for v in value):
            first, last = (date.fromisoformat(v) for v in value)
            date_range = local_days_range(first, last + timedelta(days=1), tz)
        else:
            start, last = (datetime.fromisoformat(v) for v in value)
            if not (has_storable_offset(start) and has_storable_offset(last)):
                raise InvalidDateRange(f"date_range: {UTC_OFFSET_MESSAGE}")
            start, last = (d if d.tzinfo else d.replace(tzinfo=tz) for d in (start, last))
            date_range = DateRange(start, last + timedelta(seconds=1), tz)
    except InvalidDateRange:
        raise
    except (ValueError, OverflowError) as error:
        raise InvalidDateRange(f"date_range: {error}.") from error
    if date_range.end <= date_range.start:
        raise InvalidDateRange("date_range ends before it starts.")
    # The range's own first and last day (or moment) count, not the moment after its end.
    if date_range.start.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise InvalidDateRange(f"date_range lies between {FIRST_YEAR} and {LAST_YEAR}.")
    return date_range


def truncate(moment: datetime, granularity: str) -> datetime:
    """Return the start of the day, week or month a naive local datetime falls in."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def label(bucket: datetime, granularity: str) -> str:
    """Return the label of a bucket: ``2026-11-21 13:00:00`` for hours, else the date."""
    if granularity == "hour":
        return bucket.strftime("%Y-%m-%d %H:00:00")
    return bucket.date().isoformat()


def _next_bucket(bucket: datetime, granularity: str) -> datetime:
    if granularity == "day":
        return bucket + timedelta(days=1)
    if granularity == "week":
        return bucket + timedelta(weeks=1)
    return datetime.combine(_add_months(bucket.date(), 1), time(0))


def _add_months(day: date, months: int) -> date:
    """Move a first-of-month date by whole months."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year_earlier(moment: date | datetime) -> date | datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)
