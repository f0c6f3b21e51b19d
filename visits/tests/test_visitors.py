"""Daily salts and the cookieless visitor ids hashed with them."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from model_bakery import baker

from visits.models import Session
from visits.tests.events import CHROME
from visits.visitors import VisitorSalt, salt_for, visitor_id, visitor_ids, visitor_of_day

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 4)
YESTERDAY = TODAY - timedelta(days=1)
SALT = bytes(range(32))
OTHER_SALT = bytes(range(32, 64))


class SaltForTest:
    def test_salt_for_creates_salt(self):
        salt = salt_for(TODAY)

        assert isinstance(salt, bytes)
        assert len(salt) == 32
        assert bytes(VisitorSalt.objects.get(day=TODAY).salt) == salt

    def test_salt_for_reuses_salt(self):
        salt = salt_for(TODAY)

        again = salt_for(TODAY)

        assert again == salt
        assert VisitorSalt.objects.filter(day=TODAY).count() == 1

    def test_salt_for_cached_in_process(self):
        salt = salt_for(TODAY)
        VisitorSalt.objects.filter(day=TODAY).delete()

        again = salt_for(TODAY)

        assert again == salt
        assert not VisitorSalt.objects.filter(day=TODAY).exists()

    def test_salt_for_reads_salt_of_another_worker(self):
        baker.make(VisitorSalt, day=TODAY, salt=SALT)

        salt = salt_for(TODAY)

        assert salt == SALT
        assert VisitorSalt.objects.filter(day=TODAY).count() == 1

    def test_salt_for_days_differ(self):
        salt = salt_for(TODAY)

        other = salt_for(YESTERDAY)

        assert other != salt

    def test_salt_for_deletes_salts_older_than_yesterday(self):
        for days_ago in (1, 2, 3):
            baker.make(VisitorSalt, day=TODAY - timedelta(days=days_ago), salt=SALT)

        salt_for(TODAY)

        assert set(VisitorSalt.objects.values_list("day", flat=True)) == {YESTERDAY, TODAY}

    def test_salt_for_forgets_cached_old_salts(self):
        old_day = TODAY - timedelta(days=2)
        old_salt = salt_for(old_day)
        salt_for(TODAY)

        recreated = salt_for(old_day)

        assert recreated != old_salt

    def test_salt_for_keeps_cached_salt_of_yesterday(self):
        yesterday_salt = salt_for(YESTERDAY)
        salt_for(TODAY)
        VisitorSalt.objects.filter(day=YESTERDAY).delete()

        again = salt_for(YESTERDAY)

        assert again == yesterday_salt

    def test_visitor_salt_str(self):
        salt = baker.prepare(VisitorSalt, day=TODAY)

        assert str(salt) == "salt of 2026-03-04"


class VisitorIdTest:
    @pytest.mark.parametrize("salt", [SALT, OTHER_SALT, b"\xff" * 32, b"\x00" * 32])
    def test_visitor_id_63_bits(self, salt):
        visitor = visitor_id(salt=salt, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        assert 0 <= visitor < 2**63

    def test_visitor_id_deterministic(self):
        visitor = visitor_id(salt=SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        again = visitor_id(salt=SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        assert again == visitor

    def test_visitor_id_keyed_by_salt(self):
        visitor = visitor_id(salt=SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        other = visitor_id(salt=OTHER_SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        assert other != visitor

    @pytest.mark.parametrize(
        "changed",
        [{"site_id": 2}, {"ip": "8.8.4.4"}, {"user_agent": CHROME + " Edg/124.0"}],
        ids=["site", "ip", "user_agent"],
    )
    def test_visitor_id_keyed_by_visitor(self, changed):
        visitor = visitor_id(salt=SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME)

        other = visitor_id(
            salt=SALT, **({"site_id": 1, "ip": "8.8.8.8", "user_agent": CHROME} | changed)
        )

        assert other != visitor

    def test_visitor_ids_today_and_yesterday(self):
        baker.make(VisitorSalt, day=TODAY, salt=SALT)
        baker.make(VisitorSalt, day=YESTERDAY, salt=OTHER_SALT)

        ids = visitor_ids(site_id=1, ip="8.8.8.8", user_agent=CHROME, day=TODAY)

        assert ids == (
            visitor_id(salt=SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME),
            visitor_id(salt=OTHER_SALT, site_id=1, ip="8.8.8.8", user_agent=CHROME),
        )

    def test_visitor_ids_create_missing_salts(self):
        visitor_ids(site_id=1, ip="8.8.8.8", user_agent=CHROME, day=TODAY)

        assert set(VisitorSalt.objects.values_list("day", flat=True)) == {YESTERDAY, TODAY}


class VisitorOfDayTest:
    def test_visitor_of_day_same_key_same_day(self):
        assert visitor_of_day(12345, TODAY) == visitor_of_day(12345, TODAY)

    def test_visitor_of_day_same_key_other_day(self):
        assert visitor_of_day(12345, TODAY) != visitor_of_day(12345, YESTERDAY)

    def test_visitor_of_day_other_key_same_day(self):
        assert visitor_of_day(12345, TODAY) != visitor_of_day(12346, TODAY)

    def test_visitor_of_day_fits_a_bigint(self):
        assert 0 <= visitor_of_day(2**63 - 1, date(9998, 12, 31)) < 2**63

    def test_visitor_of_day_same_as_migration_sql(self):
        migration = importlib.import_module("visits.migrations.0002_rollups")
        site = baker.make("sites.Site", domain="example.com", timezone="Asia/Tokyo")
        started = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # 5 March in Tokyo
        baker.make("visits.Session", site=site, visitor_id=12345, started_at=started)

        with connection.cursor() as cursor:
            cursor.execute(migration.VISITOR_OF_DAY_SQL)

        counted = Session.objects.get().visitor_id
        assert counted == visitor_of_day(12345, date(2026, 3, 5))

    def test_visitor_of_day_applied_twice_gives_the_key(self):
        assert visitor_of_day(visitor_of_day(12345, TODAY), TODAY) == 12345
