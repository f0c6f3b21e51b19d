"""Daily rollups: the totals of whole local days, so that long ranges read few rows.

Every total adds up across days: events and visits plainly, and visitors because a counted
visitor (Session.visitor_id) belongs to one local day of the site (visitors.visitor_of_day).
A day is rolled up once nothing can change it: an hour after it ends, when every visit started
on it ended an hour ago. An event posted later for a rolled-up day makes the day forgotten
(RolledDay.objects.forget) until it is rolled up again. The rollups hold exactly what the raw
tables answer for that day (visits.stats.raw computes both), one row per dimension value.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Min

from sites.models import Site
from visits.models import DailyRollup, RolledDay, Session
from visits.stats import raw
from visits.stats.dates import DateRange, local_days_range
from visits.stats.query import (
    EVENT_DIMENSIONS,
    SESSION_ONLY_DIMENSIONS,
    TIME_DIMENSIONS,
    VISIT_DIMENSIONS,
    Query,
)

ROLL_DELAY = timedelta(hours=1)
# A stats request rolls up days for at most this long; the rest is read raw meanwhile.
ROLL_BUDGET_SECONDS = 2.0
ROLLED_DIMENSIONS = ("", *VISIT_DIMENSIONS, *EVENT_DIMENSIONS)  # "": the day's totals
ROLLED_GRANULARITIES = (None, "day", "week", "month")
_TOTALS = raw.Totals._fields  # DailyRollup's columns too


@dataclass(frozen=True)
class Plan:
    """Where a range's totals come from: rolled-up days (of one dimension) and raw sub-ranges."""

    dimension: str | None = None
    days: list[date] = field(default_factory=list)
    raw_ranges: list[DateRange] = field(default_factory=list)


def rolled_dimension(query: Query, *, events: bool) -> str | None:
    """Return the rolled-up dimension that answers the query ("" for none), or None."""
    others = [d for d in query.dimensions if d not in TIME_DIMENSIONS]
    if query.filters or query.granularity() not in ROLLED_GRANULARITIES or len(others) > 1:
        return None
    dimension = others[0] if others else ""
    if dimension not in ROLLED_DIMENSIONS or (events and dimension in SESSION_ONLY_DIMENSIONS):
        return None  # properties, and events by entry or exit page, are read raw
    return dimension


def _rolled(site: Site, days: Iterable[date]) -> set[date]:
    return set(
        RolledDay.objects.filter(site=site, timezone=site.timezone, day__in=list(days)).values_list(
            "day", flat=True
        )
    )


def plan(site: Site, query: Query, date_range: DateRange, *, events: bool) -> Plan:
    """Split the range into the rolled-up days the query can use and raw sub-ranges."""
    dimension = rolled_dimension(query, events=events)
    days = date_range.whole_days() if dimension is not None else []
    rolled = sorted(_rolled(site, days)) if days else []
    raw_ranges, cursor = [], date_range.start
    for day in rolled:
        day_range = local_days_range(day, day + timedelta(days=1), date_range.tz)
        if cursor < day_range.start:
            raw_ranges.append(DateRange(cursor, day_range.start, date_range.tz))
        cursor = day_range.end
    if cursor < date_range.end:
        raw_ranges.append(DateRange(cursor, date_range.end, date_range.tz))
    return Plan(dimension, rolled, raw_ranges)


def totals(
    site: Site, query: Query, planned: Plan, *, events: bool, visits: bool
) -> dict[tuple, raw.Totals]:
    """Sum the planned rolled-up days' totals, grouped by the query's dimensions."""
    columns = [
        f"date_trunc('{query.granularity()}', day::timestamp)" if d in TIME_DIMENSIONS else "value"
        for d in query.dimensions
    ]
    sums = ", ".join(f"COALESCE(sum({name}), 0)" for name in _TOTALS)
    # A group shows when the raw tables would show it: with a visit, or an event, or both.
    asked = (("visits", visits), ("events", events))
    shown = [f"sum({name}) > 0" for name, wanted in asked if wanted]
    having = f"HAVING {' OR '.join(shown)}" if columns else ""
    grouping = f"{raw.group_by(len(columns))} {having}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join([*columns, sums])} FROM visits_dailyrollup "
            f"WHERE site_id = %s AND dimension = %s AND day = ANY(%s) {grouping}",
            [site.pk, planned.dimension, planned.days],
        )
        rows = cursor.fetchall()
    width = len(columns)
    return {tuple(row[:width]): raw.Totals(*(int(value) for value in row[width:])) for row in rows}


def first_day(site: Site) -> date:
    """Return the first local day of the site's history: creation or its first visit."""
    started = site.sessions.aggregate(first=Min("started_at"))["first"]
    tz = ZoneInfo(site.timezone)
    moments = [site.created_at] + ([started] if started else [])
    return min(moments).astimezone(tz).date()


def roll_day(site: Site, day: date, *, now: datetime) -> bool:
    """Roll up one local day of the site if it is over and not rolled up yet; tell if done."""
    day_range = local_days_range(day, day + timedelta(days=1), ZoneInfo(site.timezone))
    if day_range.end + ROLL_DELAY > now:
        return False
    with transaction.atomic():
        RolledDay.objects.lock(site)
        if _rolled(site, [day]):
            return False
        ongoing = Session.objects.filter(
            site=site,
            started_at__gte=day_range.start,
            started_at__lt=day_range.end,
            ended_at__gt=now - ROLL_DELAY,
        )
        if ongoing.exists():
            return False
        rows = []
        for dimension in ROLLED_DIMENSIONS:
            query = Query(
                metrics=[],
                date_range=day_range,
                dimensions=[dimension] if dimension else [],
                filters=[],
                order_by=[],
                limit=0,
                offset=0,
            )
            parts = [raw.visit_totals(site, query, day_range)]
            if dimension not in SESSION_ONLY_DIMENSIONS:
                parts.append(raw.event_totals(site, query, day_range))
            rows.extend(
                DailyRollup(
                    site=site,
                    day=day,
                    dimension=dimension,
                    value=key[0] if key else "",
                    **sums._asdict(),
                )
                for key, sums in raw.merge(*parts).items()
            )
        DailyRollup.objects.filter(site=site, day=day).delete()  # of another time zone
        RolledDay.objects.filter(site=site, day=day).delete()
        DailyRollup.objects.bulk_create(rows, batch_size=1000)
        RolledDay.objects.create(site=site, day=day, timezone=site.timezone, rolled_at=now)
    return True


def roll_up(
    site: Site, ranges: Iterable[DateRange], *, now: datetime, budget: float | None = None
) -> int:
    """Roll up the days of the ranges that are over, oldest first; return how many.

    With a budget (seconds), stop starting new days once it is spent.
    """
    # Only days over for ROLL_DELAY can be rolled: those before the local day of now - delay;
    # and none before the site's history starts (a query from 1970 rolls no empty decades).
    over = (now - ROLL_DELAY).astimezone(ZoneInfo(site.timezone)).date()
    days = sorted({day for r in ranges for day in r.whole_days() if day < over})
    if days:
        first = first_day(site)
        days = [day for day in days if day >= first]
    rolled = _rolled(site, days) if days else set()
    waiting = [day for day in days if day not in rolled]
    started, count = time.monotonic(), 0
    for day in waiting:
        if budget is not None and time.monotonic() - started >= budget:
            break
        count += roll_day(site, day, now=now)
    return count
