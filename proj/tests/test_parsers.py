"""The default JSON parser."""

from http import HTTPStatus

import pytest


class JSONParserTest:
    @pytest.mark.django_db
    def test_parse_nested_too_deeply(self, api_client):
        response = api_client.post(
            "/api/accounts/login/", "[" * 100_000, content_type="application/json"
        )

        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["code"] == "parse_error"
