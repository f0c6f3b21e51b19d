"""The ordering filter shared by the collections."""

from types import SimpleNamespace

import pytest
from model_bakery import baker
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from proj.api.filters import OrderingFilter
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
