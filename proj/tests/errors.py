"""Assertions on the API's error shape, for every app's view tests."""

from http import HTTPStatus


def assert_error(response, status: HTTPStatus, code: str) -> dict:
    """Check the error shape (JSON, code, message, request id) and return the body."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def assert_invalid(response, details: dict) -> None:
    """Check a 400 validation error with exactly these details."""
    body = assert_error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert body["details"] == details
