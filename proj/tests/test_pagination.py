"""The page-number pagination shared by the collections."""

import pytest
from model_bakery import baker
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from proj.api.pagination import PageNumberPagination
from sites.models import Site


def get_request(**params) -> Request:
    return Request(APIRequestFactory().get("/api/sites/", params))


@pytest.fixture
def sites() -> list[Site]:
    owner = baker.make("accounts.User")
    return [
        baker.make(Site, owner=owner, domain=domain)
        for domain in ["a.example", "b.example", "c.example"]
    ]


def site_queryset(sites: list[Site]):
    return Site.objects.filter(pk__in=[site.pk for site in sites]).order_by("domain", "id")


@pytest.mark.django_db
class PageNumberPaginationTest:
    def test_get_paginated_response_keys(self, sites):
        pagination = PageNumberPagination()
        page = pagination.paginate_queryset(site_queryset(sites), get_request(page_size=2))

        response = pagination.get_paginated_response([site.domain for site in page])

        assert response.data == {
            "count": 3,
            "next": "http://testserver/api/sites/?page=2&page_size=2",
            "previous": None,
            "page_size": 2,
            "results": ["a.example", "b.example"],
        }

    def test_get_paginated_response_last_page(self, sites):
        pagination = PageNumberPagination()
        page = pagination.paginate_queryset(site_queryset(sites), get_request(page_size=2, page=2))

        response = pagination.get_paginated_response([site.domain for site in page])

        assert response.data == {
            "count": 3,
            "next": None,
            "previous": "http://testserver/api/sites/?page_size=2",
            "page_size": 2,
            "results": ["c.example"],
        }

    def test_paginate_queryset_default_page_size(self, sites):
        pagination = PageNumberPagination()

        page = pagination.paginate_queryset(site_queryset(sites), get_request())

        assert page == sites
        assert pagination.get_paginated_response([]).data["page_size"] == 50

    @pytest.mark.parametrize(
        ("page_size", "expected"),
        [
            pytest.param("1", 1, id="one"),
            pytest.param("100", 100, id="at-cap"),
            pytest.param("007", 7, id="leading-zeros"),
        ],
    )
    def test_get_page_size(self, page_size, expected):
        pagination = PageNumberPagination()

        size = pagination.get_page_size(get_request(page_size=page_size))

        assert size == expected

    @pytest.mark.parametrize(
        "page_size",
        [
            pytest.param("101", id="over-cap"),
            pytest.param("100000", id="far-over-cap"),
            pytest.param("0", id="zero"),
            pytest.param("-5", id="negative"),
            pytest.param("many", id="not-a-number"),
            pytest.param("", id="empty"),
            pytest.param("2.5", id="fraction"),
            pytest.param("\u0663", id="non-ascii-digit"),
            pytest.param("9" * 5000, id="thousands-of-digits"),
        ],
    )
    def test_get_page_size_invalid(self, page_size):
        pagination = PageNumberPagination()

        with pytest.raises(ValidationError) as excinfo:
            pagination.get_page_size(get_request(page_size=page_size))

        assert excinfo.value.detail == {"page_size": ["A whole number from 1 to 100."]}

    @pytest.mark.parametrize("page", ["2", "0", "last-but-one"])
    def test_paginate_queryset_invalid_page(self, sites, page):
        pagination = PageNumberPagination()

        with pytest.raises(NotFound) as excinfo:
            pagination.paginate_queryset(site_queryset(sites), get_request(page=page))

        assert excinfo.value.detail == "Invalid page."

    def test_get_paginated_response_schema_has_page_size(self):
        results = {"type": "array", "items": {"type": "object"}}

        schema = PageNumberPagination().get_paginated_response_schema(results)

        assert schema["properties"]["page_size"] == {"type": "integer", "example": 50}
        assert schema["required"] == ["count", "results", "page_size"]
        assert set(schema["properties"]) == {"count", "next", "previous", "page_size", "results"}
        assert schema["properties"]["results"] == results

    def test_default_pagination_class(self):
        pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

        assert pagination_class is PageNumberPagination
