"""The stats query and its answer, described for the OpenAPI schema.

``parse_query()`` validates a query and words its errors; these serializers only document
the shapes, from the same constants, so that the schema cannot drift from what the server
accepts.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from visits.stats.dates import FIRST_YEAR, LAST_YEAR, PERIODS
from visits.stats.query import (
    COMPARISON_MODES,
    EVENT_DIMENSIONS,
    LOGICAL,
    MAX_BUCKETS,
    MAX_LIMIT,
    METRICS,
    OPERATORS,
    PROPS_PREFIX,
    TIME_DIMENSIONS,
    VISIT_DIMENSIONS,
)

# What parse_query() reads: an ISO date from FIRST_YEAR to LAST_YEAR (1970 to 9998; February
# 29th left out, since only leap years have it), or an ISO datetime with an offset within
# ±15:59.
_YEAR = r"(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
_MONTH_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    r"|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_TIME = r"[T ]([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9]([.,][0-9]+)?)?)?"
_OFFSET = r"(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)"
ISO_DATE_PATTERN = rf"^{_YEAR}-{_MONTH_DAY}({_TIME}{_OFFSET}?)?$"
DIMENSIONS = [*VISIT_DIMENSIONS, *EVENT_DIMENSIONS, *TIME_DIMENSIONS]
_DIMENSION = {
    "anyOf": [
        {"type": "string", "enum": DIMENSIONS},
        {"type": "string", "pattern": f"^{PROPS_PREFIX}.+", "description": "A custom property."},
    ]
}
_COMPARISON_MODE = {"type": "string", "enum": list(COMPARISON_MODES)}
_FILTER = {
    "type": "array",
    "minItems": 2,
    "maxItems": 4,
    "items": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {
                "type": "object",
                "properties": {"case_sensitive": {"type": "boolean", "default": True}},
                "additionalProperties": False,
            },
        ]
    },
    "description": (
        f'`[operator, dimension, [values], {{"case_sensitive": bool}}?]` with an operator of '
        f'{", ".join(OPERATORS)} and a non-time dimension; `["and" or "or", [filters]]`; '
        '`["not", filter]`. `matches` takes regular expressions. '
        f"Operators: {', '.join(OPERATORS + LOGICAL)}."
    ),
    "example": ["is", "visit:country", ["FR", "DE"]],
}
_ORDER = {
    "type": "array",
    "minItems": 2,
    "maxItems": 2,
    "items": {"type": "string"},
    "description": '`[name, "asc" or "desc"]`, the name one of the query\'s metrics or dimensions.',
    "example": ["visitors", "desc"],
}


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "enum": list(METRICS)},
        "description": "`percentage` needs a dimension.",
    }
)
class MetricsField(serializers.JSONField):
    """The metrics to compute."""


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": list(PERIODS)},
            {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"type": "string", "pattern": ISO_DATE_PATTERN},
            },
        ],
        "description": (
            "A period ending today in the site's time zone, or `[first, last]` (last not "
            "before first), both ISO dates "
            "(whole local days, last included) or both ISO datetimes (the last second included; "
            "without an offset, in the site's time zone; offsets within ±15:59), between "
            f"{FIRST_YEAR} and {LAST_YEAR}."
        ),
    }
)
class DateRangeField(serializers.JSONField):
    """A named period or an explicit range."""


@extend_schema_field(
    {
        "type": "array",
        "uniqueItems": True,
        "items": _DIMENSION,
        "description": "At most one time dimension (`time` picks hour, day or month from the "
        f"range); at most {MAX_BUCKETS} time buckets.",
    }
)
class DimensionsField(serializers.JSONField):
    """The dimensions to group by."""


@extend_schema_field({"type": "array", "items": _FILTER})
class FiltersField(serializers.JSONField):
    """The filters, all of which a counted event or visit must match."""


@extend_schema_field(
    {
        "type": "array",
        "items": _ORDER,
        "nullable": True,
        "description": "Default (also when null): the time dimension ascending, else the first "
        "metric descending.",
    }
)
class OrderByField(serializers.JSONField):
    """The order of the result rows."""


@extend_schema_field(
    {
        "nullable": True,
        "oneOf": [
            {
                "type": "object",
                "properties": {"mode": _COMPARISON_MODE},
                "required": ["mode"],
            },
            _COMPARISON_MODE,
            {"type": "boolean", "enum": [False]},
        ],
        "description": "Compare each row with the same row of another period.",
    }
)
class ComparisonsField(serializers.JSONField):
    """The period to compare with."""


class StatsIncludeSerializer(serializers.Serializer):
    """Extras of the answer."""

    closed = True  # unknown keys answer 400

    total_rows = serializers.BooleanField(
        required=False, default=False, help_text="Count the rows before pagination (meta)."
    )
    time_labels = serializers.BooleanField(
        required=False,
        default=False,
        help_text="List every time bucket of the range (meta); needs a time dimension.",
    )
    comparisons = ComparisonsField(required=False)


class StatsPaginationSerializer(serializers.Serializer):
    """Which result rows to answer."""

    closed = True

    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=MAX_LIMIT)
    offset = serializers.IntegerField(min_value=0, default=0)


class StatsQuerySerializer(serializers.Serializer):
    """A stats query, in the shape of Plausible's Stats API v2."""

    closed = True

    site_id = serializers.CharField(help_text="The site's domain.")
    metrics = MetricsField()
    date_range = DateRangeField()
    dimensions = DimensionsField(required=False)
    filters = FiltersField(required=False)
    order_by = OrderByField(required=False)
    include = StatsIncludeSerializer(required=False)
    pagination = StatsPaginationSerializer(required=False)


