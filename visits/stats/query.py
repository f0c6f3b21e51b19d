"""Parsing and validating a stats query (Plausible's Stats API v2 shape)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from visits.enrichment.urls import UTM_PARAMETERS
from visits.stats.dates import DateRange, InvalidDateRange, resolve_date_range

METRICS = (
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "percentage",
)
# Dimension name → column of visits_visit (e) and visits_session (s).
VISIT_DIMENSIONS = {
    f"visit:{name}": name
    for name in (
        "entry_page",
        "exit_page",
        "source",
        "referrer",
        *UTM_PARAMETERS,
        "country",
        "region",
        "city",
        "browser",
        "browser_version",
        "os",
        "os_version",
        "device",
    )
}
SESSION_ONLY_DIMENSIONS = ("visit:entry_page", "visit:exit_page")
EVENT_DIMENSIONS = {"event:page": "path", "event:name": "name", "event:hostname": "hostname"}
PROPS_PREFIX = "event:props:"
TIME_DIMENSIONS = {
    "time": None,
    "time:hour": "hour",
    "time:day": "day",
    "time:week": "week",
    "time:month": "month",
}
OPERATORS = ("is", "is_not", "contains", "contains_not", "matches", "matches_not")
LOGICAL = ("and", "or", "not")
MAX_LIMIT = 10000
MAX_BUCKETS = 10000
# The shortest length of each bucket size, to bound the number of buckets of a range.
_BUCKET_SECONDS = {"hour": 3600, "day": 86400, "week": 7 * 86400, "month": 28 * 86400}
COMPARISON_MODES = ("previous_period", "year_over_year")


class InvalidQuery(ValueError):
    """A query the API cannot answer; ``part`` names the offending key."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message


@dataclass(frozen=True)
class Condition:
    """One filter: ``dimension`` compared with ``values`` by ``operator``."""

    operator: str
    dimension: str
    values: tuple[str, ...]
    case_sensitive: bool = True


@dataclass(frozen=True)
class Logical:
    """``and`` / ``or`` of several filters, or ``not`` of one."""

    operator: str
    filters: tuple["Condition | Logical", ...]


@dataclass
class Query:
    """A validated query, with its date range resolved in the site's time zone."""

    metrics: list[str]
    date_range: DateRange
    dimensions: list[str]
    filters: list[Condition | Logical]
    order_by: list[tuple[str, str]]
    limit: int
    offset: int
    total_rows: bool = False
    time_labels: bool = False
    comparison: str | None = None
    comparison_range: DateRange | None = None
    raw: dict = field(default_factory=dict)

    def granularity(self) -> str | None:
        """Return the bucket size of the time dimension, or None without one."""
        for dimension in self.dimensions:
            if dimension in TIME_DIMENSIONS:
                return TIME_DIMENSIONS[dimension] or self.date_range.auto_granularity()
        return None

    def time_index(self) -> int | None:
        """Return the position of the time dimension, or None without one."""
        for index, dimension in enumerate(self.dimensions):
            if dimension in TIME_DIMENSIONS:
                return index
        return None


def is_event_dimension(dimension: str) -> bool:
    """Tell whether a dimension belongs to single events rather than visits."""
    return dimension in EVENT_DIMENSIONS or dimension.startswith(PROPS_PREFIX)


def parse_query(body, *, tz: ZoneInfo, now: datetime, first_day: date) -> Query:
    """Validate a query body and resolve its date range; raise InvalidQuery naming the part."""
    if not isinstance(body, dict):
        raise InvalidQuery("query", "The query is a JSON object.")
    unknown = set(body) - {
        "site_id",
        "metrics",
        "date_range",
        "dimensions",
        "filters",
        "order_by",
        "include",
        "pagination",
    }
    if unknown:
        raise InvalidQuery(sorted(unknown)[0], f"Unknown key {sorted(unknown)[0]!r}.")
    dimensions = _dimensions(body.get("dimensions", []))
    metrics = _metrics(body.get("metrics"), dimensions)
    try:
        date_range = resolve_date_range(body.get("date_range"), tz=tz, now=now, first_day=first_day)
    except InvalidDateRange as error:
        raise InvalidQuery("date_range", str(error)) from error
    filters = body.get("filters", [])
    if not isinstance(filters, list):
        raise InvalidQuery("filters", "filters is a list of filters.")
    include = body.get("include", {})
    if not isinstance(include, dict) or set(include) - {"total_rows", "time_labels", "comparisons"}:
        raise InvalidQuery("include", "include takes total_rows, time_labels and comparisons.")
    limit, offset = _pagination(body.get("pagination", {}))
    time_labels = _flag(include, "time_labels")
    if time_labels and not any(d in TIME_DIMENSIONS for d in dimensions):
        raise InvalidQuery("include", "time_labels needs a time dimension.")
    comparison = _comparison(include.get("comparisons"))
    try:
        comparison_range = date_range.comparison(comparison) if comparison else None
    except InvalidDateRange as error:
        raise InvalidQuery("include", str(error)) from error
    query = Query(
        metrics=metrics,
        date_range=date_range,
        dimensions=dimensions,
        filters=[_filter(item) for item in filters],
        order_by=_order_by(body.get("order_by"), metrics, dimensions),
        limit=limit,
        offset=offset,
        total_rows=_flag(include, "total_rows"),
        time_labels=time_labels,
        comparison=comparison,
        comparison_range=comparison_range,
        raw=body,
    )
    granularity = query.granularity()
    span = (date_range.end - date_range.start).total_seconds()
    if granularity and span / _BUCKET_SECONDS[granularity] > MAX_BUCKETS:
        raise InvalidQuery(
            "dimensions",
            f"At most {MAX_BUCKETS} time buckets: use a coarser time dimension or a shorter "
            "date_range.",
        )
    return query


