"""Who may do what to a site, by role."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from sites.models import Role


class SiteRolePermission(BasePermission):
    """Members read; owners and admins change settings; only the owner deletes.

    Sites the caller cannot see never get here: they are outside the queryset (404).
    """

    message = "Your role on this site does not allow this."

    def has_object_permission(self, request, view, site) -> bool:
        """Check the caller's role on the site against the method."""
        if request.method in SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return site.user_role == Role.OWNER
        return site.user_role in Role.editors()
