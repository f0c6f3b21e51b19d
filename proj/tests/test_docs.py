"""The interactive API documentation page and its inline code."""

import re
from http import HTTPStatus

from proj.tests.test_csp import nonce_of

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist"


class DocsViewTest:
    def test_get_docs_renders_swagger_ui(self, api_client):
        response = api_client.get("/api/docs/")

        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert b'<div id="swagger-ui"></div>' in response.content
        assert b"/api/schema/" in response.content

    def test_inline_script_and_style_carry_the_nonce(self, api_client):
        response = api_client.get("/api/docs/")

        tags = re.findall(r"<(?:script|style)\b[^>]*>", response.content.decode())
        nonce = nonce_of(response)
        assert sorted(tags) == sorted(
            [
                f'<script src="{SIDECAR}/swagger-ui-bundle.js">',
                f'<script src="{SIDECAR}/swagger-ui-standalone-preset.js">',
                f'<script nonce="{nonce}">',
                f'<style nonce="{nonce}">',
            ]
        )

    def test_docs_isolated_from_cross_origin_openers(self, api_client):
        response = api_client.get("/api/docs/")

        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
