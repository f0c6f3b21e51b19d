"""Who may do what to a site, by role."""

from types import SimpleNamespace

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from sites.models import Role
from sites.permissions import SiteRolePermission

ALLOWED = {
    "GET": {Role.OWNER, Role.ADMIN, Role.VIEWER},
    "HEAD": {Role.OWNER, Role.ADMIN, Role.VIEWER},
    "OPTIONS": {Role.OWNER, Role.ADMIN, Role.VIEWER},
    "POST": {Role.OWNER, Role.ADMIN},
    "PUT": {Role.OWNER, Role.ADMIN},
    "PATCH": {Role.OWNER, Role.ADMIN},
    "DELETE": {Role.OWNER},
}


class SiteRolePermissionTest:
    @pytest.mark.parametrize(
        ("method", "role", "expected"),
        [
            pytest.param(method, role, role in allowed, id=f"{method}-{role.value}")
            for method, allowed in ALLOWED.items()
            for role in Role
        ],
    )
    def test_has_object_permission(self, method, role, expected):
        request = Request(APIRequestFactory().generic(method, "/api/sites/1/"))
        site = SimpleNamespace(user_role=role)

        allowed = SiteRolePermission().has_object_permission(request, None, site)

        assert allowed is expected
