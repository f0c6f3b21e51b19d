"""App configuration for visits."""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Recorded events and the stats read from them."""

    name = "visits"

    def ready(self) -> None:
        """Connect the site cache to site changes; refuse to start with a bad city database."""
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from visits import sitecache  # noqa: F401
        from visits.enrichment.geoip import GeoIPConfigError, check_city_db

        if settings.GEOIP_CITY_DB:
            try:
                check_city_db(settings.GEOIP_CITY_DB)
            except GeoIPConfigError as error:
                raise ImproperlyConfigured(str(error)) from error
