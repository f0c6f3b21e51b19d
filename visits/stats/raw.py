"""Stats totals computed from the raw rows: events (visits_visit) and visits (visits_session).

Event metrics (pageviews, events) count events by their own time. Visit metrics (visitors,
visits, bounce rate, visit duration, views per visit) count visits by the time they started.
With an event filter, a visit counts when it holds a matching event; grouped by an event
dimension, a visit counts once for each value its events have. Visitors and visits by an
event's dimension are counted from the events alone, which carry their visit's start and
counted visitor; the other visit totals need the visits.
"""

from collections.abc import Iterable
from operator import add
from typing import NamedTuple

from django.db import connection

from sites.models import Site
from visits.stats.dates import DateRange
from visits.stats.query import (
    EVENT_DIMENSIONS,
    PROPS_PREFIX,
    SESSION_ONLY_DIMENSIONS,
    TIME_DIMENSIONS,
    VISIT_DIMENSIONS,
    Condition,
    Logical,
    Query,
    is_event_dimension,
)

# The metrics whose totals the events alone hold (visitors and visits through their copies).
EVENT_COUNTED_METRICS = frozenset({"visitors", "visits", "percentage", "pageviews", "events"})

NONE_LABEL = "(none)"
DIRECT_LABEL = "Direct / None"


class Totals(NamedTuple):
    """The raw sums of one result row, from which the metrics are derived."""

    visitors: int = 0
    visits: int = 0
    bounces: int = 0
    duration: int = 0  # microseconds, summed over visits
    visit_pageviews: int = 0
    pageviews: int = 0
    events: int = 0


def merge(*parts: dict[tuple, Totals]) -> dict[tuple, Totals]:
    """Add up totals group by group."""
    merged: dict[tuple, Totals] = {}
    for part in parts:
        for key, totals in part.items():
            known = merged.get(key)
            merged[key] = totals if known is None else Totals(*map(add, known, totals))
    return merged


class _Sql:
    """A SQL fragment builder that collects its parameters in order."""

    def __init__(self) -> None:
        self.params: list = []

    def param(self, value) -> str:
        self.params.append(value)
        return "%s"


def _references(filters: Iterable[Condition | Logical]) -> set[str]:
    dimensions = set()
    for item in filters:
        if isinstance(item, Logical):
            dimensions |= _references(item.filters)
        else:
            dimensions.add(item.dimension)
    return dimensions


def _column(dimension: str, sql: _Sql, *, events: bool) -> str:
    """Return the expression of a dimension, labelled as results show it."""
    if dimension.startswith(PROPS_PREFIX):
        key = sql.param(dimension[len(PROPS_PREFIX) :])
        return f"COALESCE(e.props ->> {key}, '{NONE_LABEL}')"
    if dimension in EVENT_DIMENSIONS:
        raw = f"e.{EVENT_DIMENSIONS[dimension]}"
    else:
        table = "e" if events and dimension not in SESSION_ONLY_DIMENSIONS else "s"
        raw = f"{table}.{VISIT_DIMENSIONS[dimension]}"
    empty = DIRECT_LABEL if dimension == "visit:source" else NONE_LABEL
    return f"COALESCE(NULLIF({raw}, ''), '{empty}')"


def _bucket(granularity: str, moment: str, sql: _Sql, date_range: DateRange) -> str:
    # The local start of the bucket; compute() turns it into a label, once per row.
    return f"date_trunc('{granularity}', {moment} AT TIME ZONE {sql.param(date_range.tz.key)})"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(condition: Condition, sql: _Sql, *, events: bool) -> str:
    expression = _column(condition.dimension, sql, events=events)
    values = list(condition.values)
    sensitive = condition.case_sensitive
    operator = condition.operator.removesuffix("_not")
    if operator == "is":
        if not sensitive:
            expression, values = f"lower({expression})", [value.lower() for value in values]
        test = f"{expression} = ANY({sql.param(values)})"
    elif operator == "contains":
        patterns = [f"%{_escape_like(value)}%" for value in values]
        test = f"{expression} {'LIKE' if sensitive else 'ILIKE'} ANY({sql.param(patterns)})"
    else:
        test = f"{expression} {'~' if sensitive else '~*'} ANY({sql.param(values)})"
    return f"NOT ({test})" if condition.operator.endswith("_not") else test


