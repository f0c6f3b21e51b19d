"""Filters of the visits collection."""

import django_filters
from django import forms
from rest_framework.exceptions import NotFound

from proj.api.filters import IsoDateTimeFilter
from sites.models import Site
from visits.enrichment.urls import UTM_PARAMETERS
from visits.models import Visit, VisitQuerySet

EXACT_FIELDS = [
    "name",
    "country",
    "browser",
    "os",
    "device",
    "source",
    *UTM_PARAMETERS,
]


class SiteFilter(django_filters.Filter):
    """``?site=<id>``: a site the caller can see, else 404, as for the site's own URL."""

    field_class = forms.IntegerField

    def filter(self, queryset: VisitQuerySet, value: int | None) -> VisitQuerySet:
        """Keep the site's visits; refuse a site the caller cannot see."""
        if value is None:
            return queryset
        if not Site.objects.visible_to(self.parent.request.user).filter(pk=value).exists():
            raise NotFound("No site with this id, or you may not see it.")
        return queryset.filter(site_id=value)


class VisitFilter(django_filters.FilterSet):
    """``?site=&since=&until=&path=&path_prefix=`` and exact matches on the visit fields."""

    site = SiteFilter(label="Site id")
    since = IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")
    path = django_filters.CharFilter(field_name="path")
    path_prefix = django_filters.CharFilter(field_name="path", lookup_expr="startswith")

    class Meta:
        model = Visit
        fields = EXACT_FIELDS
