"""Filters of the visits collection."""

import django_filters

from visits.enrichment.urls import UTM_PARAMETERS
from visits.models import Visit

EXACT_FIELDS = [
    "name",
    "country",
    "browser",
    "os",
    "device",
    "source",
    *UTM_PARAMETERS,
]


class VisitFilter(django_filters.FilterSet):
    """``?site=&since=&until=&path=&path_prefix=`` and exact matches on the visit fields."""

    site = django_filters.NumberFilter(field_name="site_id")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")
    path = django_filters.CharFilter(field_name="path")
    path_prefix = django_filters.CharFilter(field_name="path", lookup_expr="startswith")

    class Meta:
        model = Visit
        fields = EXACT_FIELDS