def _where(filters: Iterable[Condition | Logical], sql: _Sql, *, events: bool) -> str:
    parts = []
    for item in filters:
        if isinstance(item, Condition):
            parts.append(_condition(item, sql, events=events))
        elif item.operator == "not":
            parts.append(f"NOT ({_where(item.filters, sql, events=events)})")
        else:
            joiner = f" {item.operator.upper()} "
            parts.append(
                "(" + joiner.join(_where([f], sql, events=events) for f in item.filters) + ")"
            )
    return " AND ".join(parts) or "TRUE"


def _dimension_columns(query: Query, sql: _Sql, moment: str, *, events: bool) -> list[str]:
    columns = []
    for dimension in query.dimensions:
        if dimension in TIME_DIMENSIONS:
            columns.append(_bucket(query.granularity(), moment, sql, query.date_range))
        else:
            columns.append(_column(dimension, sql, events=events))
    return columns


def _fetch(sql: _Sql, statement: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.params)
        return cursor.fetchall()


def group_by(count: int) -> str:
    """Return the GROUP BY clause of the first count output columns, or nothing."""
    return f"GROUP BY {', '.join(str(i + 1) for i in range(count))}" if count else ""


def _during(sql: _Sql, moment: str, date_range: DateRange) -> str:
    return f"{moment} >= {sql.param(date_range.start)} AND {moment} < {sql.param(date_range.end)}"


def _in_range(sql: _Sql, site: Site, date_range: DateRange, *, table: str, moment: str) -> str:
    site_id = sql.param(site.pk)
    return f"{table}.site_id = {site_id} AND {_during(sql, f'{table}.{moment}', date_range)}"


# An event's visit's start (a copy), and its own time.
_STARTED, _HAPPENED = "e.session_started_at", "e.timestamp"


def event_totals(site: Site, query: Query, date_range: DateRange) -> dict[tuple, Totals]:
    """Return the event totals of each group, events counted in the range they happened in."""
    # Fragments are built in the order they appear in the statement: parameters are positional.
    sql = _Sql()
    columns = _dimension_columns(query, sql, "e.timestamp", events=True)
    referenced = _references(query.filters) | set(query.dimensions)
    join = ""
    if referenced & set(SESSION_ONLY_DIMENSIONS):
        join = "JOIN visits_session s ON s.session_id = e.session_id"
    in_range = _in_range(sql, site, date_range, table="e", moment="timestamp")
    where = _where(query.filters, sql, events=True)
    statement = (
        f"SELECT {', '.join([*columns, ''])} count(*) FILTER (WHERE e.name = 'pageview'), "
        f"count(*) FROM visits_visit e {join} WHERE {in_range} AND {where} "
        f"{group_by(len(columns))}"
    )
    return {
        tuple(row[: len(columns)]): Totals(pageviews=row[-2], events=row[-1])
        for row in _fetch(sql, statement)
    }


_VISIT_AGGREGATES = (
    "count(DISTINCT {t}visitor_id), count(*), "
    "count(*) FILTER (WHERE {t}pageviews = 1 AND {t}interactive_events = 0), "
    "COALESCE(EXTRACT(EPOCH FROM sum({t}ended_at - {t}started_at)) * 1000000, 0), "
    "COALESCE(sum({t}pageviews), 0)"
)


