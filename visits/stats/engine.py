"""Answering a stats query: totals from daily rollups and raw rows, metrics, comparisons.

The totals of whole local days that are rolled up come from visits_dailyrollup, the rest from
the raw events and visits (see visits.stats.raw and visits.stats.rollups); both are sums, so
they add up. The metrics are derived from the summed totals as README.md defines them.
"""

from dataclasses import replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import DataError, OperationalError, connection, transaction
from django.utils import timezone

from sites.models import Site
from visits.stats import raw, rollups
from visits.stats.dates import DateRange, label
from visits.stats.query import InvalidQuery, Logical, Query
from visits.stats.raw import Totals

EVENT_METRICS = ("pageviews", "events")


def _half_up(value: float | Decimal, places: int = 0) -> Decimal:
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _metric(name: str, totals: Totals, total_visitors: int) -> int | float:
    """Derive one metric from a row's sums (see the definitions in README.md)."""
    visits = totals.visits
    if name == "views_per_visit":
        return float(_half_up(totals.visit_pageviews / visits, 2)) if visits else 0.0
    if name == "bounce_rate":
        return int(_half_up(totals.bounces * 100 / visits)) if visits else 0
    if name == "visit_duration":
        return int(_half_up(Decimal(totals.duration) / (visits * 1_000_000))) if visits else 0
    if name == "percentage":
        if not total_visitors:
            return 0.0
        return float(_half_up(totals.visitors * 100 / total_visitors, 2))
    return getattr(totals, name)


def _totals(
    site: Site, query: Query, date_range: DateRange, *, events: bool, visits: bool
) -> dict[tuple, Totals]:
    """Sum event and/or visit totals over the range: rolled-up days, then the raw rest."""
    plan = rollups.plan(site, query, date_range, events=events)
    parts = []
    if plan.days:
        parts.append(rollups.totals(site, query, plan, events=events, visits=visits))
    from_events = visits and raw.counted_from_events(query)
    for part_range in plan.raw_ranges:
        if from_events:
            parts.append(raw.totals_from_events(site, query, part_range, events=events))
            continue
        if events:
            parts.append(raw.event_totals(site, query, part_range))
        if visits:
            parts.append(raw.visit_totals(site, query, part_range))
    return raw.merge(*parts)


def compute(site: Site, query: Query, date_range: DateRange) -> dict[tuple, list]:
    """Return each result row's dimension values mapped to its metric values."""
    rows = _totals(
        site,
        query,
        date_range,
        events=bool(set(query.metrics) & set(EVENT_METRICS)),
        visits=bool(set(query.metrics) - set(EVENT_METRICS)),
    )
    index, granularity = query.time_index(), query.granularity()
    if index is not None:
        rows = {
            (*key[:index], label(key[index], granularity), *key[index + 1 :]): totals
            for key, totals in rows.items()
        }
    total_visitors = 0
    if "percentage" in query.metrics:
        overall = replace(query, dimensions=[])
        total = _totals(site, overall, date_range, events=False, visits=True)
        total_visitors = total.get((), Totals()).visitors
    if query.time_labels and len(query.dimensions) == 1:  # a time series: every bucket
        for bucket in date_range.labels(granularity):
            rows.setdefault((bucket,), Totals())
    return {
        key: [_metric(name, totals, total_visitors) for name in query.metrics]
        for key, totals in rows.items()
    }


def _sorted(query: Query, rows: dict[tuple, list]) -> list[tuple[tuple, list]]:
    items = sorted(rows.items(), key=lambda item: tuple(str(v) for v in item[0]))
    for name, direction in reversed(query.order_by):
        if name in query.metrics:
            index = query.metrics.index(name)
            items.sort(key=lambda item, i=index: item[1][i], reverse=direction == "desc")
        else:
            index = query.dimensions.index(name)
            items.sort(key=lambda item, i=index: str(item[0][i]), reverse=direction == "desc")
    return items


def _change(name: str, current, previous) -> int | float | None:
    if name == "bounce_rate":
        return current - previous
    if not previous:
        return 100 if current else 0
    return int(_half_up((current - previous) * 100 / previous))


