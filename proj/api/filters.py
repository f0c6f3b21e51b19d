"""Filter backends shared by the collections."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError


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
