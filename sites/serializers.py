"""Serializers for sites and their members."""

from django.utils.html import format_html
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from proj.api.patterns import NETWORK_PATTERN
from proj.api.serializers import ModelCleanSerializer, StrictModelSerializer, StrictSerializer
from sites.models import MAX_NETWORK_LENGTH, Membership, Role, Site

TRACKER_PATH = "/js/script.js"


@extend_schema_field(
    {
        "type": "string",
        "maxLength": MAX_NETWORK_LENGTH,
        "pattern": NETWORK_PATTERN,
        "example": "203.0.113.0/24",
    }
)
class NetworkField(serializers.CharField):
    """An IP address or CIDR range; sites.networks.normalize_network() checks it on save."""


class SiteSerializer(ModelCleanSerializer):
    """A site as its owner and members see it."""

    owner = serializers.EmailField(source="owner.email", read_only=True)
    role = serializers.ChoiceField(
        source="user_role",
        choices=Role.choices,
        read_only=True,
        help_text="The caller's role, annotated by Site.objects.visible_to().",
    )
    excluded_ips = serializers.ListField(
        child=NetworkField(max_length=MAX_NETWORK_LENGTH),
        max_length=100,
        required=False,
        help_text="Addresses or CIDR ranges whose visits are dropped.",
    )
    tracking_snippet = serializers.SerializerMethodField(
        help_text="The <script> tag to put on every page of the site."
    )

    class Meta:
        model = Site
        fields = [
            "id",
            "domain",
            "name",
            "timezone",
            "public",
            "excluded_ips",
            "created_at",
            "owner",
            "role",
            "tracking_snippet",
        ]
        read_only_fields = ["id", "created_at"]
        # Uniqueness is checked by full_clean() on the normalised domain, not the raw input.
        extra_kwargs = {"domain": {"validators": []}}

    def get_tracking_snippet(self, site: Site) -> str:
        """Return the script tag that loads the tracker for this site."""
        src = self.context["request"].build_absolute_uri(TRACKER_PATH)
        return format_html('<script defer data-domain="{}" src="{}"></script>', site.domain, src)


class MemberSerializer(StrictModelSerializer):
    """A user a site is shared with."""

    user_id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "email", "name", "role", "created_at"]
        read_only_fields = ["created_at"]


class NewMemberSerializer(StrictSerializer):
    """Share a site with a registered user, by email."""

    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.members())
