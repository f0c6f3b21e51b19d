"""The filter backends and filters shared by the collections."""

from types import SimpleNamespace

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from model_bakery import baker
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from proj.api.filters import IsoDateTimeFilter, KnownQueryParameters, OrderingFilter
from proj.api.pagination import CursorPagination, PageNumberPagination
from sites.models import Site

ORDERING_MESSAGE = (
    "Order by one or more of domain, name, id, with a leading '-' for descending order."
)


def get_request(**params) -> Request:
    return Request(APIRequestFactory().get("/api/sites/", params))


def view(ordering=("domain",)) -> SimpleNamespace:
    return SimpleNamespace(ordering_fields=["domain", "name", "id"], ordering=ordering)


class OrderingFilterTest:
    @pytest.mark.parametrize(
        ("default", "expected"),
        [
            pytest.param(["domain"], ["domain", "id"], id="list"),
            pytest.param("-name", ["-name", "id"], id="string"),
            pytest.param(["name", "-domain"], ["name", "-domain", "id"], id="several"),
            pytest.param(["-created_at", "-id"], ["-created_at", "-id"], id="ends-on-id"),
            pytest.param(["id"], ["id"], id="only-id"),
        ],
    )
    def test_get_ordering_default_with_tie_breaker(self, default, expected):
        request = get_request()

        ordering = OrderingFilter().get_ordering(request, Site.objects.all(), view(default))

        assert ordering == expected

    def test_get_ordering_default_not_mutated(self):
        default = ["domain"]

        OrderingFilter().get_ordering(get_request(), Site.objects.all(), view(default))

        assert default == ["domain"]

    @pytest.mark.parametrize(
        ("param", "expected"),
        [
            pytest.param("name", ["name", "id"], id="one-field"),
            pytest.param("-name", ["-name", "id"], id="descending"),
            pytest.param("-name,domain", ["-name", "domain", "id"], id="several"),
            pytest.param(" name , ,domain ", ["name", "domain", "id"], id="blanks-ignored"),
            pytest.param("-id", ["-id"], id="descending-id"),
            pytest.param("id", ["id"], id="id"),
            pytest.param("name,-id", ["name", "-id"], id="ends-on-id"),
        ],
    )
    def test_get_ordering_requested(self, param, expected):
        request = get_request(ordering=param)

        ordering = OrderingFilter().get_ordering(request, Site.objects.all(), view())

        assert ordering == expected

    @pytest.mark.parametrize(
        "param",
        [
            pytest.param("owner", id="unknown"),
            pytest.param("name,owner", id="one-of-several-unknown"),
            pytest.param("-password", id="descending-unknown"),
            pytest.param("+name", id="plus-prefix"),
            pytest.param("?", id="random"),
            pytest.param("", id="empty"),
            pytest.param(" , ", id="only-separators"),
            pytest.param("--name", id="double-hyphen"),
            pytest.param("---domain", id="triple-hyphen"),
        ],
    )
    def test_get_ordering_invalid(self, param):
        request = get_request(ordering=param)

        with pytest.raises(ValidationError) as excinfo:
            OrderingFilter().get_ordering(request, Site.objects.all(), view())

        assert excinfo.value.detail == {"ordering": [ORDERING_MESSAGE]}

    @pytest.mark.django_db
    def test_filter_queryset_orders_ties_by_id(self):
        owner = baker.make("accounts.User")
        sites = [
            baker.make(Site, owner=owner, domain=domain, name="Shop")
            for domain in ["c.example", "b.example", "a.example"]
        ]
        request = get_request(ordering="-name")

        ordered = OrderingFilter().filter_queryset(
            request, Site.objects.filter(owner=owner), view()
        )

        assert ordered.query.order_by == ("-name", "id")
        assert list(ordered) == sorted(sites, key=lambda site: site.pk)


class SiteFilterSet(django_filters.FilterSet):
    since = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Site
        fields = ["domain"]


