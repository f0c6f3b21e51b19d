"""Tests for the seed_demo command."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from model_bakery import baker

from accounts.models import User
from sites.models import Site
from visits.models import DailyRollup, RolledDay, Session, Visit, VisitorSalt

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)
SMALL = ("--days", "3", "--visitors-per-day", "5")


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    """Freeze the clock."""
    time_machine.move_to(NOW, tick=False)


def seed(*args: str) -> str:
    """Run seed_demo at the small size and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    """Return the password in the printed demo login."""
    return re.search(r"password: (\S+)", output).group(1)


def demo_visits() -> list[tuple]:
    """Return the demo site's events, oldest first, without the salted ids."""
    return list(
        Visit.objects.filter(site__domain="demo.tally.test")
        .order_by("timestamp", "id")
        .values_list("timestamp", "name", "path", "source", "country", "browser", "props")
    )


def demo_sessions() -> list[tuple]:
    """Return the demo site's sessions, earliest first, without the salted ids."""
    return list(
        Session.objects.filter(site__domain="demo.tally.test")
        .order_by("started_at", "entry_page", "session_id")
        .values_list("started_at", "ended_at", "entry_page", "exit_page", "pageviews", "events")
    )


class SeedDemoCommandTest:
    def test_seed_demo_creates_user_and_site(self):
        output = seed()

        user = User.objects.get(email="demo@tally.test")
        site = Site.objects.get(domain="demo.tally.test")
        assert user.name == "Demo"
        assert user.check_password(printed_password(output))
        assert site.owner == user
        assert site.timezone == "Europe/Berlin"

    def test_seed_demo_prints_login(self):
        output = seed()

        assert re.search(r"Demo login: demo@tally\.test\s+password: \S{12,}", output)

    def test_seed_demo_records_visits_within_days(self):
        seed()

        timestamps = [row[0] for row in demo_visits()]
        assert len(timestamps) > 10
        assert min(timestamps) >= NOW - timedelta(days=3)
        assert max(timestamps) <= NOW

    def test_seed_demo_builds_bounces_and_multi_page_sessions(self):
        seed()

        sessions = Session.objects.filter(site__domain="demo.tally.test")
        visits = Visit.objects.filter(site__domain="demo.tally.test")
        assert any(s.pageviews == 1 and s.interactive_events == 0 for s in sessions)
        assert any(session.pageviews > 1 for session in sessions)
        assert sum(session.events for session in sessions) == visits.count()

    def test_seed_demo_varies_dimensions(self):
        seed("--days", "7", "--visitors-per-day", "20")

        visits = Visit.objects.filter(site__domain="demo.tally.test")
        assert len(set(visits.values_list("country", flat=True))) >= 5
        assert "" not in set(visits.values_list("country", flat=True))
        assert {"Google", "Hacker News", "newsletter"} <= set(
            visits.values_list("source", flat=True)
        )
        assert len(set(visits.values_list("browser", "device"))) >= 4
        assert visits.filter(name="Signup", props__has_key="plan").exists()

    def test_seed_demo_keeps_last_two_salts(self):
        seed()

        days = set(VisitorSalt.objects.values_list("day", flat=True))
        assert days == {NOW.date(), NOW.date() - timedelta(days=1)}

    def test_seed_demo_same_seed_same_traffic(self):
        seed("--seed", "7")
        first_visits, first_sessions = demo_visits(), demo_sessions()

        seed("--seed", "7")

        assert demo_visits() == first_visits
        assert demo_sessions() == first_sessions

    def test_seed_demo_other_seed_other_traffic(self):
        seed("--seed", "7")
        first_visits = demo_visits()

        seed("--seed", "8")

        assert demo_visits() != first_visits

    def test_seed_demo_again_replaces_visits_and_password(self):
        first_output = seed()
        first_count = len(demo_visits())

        output = seed()

        user = User.objects.get(email="demo@tally.test")
        assert len(demo_visits()) == first_count
        assert User.objects.filter(email="demo@tally.test").count() == 1
        assert not user.check_password(printed_password(first_output))
        assert user.check_password(printed_password(output))

    def test_seed_demo_again_forgets_rolled_up_days(self):
        seed()
        site = Site.objects.get(domain="demo.tally.test")
        baker.make(RolledDay, site=site, day=date(2026, 1, 1))
        baker.make(DailyRollup, site=site, day=date(2026, 1, 1), visitors=99)

        seed()

        assert not RolledDay.objects.filter(site=site).exists()
        assert not DailyRollup.objects.filter(site=site).exists()

    def test_if_empty_with_user_does_nothing(self):
        other_user = baker.make(User, email="ada@example.com")

        output = seed("--if-empty")

        assert "users exist already" in output
        assert "password" not in output
        assert User.objects.filter(pk=other_user.pk).exists()
        assert not User.objects.filter(email="demo@tally.test").exists()
        assert not Site.objects.filter(domain="demo.tally.test").exists()

    def test_if_empty_without_users_seeds(self):
        output = seed("--if-empty")

        assert "Demo login: demo@tally.test" in output
        assert demo_visits()

    def test_days_zero_is_refused(self):
        with pytest.raises(CommandError, match="--days"):
            call_command("seed_demo", "--days", "0", stdout=io.StringIO())