def visit_totals(site: Site, query: Query, date_range: DateRange) -> dict[tuple, Totals]:
    """Return the visit totals of each group, visits counted in the range they started in."""
    # Fragments are built in the order they appear in the statement: parameters are positional.
    sql = _Sql()
    if any(is_event_dimension(d) for d in query.dimensions):
        columns = _dimension_columns(query, sql, "s.started_at", events=True)
        names = [f"d{i}" for i in range(len(columns))]
        inner = ", ".join(f"{c} AS {n}" for c, n in zip(columns, names, strict=True))
        in_range = _in_range(sql, site, date_range, table="s", moment="started_at")
        where = _where(query.filters, sql, events=True)
        statement = (
            f"SELECT {', '.join(names)}, {_VISIT_AGGREGATES.format(t='')} FROM ("
            f"SELECT DISTINCT {inner}, s.session_id, s.visitor_id, s.pageviews, "
            "s.interactive_events, s.started_at, s.ended_at "
            "FROM visits_session s JOIN visits_visit e ON e.session_id = s.session_id "
            f"WHERE {in_range} AND {where}) AS t {group_by(len(columns))}"
        )
    else:
        columns = _dimension_columns(query, sql, "s.started_at", events=False)
        in_range = _in_range(sql, site, date_range, table="s", moment="started_at")
        if any(is_event_dimension(d) for d in _references(query.filters)):
            matching = _where(query.filters, sql, events=True)
            where = (
                "EXISTS (SELECT 1 FROM visits_visit e "
                f"WHERE e.session_id = s.session_id AND {matching})"
            )
        else:
            where = _where(query.filters, sql, events=False)
        statement = (
            f"SELECT {', '.join([*columns, ''])} {_VISIT_AGGREGATES.format(t='s.')} "
            f"FROM visits_session s WHERE {in_range} AND {where} {group_by(len(columns))}"
        )
    return {
        tuple(row[: len(columns)]): Totals(
            visitors=row[-5],
            visits=row[-4],
            bounces=row[-3],
            duration=int(row[-2]),
            visit_pageviews=int(row[-1]),
        )
        for row in _fetch(sql, statement)
    }


def counted_from_events(query: Query) -> bool:
    """Tell whether the events alone hold the query's totals.

    They do when it groups or filters by an event's dimension (so its visits are found through
    their events anyway), asks for no metric beyond visitors, visits and event counts, and
    involves no entry or exit page.
    """
    referenced = _references(query.filters) | set(query.dimensions)
    return (
        any(is_event_dimension(d) for d in referenced)
        and not referenced & set(SESSION_ONLY_DIMENSIONS)
        and set(query.metrics) <= EVENT_COUNTED_METRICS
    )


def totals_from_events(
    site: Site, query: Query, date_range: DateRange, *, events: bool
) -> dict[tuple, Totals]:
    """Return visitor and visit totals (and event totals with events) from the events alone.

    For a query counted_from_events(): visits count by their start, copied onto each event,
    and events by their own time, in one pass over the events of either range. Time buckets
    differ between the two, so a time series reads the event totals apart.
    """
    if events and query.time_index() is not None:
        return merge(
            event_totals(site, query, date_range),
            totals_from_events(site, query, date_range, events=False),
        )
    # Fragments are built in the order they appear in the statement: parameters are positional.
    sql = _Sql()
    columns = _dimension_columns(query, sql, _STARTED, events=True)
    counts = {"visitors": "count(DISTINCT e.session_visitor_id)"}
    if "visits" in query.metrics:
        counts["visits"] = "count(DISTINCT e.session_id)"
    if events:
        for name, count in counts.items():
            counts[name] = f"{count} FILTER (WHERE {_during(sql, _STARTED, date_range)})"
        pageview = f"e.name = 'pageview' AND {_during(sql, _HAPPENED, date_range)}"
        counts["pageviews"] = f"count(*) FILTER (WHERE {pageview})"
        counts["events"] = f"count(*) FILTER (WHERE {_during(sql, _HAPPENED, date_range)})"
    site_id = sql.param(site.pk)
    in_range = _during(sql, _STARTED, date_range)
    if events:
        in_range = f"({in_range} OR {_during(sql, _HAPPENED, date_range)})"
    where = _where(query.filters, sql, events=True)
    statement = (
        f"SELECT {', '.join([*columns, *counts.values()])} FROM visits_visit e "
        f"WHERE e.site_id = {site_id} AND {in_range} AND {where} {group_by(len(columns))}"
    )
    width = len(columns)
    return {
        tuple(row[:width]): Totals(**dict(zip(counts, row[width:], strict=True)))
        for row in _fetch(sql, statement)
    }