def check_patterns(query: Query) -> None:
    """Reject regular expressions PostgreSQL cannot compile, naming the filter."""

    def patterns(filters):
        for item in filters:
            if isinstance(item, Logical):
                yield from patterns(item.filters)
            elif item.operator.startswith("matches"):
                yield from item.values

    for pattern in patterns(query.filters):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT '' ~ %s", [pattern])
        except DataError as error:
            raise InvalidQuery(
                "filters", f"Invalid regular expression {pattern!r}: {error.__cause__}".strip()
            ) from error


class QueryTimeout(Exception):
    """A query that ran longer than STATEMENT_TIMEOUT and was cancelled."""


# Anyone may query a public site: no single statement may hold a worker for long.
STATEMENT_TIMEOUT = "20s"
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by a timeout


def run_query(site: Site, query: Query) -> dict:
    """Answer a validated query: results, meta, and the query as it was understood.

    Days of the query's ranges that are over and not rolled up yet are rolled up first, for a
    limited time; those left are read raw (see visits.stats.rollups).
    """
    check_patterns(query)
    if rollups.rolled_dimension(query, events=False) is not None:
        ranges = [r for r in (query.date_range, query.comparison_range) if r is not None]
        rollups.roll_up(site, ranges, now=timezone.now(), budget=rollups.ROLL_BUDGET_SECONDS)
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if outermost:  # one snapshot: the rolled days read agree with their rollup rows
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Distinct counts and groupings over a month of events sort in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [STATEMENT_TIMEOUT])
            return _answer(site, query)
    except OperationalError as error:
        cancelled = getattr(error.__cause__, "pgcode", None) == _QUERY_CANCELED
        raise (QueryTimeout() if cancelled else error) from error


def _answer(site: Site, query: Query) -> dict:
    rows = _sorted(query, compute(site, query, query.date_range))
    meta: dict = {}
    comparison_rows, comparison_range = None, query.comparison_range
    if comparison_range is not None:
        comparison_rows = compute(site, query, comparison_range)
        meta["comparison_date_range"] = comparison_range.as_json()
    granularity = query.granularity()
    labels = query.date_range.labels(granularity) if granularity else []
    if query.time_labels:
        meta["time_labels"] = labels
    if query.total_rows:
        meta["total_rows"] = len(rows)
    moved = _moved_buckets(query, labels, comparison_range) if comparison_range is not None else {}
    empty = [_metric(name, Totals(), 0) for name in query.metrics]  # a row the other lacks
    results = []
    for key, metrics in rows[query.offset : query.offset + query.limit]:
        result = {"metrics": metrics, "dimensions": list(key)}
        if comparison_rows is not None:
            other_key = _comparison_key(query, key, moved)
            other = comparison_rows.get(other_key, empty)
            result["comparison"] = {
                "dimensions": list(other_key),
                "metrics": other,
                "change": [
                    _change(name, current, previous)
                    for name, current, previous in zip(query.metrics, metrics, other, strict=True)
                ],
            }
        results.append(result)
    return {"results": results, "meta": meta, "query": _echo(site, query)}


def _moved_buckets(query: Query, labels: list[str], other: DateRange) -> dict[str, str]:
    """Map each time bucket of the range to the comparison's bucket at the same place."""
    if query.time_index() is None:
        return {}
    return dict(zip(labels, other.labels(query.granularity()), strict=False))


def _comparison_key(query: Query, key: tuple, moved: dict[str, str]) -> tuple:
    """Match a row with the comparison's: same dimensions, the time bucket moved."""
    index = query.time_index()
    if index is None or key[index] not in moved:
        return key
    return (*key[:index], moved[key[index]], *key[index + 1 :])


def _echo(site: Site, query: Query) -> dict:
    include = {
        "total_rows": query.total_rows,
        "time_labels": query.time_labels,
        "comparisons": {"mode": query.comparison} if query.comparison else None,
    }
    return {
        "site_id": site.domain,
        "metrics": query.metrics,
        "date_range": query.date_range.as_json(),
        "dimensions": query.dimensions,
        "filters": query.raw.get("filters", []),
        "order_by": [list(item) for item in query.order_by],
        "include": include,
        "pagination": {"limit": query.limit, "offset": query.offset},
    }


def realtime_visitors(site: Site, *, now) -> int:
    """Return the number of distinct visitors with an event in the last five minutes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT visitor_id) FROM visits_visit "
            "WHERE site_id = %s AND timestamp >= %s AND timestamp <= %s",
            [site.pk, now - timedelta(minutes=5), now],
        )
        return cursor.fetchone()[0]
