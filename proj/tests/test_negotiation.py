"""Content negotiation: an unknown ?format= answers 400 naming the parameter."""

from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from proj.api.negotiation import ContentNegotiation
from proj.tests.errors import assert_invalid


class ContentNegotiationTest:
    def test_select_renderer_known_format(self):
        request = Request(APIRequestFactory().get("/api/ping/", {"format": "json"}))
        renderer = JSONRenderer()

        selected, media_type = ContentNegotiation().select_renderer(request, [renderer])

        assert (selected, media_type) == (renderer, "application/json")

    def test_unknown_format(self, api_client):
        response = api_client.get("/api/ping/", {"format": "xml"})

        assert_invalid(response, {"format": ["Unknown format; use json."]})

    def test_unknown_format_before_authentication(self, api_client):
        response = api_client.get("/api/sites/", {"format": "csv"})

        assert_invalid(response, {"format": ["Unknown format; use json."]})
