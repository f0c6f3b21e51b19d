"""Test configuration shared by every app's tests."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hash passwords with a fast algorithm; tests do not need a slow one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _events_stored_before_answering(settings):
    """Store each event before the collect endpoint answers, so tests see it at once.

    visits/tests/test_writer.py turns the buffer on to test the writer thread.
    """
    settings.INGEST_BUFFER = False


@pytest.fixture
def api_client() -> APIClient:
    """Return a DRF test client that renders server errors instead of raising them."""
    return APIClient(raise_request_exception=False)
