"""Answering a stats query with SQL over events (visits_visit) and visits (visits_session).

Event metrics (pageviews, events) count events by their own time. Visit metrics (visitors,
visits, bounce rate, visit duration, views per visit) count visits by the time they started.
With an event filter, a visit counts when it holds a matching event; grouped by an event
dimension, a visit counts once for each value its events have.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import DataError, OperationalError, connection, transaction
from django.db.models import Min

from sites.models import Site
from visits.stats.dates import DateRange, label
from visits.stats.query import (
    EVENT_DIMENSIONS,
    PROPS_PREFIX,
    SESSION_ONLY_DIMENSIONS,
    TIME_DIMENSIONS,
    VISIT_DIMENSIONS,
    Condition,
    InvalidQuery,
    Logical,
    Query,
    is_event_dimension,
)

EVENT_METRICS = ("pageviews", "events")
NONE_LABEL = "(none)"
DIRECT_LABEL = "Direct / None"


@dataclass(frozen=True)
class Totals:
    """The raw sums of one result row, from which the metrics are derived."""

    visitors: int = 0
    visits: int = 0
    bounces: int = 0
    duration: float = 0.0
    visit_pageviews: int = 0
    pageviews: int = 0
    events: int = 0


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


def _group_by(count: int) -> str:
    return f"GROUP BY {', '.join(str(i + 1) for i in range(count))}" if count else ""


def _in_range(sql: _Sql, site: Site, date_range: DateRange, *, table: str, moment: str) -> str:
    return (
        f"{table}.site_id = {sql.param(site.pk)} AND {table}.{moment} >= "
        f"{sql.param(date_range.start)} AND {table}.{moment} < {sql.param(date_range.end)}"
    )


def _event_totals(site: Site, query: Query, date_range: DateRange) -> dict[tuple, Totals]:
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
        f"{_group_by(len(columns))}"
    )
    return {
        tuple(row[: len(columns)]): Totals(pageviews=row[-2], events=row[-1])
        for row in _fetch(sql, statement)
    }


_VISIT_AGGREGATES = (
    "count(DISTINCT {t}visitor_id), count(*), "
    "count(*) FILTER (WHERE {t}pageviews = 1 AND {t}interactive_events = 0), "
    "COALESCE(sum(EXTRACT(EPOCH FROM {t}ended_at - {t}started_at)), 0), "
    "COALESCE(sum({t}pageviews), 0)"
)


def _visit_totals(
    site: Site, query: Query, date_range: DateRange, dimensions: list[str]
) -> dict[tuple, Totals]:
    # Fragments are built in the order they appear in the statement: parameters are positional.
    sql = _Sql()
    scoped = replace(query, dimensions=dimensions)
    if any(is_event_dimension(d) for d in dimensions):
        columns = _dimension_columns(scoped, sql, "s.started_at", events=True)
        names = [f"d{i}" for i in range(len(columns))]
        inner = ", ".join(f"{c} AS {n}" for c, n in zip(columns, names, strict=True))
        in_range = _in_range(sql, site, date_range, table="s", moment="started_at")
        where = _where(query.filters, sql, events=True)
        statement = (
            f"SELECT {', '.join(names)}, {_VISIT_AGGREGATES.format(t='')} FROM ("
            f"SELECT DISTINCT {inner}, s.session_id, s.visitor_id, s.pageviews, "
            "s.interactive_events, s.started_at, s.ended_at "
            "FROM visits_session s JOIN visits_visit e ON e.session_id = s.session_id "
            f"WHERE {in_range} AND {where}) AS t {_group_by(len(columns))}"
        )
    else:
        columns = _dimension_columns(scoped, sql, "s.started_at", events=False)
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
            f"FROM visits_session s WHERE {in_range} AND {where} {_group_by(len(columns))}"
        )
    return {
        tuple(row[: len(columns)]): Totals(
            visitors=row[-5],
            visits=row[-4],
            bounces=row[-3],
            duration=float(row[-2]),
            visit_pageviews=int(row[-1]),
        )
        for row in _fetch(sql, statement)
    }


def _half_up(value: float, places: int = 0) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _metric(name: str, totals: Totals, total_visitors: int) -> int | float:
    """Derive one metric from a row's sums (see the definitions in README.md)."""
    visits = totals.visits
    if name == "views_per_visit":
        return float(_half_up(totals.visit_pageviews / visits, 2)) if visits else 0.0
    if name == "bounce_rate":
        return int(_half_up(totals.bounces * 100 / visits)) if visits else 0
    if name == "visit_duration":
        return int(_half_up(totals.duration / visits)) if visits else 0
    if name == "percentage":
        if not total_visitors:
            return 0.0
        return float(_half_up(totals.visitors * 100 / total_visitors, 2))
    return getattr(totals, name)


def _merge(*parts: dict[tuple, Totals]) -> dict[tuple, Totals]:
    merged: dict[tuple, Totals] = {}
    for part in parts:
        for key, totals in part.items():
            known = merged.get(key, Totals())
            merged[key] = Totals(
                **{
                    name: getattr(known, name) + getattr(totals, name)
                    for name in (field.name for field in fields(Totals))
                }
            )
    return merged


def compute(site: Site, query: Query, date_range: DateRange) -> dict[tuple, list]:
    """Return each result row's dimension values mapped to its metric values."""
    parts = []
    if set(query.metrics) & set(EVENT_METRICS):
        parts.append(_event_totals(site, query, date_range))
    if set(query.metrics) - set(EVENT_METRICS):
        parts.append(_visit_totals(site, query, date_range, query.dimensions))
    rows = _merge(*parts)
    index, granularity = query.time_index(), query.granularity()
    if index is not None:
        rows = {
            (*key[:index], label(key[index], granularity), *key[index + 1 :]): totals
            for key, totals in rows.items()
        }
    total_visitors = 0
    if "percentage" in query.metrics:
        overall = _visit_totals(site, query, date_range, [])
        total_visitors = overall.get((), Totals()).visitors
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
    """Answer a validated query: results, meta, and the query as it was understood."""
    check_patterns(query)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
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
    results = []
    for key, metrics in rows[query.offset : query.offset + query.limit]:
        result = {"metrics": metrics, "dimensions": list(key)}
        if comparison_rows is not None:
            other_key = _comparison_key(query, key, labels, comparison_range)
            other = comparison_rows.get(other_key, [0] * len(metrics))
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


def _comparison_key(query: Query, key: tuple, labels: list[str], other: DateRange) -> tuple:
    """Match a row with the comparison's: same dimensions, the time bucket at the same place."""
    index = query.time_index()
    if index is None or key[index] not in labels:
        return key
    other_labels = other.labels(query.granularity())
    position = labels.index(key[index])
    if position >= len(other_labels):
        return key
    return (*key[:index], other_labels[position], *key[index + 1 :])


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


def first_day(site: Site) -> date:
    """Return the first local day of the site's history: creation or its first visit."""
    started = site.sessions.aggregate(first=Min("started_at"))["first"]
    tz = ZoneInfo(site.timezone)
    moments = [site.created_at] + ([started] if started else [])
    return min(moments).astimezone(tz).date()
