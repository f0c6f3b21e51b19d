"""App configuration for visits."""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Recorded events and the stats read from them."""

    name = "visits"
