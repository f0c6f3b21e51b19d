"""The sites collection and each site's members."""

from http import HTTPStatus

import structlog
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from proj.api.filters import KnownQueryParameters, OrderingFilter
from proj.api.serializers import as_serializer_errors
from sites.models import Membership, Role, Site
from sites.permissions import SiteRolePermission
from sites.serializers import MemberSerializer, NewMemberSerializer, SiteSerializer

logger = structlog.get_logger(__name__)


@extend_schema_view(
    destroy=extend_schema(
        description="Delete the site and every visit recorded for it. Only the owner may."
    )
)
class SiteViewSet(viewsets.ModelViewSet):
    """Sites the caller owns or is a member of."""

    serializer_class = SiteSerializer
    permission_classes = [*viewsets.ModelViewSet.permission_classes, SiteRolePermission]
    filter_backends = [KnownQueryParameters, OrderingFilter]
    ordering_fields = ["domain", "name", "created_at"]
    ordering = ["domain"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        """Return the sites the caller can see, with the caller's role on each."""
        return Site.objects.visible_to(self.request.user).select_related("owner")

    def perform_create(self, serializer: SiteSerializer) -> None:
        """Create the site, owned by the caller."""
        site = serializer.save(owner=self.request.user)
        site.user_role = Role.OWNER  # as Site.objects.visible_to() annotates it
        logger.info("site_created", site_id=site.pk, user_id=self.request.user.pk)

    def perform_update(self, serializer: SiteSerializer) -> None:
        """Save the changed settings."""
        site = serializer.save()
        logger.info("site_updated", site_id=site.pk, user_id=self.request.user.pk)

    def perform_destroy(self, site: Site) -> None:
        """Delete the site and its visits."""
        logger.info("site_deleted", site_id=site.pk, user_id=self.request.user.pk)
        site.delete()


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The users a site is shared with. Members list them; owners and admins change them."""

    serializer_class = MemberSerializer
    lookup_field = "user_id"
    throttle_scope = "members"  # adding members by email must not become an address oracle
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_throttles(self):
        """Rate limit adding members, per user."""
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_site(self) -> Site:
        """Return the site of the URL, or 404 when the caller cannot see it."""
        if not hasattr(self, "_site"):
            sites = Site.objects.visible_to(self.request.user)
            self._site = get_object_or_404(sites, pk=self.kwargs["site_pk"])
        return self._site

    def get_queryset(self):
        """Return the site's members, in the order they were added."""
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return Membership.objects.none()
        return (
            Membership.objects.filter(site=self.get_site())
            .select_related("user")
            .order_by("created_at", "id")
        )

    def check_permissions(self, request: Request) -> None:
        """Let members read; let owners and admins write, and any member leave."""
        super().check_permissions(request)
        site = self.get_site()
        if request.method in SAFE_METHODS or site.user_role in Role.editors():
            return
        if request.method == "DELETE" and self.kwargs.get("user_id") == request.user.pk:
            return
        raise PermissionDenied("Only the owner and admins change a site's members.")

    @extend_schema(request=NewMemberSerializer, responses={201: MemberSerializer})
    def create(self, request: Request, site_pk: str) -> Response:
        """Share the site with a registered user, or change the role of a member."""
        serializer = NewMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = User.objects.with_email(serializer.validated_data["email"]).first()
        if user is None:
            raise ValidationError({"email": ["No registered user has this email."]})
        try:
            membership = self.get_site().add_member(
                user=user, role=serializer.validated_data["role"]
            )
        except DjangoValidationError as error:
            raise ValidationError(as_serializer_errors(error)) from error
        logger.info("site_member_added", site_id=self.get_site().pk, member_id=user.pk)
        return Response(MemberSerializer(membership).data, status=HTTPStatus.CREATED)

    def perform_destroy(self, membership: Membership) -> None:
        """Stop sharing the site with the member."""
        logger.info("site_member_removed", site_id=membership.site_id, member_id=membership.user_id)
        membership.delete()