def list_view(**attributes) -> SimpleNamespace:
    return SimpleNamespace(
        **{
            "filter_backends": [KnownQueryParameters, OrderingFilter],
            "paginator": PageNumberPagination(),
            "ordering_fields": ["domain"],
            **attributes,
        }
    )


class KnownQueryParametersTest:
    def test_known_parameters_of_paginated_ordered_view(self):
        known = KnownQueryParameters.known_parameters(list_view())

        assert known == {"format", "ordering", "page", "page_size"}

    def test_known_parameters_with_filterset_and_cursor(self):
        view = list_view(filterset_class=SiteFilterSet, paginator=CursorPagination())

        known = KnownQueryParameters.known_parameters(view)

        assert known == {"format", "ordering", "cursor", "page_size", "domain", "since"}

    def test_known_parameters_unpaginated(self):
        view = list_view(filter_backends=[KnownQueryParameters], paginator=None)

        known = KnownQueryParameters.known_parameters(view)

        assert known == {"format"}

    def test_filter_queryset_known_parameters(self):
        queryset = Site.objects.all()
        request = get_request(ordering="domain", page="2", page_size="5", format="json")

        filtered = KnownQueryParameters().filter_queryset(request, queryset, list_view())

        assert filtered is queryset

    def test_filter_queryset_unknown_parameters_named(self):
        request = get_request(colour="blue", ordering="domain", pgae="2")

        with pytest.raises(ValidationError) as excinfo:
            KnownQueryParameters().filter_queryset(request, Site.objects.all(), list_view())

        message = "Unknown query parameter; use format, ordering, page, page_size."
        assert excinfo.value.detail == {"colour": [message], "pgae": [message]}


@pytest.mark.django_db
class IsoDateTimeFilterTest:
    @pytest.mark.parametrize(
        ("since", "found"),
        [
            pytest.param("2026-11-01T15:59:00+15:59", True, id="largest-offset"),
            pytest.param("2026-11-01T00:00:00-15:59", False, id="smallest-offset"),
            pytest.param("2026-11-01T00:00:00Z", True, id="utc"),
        ],
    )
    def test_filter_storable_offset(self, since, found):
        site = baker.make(Site, domain="example.com")
        Site.objects.filter(pk=site.pk).update(created_at="2026-11-01T00:30:00Z")

        filterset = SiteFilterSet({"since": since}, queryset=Site.objects.all())

        assert (list(filterset.qs) == [site]) is found

    @pytest.mark.parametrize("since", ["2020-01-01T00:00:00+16:00", "2020-01-01T00:00:00-20:00"])
    def test_filter_offset_postgresql_refuses(self, since):
        filterset = SiteFilterSet({"since": since}, queryset=Site.objects.all())

        valid = filterset.is_valid()

        assert valid is False
        assert filterset.errors == {"since": ["UTC offsets lie between -15:59 and +15:59."]}

    def test_filter_invalid_datetime(self):
        filterset = SiteFilterSet({"since": "yesterday"}, queryset=Site.objects.all())

        valid = filterset.is_valid()

        assert valid is False
        assert filterset.errors == {"since": ["Enter a valid date/time."]}


def url_patterns(patterns: list) -> list[URLPattern]:
    """Return every URL pattern, those of included URLconfs too."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(url_patterns(pattern.url_patterns))
        else:
            found.append(pattern)
    return found


def views_with_querysets() -> dict[str, type]:
    """Return the DRF views of every URL that filter a queryset, by name."""
    views = {}
    for pattern in url_patterns(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        if view is not None and (
            issubclass(view, GenericAPIView) or getattr(view, "queryset", None) is not None
        ):
            views[view.__name__] = view
    return views


class KnownQueryParametersEverywhereTest:
    def test_every_view_with_a_queryset_checks_query_parameters_first(self):
        views = views_with_querysets()

        unchecked = sorted(
            name
            for name, view in views.items()
            if list(view.filter_backends[:1]) != [KnownQueryParameters]
        )

        assert {"SiteViewSet", "VisitViewSet", "MemberViewSet", "ApiKeyViewSet"} <= set(views)
        assert unchecked == []