def is_clean_text(value: str) -> bool:
    """Tell whether a string can reach the database: no NUL, no lone surrogate."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\0" not in value


def _metrics(value, dimensions: list[str]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        raise InvalidQuery("metrics", "metrics is a non-empty list of metric names.")
    for metric in value:
        if metric not in METRICS:
            raise InvalidQuery(
                "metrics", f"Unknown metric {metric!r}; choose from {', '.join(METRICS)}."
            )
    if len(set(value)) != len(value):
        raise InvalidQuery("metrics", "A metric is listed twice.")
    if "percentage" in value and not dimensions:
        raise InvalidQuery("metrics", "The percentage metric needs a dimension.")
    return value


def _dimensions(value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise InvalidQuery("dimensions", "dimensions is a list of dimension names.")
    for dimension in value:
        _check_dimension(dimension, part="dimensions", allow_time=True)
    if len(set(value)) != len(value):
        raise InvalidQuery("dimensions", "A dimension is listed twice.")
    if sum(d in TIME_DIMENSIONS for d in value) > 1:
        raise InvalidQuery("dimensions", "At most one time dimension.")
    return value


def _check_dimension(dimension: str, *, part: str, allow_time: bool) -> None:
    if dimension in VISIT_DIMENSIONS or dimension in EVENT_DIMENSIONS:
        return
    if (
        dimension.startswith(PROPS_PREFIX)
        and len(dimension) > len(PROPS_PREFIX)
        and is_clean_text(dimension)
    ):
        return
    if allow_time and dimension in TIME_DIMENSIONS:
        return
    raise InvalidQuery(part, f"Unknown dimension {dimension!r}.")


def _filter(value) -> Condition | Logical:
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        raise InvalidQuery(
            "filters", f"A filter is a list such as ['is', dimension, values]: {value!r}."
        )
    operator = value[0]
    if operator in ("and", "or"):
        if len(value) != 2 or not isinstance(value[1], list) or not value[1]:
            raise InvalidQuery("filters", f"{operator!r} takes a non-empty list of filters.")
        return Logical(operator, tuple(_filter(item) for item in value[1]))
    if operator == "not":
        if len(value) != 2:
            raise InvalidQuery("filters", "'not' takes one filter.")
        return Logical(operator, (_filter(value[1]),))
    if operator not in OPERATORS:
        raise InvalidQuery(
            "filters",
            f"Unknown filter operator {operator!r}; use {', '.join(OPERATORS + LOGICAL)}.",
        )
    if len(value) not in (3, 4) or not isinstance(value[1], str):
        raise InvalidQuery("filters", f"{operator!r} takes a dimension and a list of values.")
    _check_dimension(value[1], part="filters", allow_time=False)
    clauses = value[2]
    if (
        not isinstance(clauses, list)
        or not clauses
        or not all(isinstance(c, str) and is_clean_text(c) for c in clauses)
    ):
        raise InvalidQuery("filters", f"Filter on {value[1]!r}: values is a list of strings.")
    modifiers = value[3] if len(value) == 4 else {}
    if not isinstance(modifiers, dict) or set(modifiers) - {"case_sensitive"}:
        raise InvalidQuery("filters", "The only filter modifier is case_sensitive.")
    case_sensitive = modifiers.get("case_sensitive", True)
    if not isinstance(case_sensitive, bool):
        raise InvalidQuery("filters", "case_sensitive is true or false.")
    return Condition(operator, value[1], tuple(clauses), case_sensitive)


def _order_by(value, metrics: list[str], dimensions: list[str]) -> list[tuple[str, str]]:
    if value is None:
        time = [d for d in dimensions if d in TIME_DIMENSIONS]
        if time:
            return [(time[0], "asc")]
        return [(metrics[0], "desc")]
    if not isinstance(value, list):
        raise InvalidQuery("order_by", "order_by is a list of [metric or dimension, direction].")
    order = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or item[1] not in ("asc", "desc")
            or item[0] not in metrics + dimensions
        ):
            raise InvalidQuery(
                "order_by",
                f"Cannot order by {item!r}: use [name, 'asc' or 'desc'] with a queried metric "
                "or dimension.",
            )
        order.append((item[0], item[1]))
    return order


def _pagination(value) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) - {"limit", "offset"}:
        raise InvalidQuery("pagination", "pagination takes limit and offset.")
    limit, offset = value.get("limit", MAX_LIMIT), value.get("offset", 0)
    for name, number in (("limit", limit), ("offset", offset)):
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise InvalidQuery("pagination", f"{name} is a whole number, at least 0.")
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidQuery("pagination", f"limit is between 1 and {MAX_LIMIT}.")
    return limit, offset


def _flag(include: dict, name: str) -> bool:
    value = include.get(name, False)
    if not isinstance(value, bool):
        raise InvalidQuery("include", f"include.{name} is true or false.")
    return value


def _comparison(value) -> str | None:
    if value is None or value is False:
        return None
    mode = value.get("mode") if isinstance(value, dict) else value
    # Plausible's other options (match_day_of_week, custom date_range) are refused, not ignored.
    if mode not in COMPARISON_MODES or (isinstance(value, dict) and set(value) != {"mode"}):
        raise InvalidQuery(
            "include",
            'include.comparisons is {"mode": "previous_period"} or {"mode": "year_over_year"}.',
        )
    return mode
