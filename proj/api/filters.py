"""Filter backends and filters shared by the collections."""

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from proj.datetimes import UTC_OFFSET_MESSAGE, has_storable_offset


class KnownQueryParameters(filters.BaseFilterBackend):
    """Refuse query parameters the view does not read, so that a typo never widens a result.

    The view reads ``?format=``, its filterset's filters, its other filter backends' parameters
    (``?ordering=``) and its paginator's (``?page=``, ``?cursor=``, ``?page_size=``). Put this
    backend first, so that a typo answers 400 whatever else is wrong.
    """

    def filter_queryset(self, request, queryset, view):
        """Return the queryset untouched; raise naming every unknown parameter."""
        known = self.known_parameters(view)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = f"Unknown query parameter; use {', '.join(sorted(known))}."
            raise ValidationError({name: [message] for name in unknown})
        return queryset

    @staticmethod
    def known_parameters(view) -> set[str]:
        """Return the names of the query parameters the view reads."""
        known = {api_settings.URL_FORMAT_OVERRIDE}
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            known.update(filterset_class.base_filters)
        for backend_class in view.filter_backends:
            # django-filter's backend describes no parameters; its filterset did above.
            describe = getattr(backend_class(), "get_schema_operation_parameters", None)
            if describe is not None:
                known.update(p["name"] for p in describe(view))
        if view.paginator is not None:
            known.update(p["name"] for p in view.paginator.get_schema_operation_parameters(view))
        return known


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=`` that rejects unknown fields and always ends on the unique ``id``.

    The tie-breaker keeps pages stable when many rows share a value, such as a name.
    """

    def get_ordering(self, request, queryset, view) -> list[str]:
        """Return the requested ordering (or the view's default) plus the tie-breaker."""
        param = request.query_params.get(self.ordering_param)
        if param is None:
            ordering = list(self.get_default_ordering(view))
        else:
            ordering = [term.strip() for term in param.split(",") if term.strip()]
            allowed = [name for name, _ in self.get_valid_fields(queryset, view, {})]
            unknown = [term for term in ordering if term.removeprefix("-") not in allowed]
            if unknown or not ordering:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Order by one or more of {', '.join(allowed)}, "
                            "with a leading '-' for descending order."
                        ]
                    }
                )
        if not any(term.removeprefix("-") == "id" for term in ordering):
            ordering.append("id")
        return ordering


class StorableIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime whose UTC offset PostgreSQL can store."""

    def to_python(self, value):
        """Parse the datetime; refuse offsets of 16 hours or more."""
        moment = super().to_python(value)
        if moment is not None and not has_storable_offset(moment):
            raise forms.ValidationError(UTC_OFFSET_MESSAGE, code="utc_offset")
        return moment


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Filter by an ISO 8601 datetime; an offset PostgreSQL refuses answers 400."""

    field_class = StorableIsoDateTimeField
