"""UTC offsets that PostgreSQL can store."""

from datetime import datetime, timedelta, timezone

import pytest

from proj.datetimes import has_storable_offset


def at_offset(offset: timedelta) -> datetime:
    return datetime(2026, 11, 1, tzinfo=timezone(offset))


class HasStorableOffsetTest:
    def test_has_storable_offset_naive(self):
        assert has_storable_offset(datetime.fromisoformat("2026-11-01T00:00:00")) is True

    @pytest.mark.parametrize(
        "offset",
        [
            pytest.param(timedelta(0), id="utc"),
            pytest.param(timedelta(hours=14), id="kiritimati"),
            pytest.param(timedelta(hours=15, minutes=59, seconds=59), id="largest"),
            pytest.param(-timedelta(hours=15, minutes=59, seconds=59), id="smallest"),
        ],
    )
    def test_has_storable_offset_within_limit(self, offset):
        assert has_storable_offset(at_offset(offset)) is True

    @pytest.mark.parametrize(
        "offset",
        [
            pytest.param(timedelta(hours=16), id="plus-16"),
            pytest.param(-timedelta(hours=16), id="minus-16"),
            pytest.param(timedelta(hours=23, minutes=59), id="python-largest"),
        ],
    )
    def test_has_storable_offset_beyond_limit(self, offset):
        assert has_storable_offset(at_offset(offset)) is False
