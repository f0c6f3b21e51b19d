"""App configuration for visits."""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Recorded events and the stats read from them."""

    name = "visits"

    def ready(self) -> None:
        """Connect the site cache to site changes."""
        from visits import sitecache  # noqa: F401
