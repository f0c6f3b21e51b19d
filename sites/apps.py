"""App configuration for sites."""

from django.apps import AppConfig


class SitesConfig(AppConfig):
    """Tracked websites and their members."""

    name = "sites"
