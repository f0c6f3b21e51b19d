"""Tests for the rollup command."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from model_bakery import baker

from sites.models import Site
from visits.models import RolledDay, Session

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    """Freeze the clock."""
    time_machine.move_to(NOW, tick=False)


def rollup() -> str:
    """Run the command and return what it printed."""
    out = io.StringIO()
    call_command("rollup", stdout=out)
    return out.getvalue()


class RollupCommandTest:
    def test_rollup_days_of_every_site_until_yesterday(self):
        first = baker.make(Site, domain="a.example", created_at=NOW - timedelta(days=2))
        second = baker.make(Site, domain="b.example", created_at=NOW - timedelta(days=1))

        rollup()

        assert set(RolledDay.objects.values_list("site_id", "day")) == {
            (first.pk, date(2026, 11, 16)),
            (first.pk, date(2026, 11, 17)),
            (second.pk, date(2026, 11, 17)),
        }

    def test_rollup_from_the_first_visit(self):
        site = baker.make(Site, domain="a.example", created_at=NOW)
        baker.make(
            Session, site=site, started_at=NOW - timedelta(days=1), ended_at=NOW - timedelta(days=1)
        )

        rollup()

        assert list(RolledDay.objects.values_list("day", flat=True)) == [date(2026, 11, 17)]

    def test_rollup_logs_sites_rolled_up(self, caplog):
        site = baker.make(Site, domain="a.example", created_at=NOW - timedelta(days=1))

        rollup()

        logged = [
            record.msg for record in caplog.records if record.msg["event"] == "site_rolled_up"
        ]
        assert logged[0]["site_id"] == site.pk
        assert logged[0]["days"] == 1

    def test_rollup_twice_rolls_nothing_more(self, caplog):
        baker.make(Site, domain="a.example", created_at=NOW - timedelta(days=1))
        rollup()
        caplog.clear()

        printed = rollup()

        assert printed == "Rolled up the days that are over.\n"
        assert not [r for r in caplog.records if r.msg["event"] == "site_rolled_up"]
