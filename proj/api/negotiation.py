"""Content negotiation: DRF's, with an unknown ``?format=`` answered 400 naming it."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class ContentNegotiation(DefaultContentNegotiation):
    """Choose the renderer as DRF does; an unknown format is a bad parameter, not a 404."""

    def filter_renderers(self, renderers: list[BaseRenderer], format: str) -> list[BaseRenderer]:
        """Return the renderers of the format; refuse a format the view does not offer."""
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            offered = ", ".join(renderer.format for renderer in renderers)
            raise ValidationError(
                {self.settings.URL_FORMAT_OVERRIDE: [f"Unknown format; use {offered}."]}
            )
        return found