class StatsComparisonSerializer(serializers.Serializer):
    """The matching row of the comparison period."""

    dimensions = serializers.ListField(
        child=serializers.CharField(), help_text="Its dimensions, the time bucket moved."
    )
    metrics = serializers.ListField(child=serializers.FloatField())
    change = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Per metric: the difference in points for bounce_rate, else the percent "
        "change; null when not defined.",
    )


class StatsRowSerializer(serializers.Serializer):
    """One result row: metric values in the query's order, then dimension values."""

    metrics = serializers.ListField(child=serializers.FloatField())
    dimensions = serializers.ListField(child=serializers.CharField())
    comparison = StatsComparisonSerializer(
        required=False, help_text="With include.comparisons only."
    )


class StatsMetaSerializer(serializers.Serializer):
    """What the answer adds to the rows, as ``include`` asked."""

    time_labels = serializers.ListField(child=serializers.CharField(), required=False)
    total_rows = serializers.IntegerField(required=False)
    comparison_date_range = serializers.ListField(
        child=serializers.DateTimeField(), min_length=2, max_length=2, required=False
    )


class StatsComparisonModeSerializer(serializers.Serializer):
    """The period compared with."""

    mode = serializers.ChoiceField(choices=COMPARISON_MODES)


class StatsIncludeEchoSerializer(serializers.Serializer):
    """``include`` as it was understood."""

    total_rows = serializers.BooleanField()
    time_labels = serializers.BooleanField()
    comparisons = StatsComparisonModeSerializer(allow_null=True)


class StatsQueryEchoSerializer(serializers.Serializer):
    """The query as it was understood: defaults filled in, the date range resolved."""

    site_id = serializers.CharField()
    metrics = serializers.ListField(child=serializers.ChoiceField(choices=METRICS))
    date_range = serializers.ListField(
        child=serializers.DateTimeField(),
        min_length=2,
        max_length=2,
        help_text="First and last second, in the site's time zone.",
    )
    dimensions = serializers.ListField(child=serializers.CharField())
    filters = FiltersField()
    order_by = OrderByField()
    include = StatsIncludeEchoSerializer()
    pagination = StatsPaginationSerializer()


class StatsResultSerializer(serializers.Serializer):
    """The answer to a stats query."""

    results = StatsRowSerializer(many=True)
    meta = StatsMetaSerializer()
    query = StatsQueryEchoSerializer()
