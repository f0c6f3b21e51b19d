"""The documented stats query agrees with what parse_query() accepts."""

import re
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from drf_spectacular.generators import SchemaGenerator

from visits.stats.query import parse_query
from visits.stats.serializers import ISO_DATE_PATTERN

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@cache
def component_schemas() -> dict:
    """Return the schema's components, generated once for the module."""
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def parse(**body):
    return parse_query(
        {"metrics": ["visitors"], "date_range": "7d", **body},
        tz=PARIS,
        now=NOW,
        first_day=date(2026, 1, 1),
    )


class StatsQuerySerializerTest:
    @pytest.fixture
    def schemas(self) -> dict:
        return component_schemas()

    def test_documented_metrics_accepted(self, schemas):
        metrics = schemas["MetricsEnum"]["enum"]

        query = parse(metrics=metrics, dimensions=["visit:source"])

        assert query.metrics == metrics

    def test_documented_dimensions_accepted(self, schemas):
        dimensions = schemas["StatsQueryRequest"]["properties"]["dimensions"]["items"]["anyOf"]
        names = [d for d in dimensions[0]["enum"] if not d.startswith("time")]

        query = parse(dimensions=[*names, "event:props:plan", "time:day"])

        assert query.dimensions == [*names, "event:props:plan", "time:day"]

    def test_documented_periods_accepted(self, schemas):
        date_range = schemas["StatsQueryRequest"]["properties"]["date_range"]["oneOf"][0]

        starts = [parse(date_range=period).date_range.start for period in date_range["enum"]]

        assert len(starts) == 9

    @pytest.mark.parametrize(
        "value",
        ["2026-11-01", "2026-11-01T10:00:00", "2026-11-01T10:00:00.5+15:59", "2026-11-01 10:00Z"],
    )
    def test_iso_date_pattern_matches_what_parse_query_reads(self, value):
        query = parse(date_range=[value, "2026-11-20T00:00:00"])

        assert re.match(ISO_DATE_PATTERN, value)
        assert query.date_range.end == datetime(2026, 11, 20, 0, 0, 1, tzinfo=PARIS)

    @pytest.mark.parametrize(
        "value", ["20261101", "2026-11-01T", "2026-11-01T10:00+16:00", "11/01/2026"]
    )
    def test_iso_date_pattern_refuses(self, value):
        assert re.match(ISO_DATE_PATTERN, value) is None

    def test_order_by_null_takes_the_default(self, schemas):
        query = parse(order_by=None)

        assert schemas["StatsQueryRequest"]["properties"]["order_by"]["nullable"] is True
        assert query.order_by == [("visitors", "desc")]
