"""Startup checks of the visits app."""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from model_bakery import baker

from visits.enrichment.geoip import locate
from visits.models import Visit
from visits.tests.events import CHROME
from visits.tests.test_geoip import LONDON, write_db


@pytest.fixture
def city_db(tmp_path):
    return write_db(tmp_path / "City.mmdb", {"81.2.69.0/24": LONDON})


class VisitsConfigTest:
    def test_ready_city_db_missing(self, settings, tmp_path):
        settings.GEOIP_CITY_DB = str(tmp_path / "missing.mmdb")

        with pytest.raises(ImproperlyConfigured, match="Cannot open the city database"):
            apps.get_app_config("visits").ready()

    def test_ready_opens_city_db(self, settings, city_db):
        settings.GEOIP_CITY_DB = city_db

        apps.get_app_config("visits").ready()

        Path(city_db).unlink()  # opened at startup: still readable
        assert locate("81.2.69.142", city_db=city_db).city == "London"

    @pytest.mark.django_db
    def test_record_uses_configured_city_db(self, settings, city_db):
        settings.GEOIP_CITY_DB = city_db
        site = baker.make("sites.Site", domain="example.com")

        visit = Visit.objects.record(
            site=site,
            name="pageview",
            url="https://example.com/",
            referrer="",
            props={},
            interactive=True,
            ip="81.2.69.142",
            user_agent=CHROME,
            timestamp=site.created_at,
            received_at=site.created_at,
        )

        assert (visit.country, visit.city) == ("GB", "London")
