"""The permission of the endpoints that manage credentials."""

import pytest
from model_bakery import baker
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.models import ApiKey, User
from accounts.permissions import SignedIn

pytestmark = pytest.mark.django_db


def request_as(user, auth=None):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=user, token=auth)
    return APIView().initialize_request(request)


class SignedInTest:
    def test_has_permission_session(self):
        assert SignedIn().has_permission(request_as(baker.make(User)), APIView())

    def test_has_permission_api_key(self):
        key = baker.make(ApiKey)

        assert not SignedIn().has_permission(request_as(key.user, key), APIView())

    def test_has_permission_anonymous(self):
        assert not SignedIn().has_permission(request_as(None), APIView())
