"""Sites, the websites owners track, and the members they share them with."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils.timezone import now

from sites.domains import normalize_domain
from sites.networks import ip_in_networks, normalize_network

MAX_NETWORK_LENGTH = 43  # an excluded IPv6 address with its prefix: 39 characters and /128


@cache
def timezone_names() -> frozenset[str]:
    """Return the IANA time zone names, read from disk once per process (a 17 ms scan)."""
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """Accept IANA time zone names only."""
    if value not in timezone_names():
        raise ValidationError(f"{value!r} is not an IANA time zone name such as Europe/Paris.")


class Role(models.TextChoices):
    """What a user may do with a site."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"

    @classmethod
    def editors(cls) -> tuple["Role", ...]:
        """Return the roles that may change a site's settings and members."""
        return (cls.OWNER, cls.ADMIN)

    @classmethod
    def members(cls) -> tuple["Role", ...]:
        """Return the roles a site can be shared with."""
        return (cls.ADMIN, cls.VIEWER)


class SiteQuerySet(models.QuerySet):
    """Queries over sites."""

    @staticmethod
    def _visible(user) -> Q:
        """The sites a signed-in user owns or is a member of, as a condition indexes serve."""
        return Q(owner=user) | Q(pk__in=Membership.objects.filter(user=user).values("site"))

    def visible_to(self, user) -> "SiteQuerySet":
        """Return the sites a user owns or is a member of, each annotated with ``user_role``."""
        if not user.is_authenticated:
            return self.none()
        member_role = Membership.objects.filter(site=OuterRef("pk"), user=user).values("role")
        return self.filter(self._visible(user)).annotate(
            user_role=Case(
                When(owner=user, then=Value(Role.OWNER)),
                default=Subquery(member_role[:1]),
                output_field=models.CharField(),
            )
        )

    def stats_readable_by(self, user) -> "SiteQuerySet":
        """Return the sites whose stats a user may read: the public ones and those visible."""
        if not user.is_authenticated:
            return self.filter(public=True)
        return self.filter(Q(public=True) | self._visible(user))

    def editable_by(self, user) -> "SiteQuerySet":
        """Return the sites whose settings a user may change: as owner or admin."""
        if not user.is_authenticated:
            return self.none()
        return self.visible_to(user).filter(user_role__in=Role.editors())


class Site(models.Model):
    """A website whose visits are recorded, identified across the service by its domain."""

    domain = models.CharField(max_length=253, unique=True)
    name = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_sites"
    )
    public = models.BooleanField(default=False)
    excluded_ips = ArrayField(
        models.CharField(max_length=MAX_NETWORK_LENGTH), default=list, blank=True
    )
    created_at = models.DateTimeField(default=now)

    objects = SiteQuerySet.as_manager()

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        """Normalise the domain and the excluded addresses, collecting every error."""
        errors = {}
        try:
            self.domain = normalize_domain(self.domain)
        except ValidationError as error:
            errors["domain"] = error.messages
        normalized, bad = [], []
        for value in self.excluded_ips:
            try:
                normalized.append(normalize_network(value))
            except ValidationError as error:
                bad.extend(error.messages)
        if bad:
            errors["excluded_ips"] = bad
        self.excluded_ips = list(dict.fromkeys(normalized))
        if errors:
            raise ValidationError(errors)

    def add_member(self, *, user, role: Role) -> "Membership":
        """Share the site with a user, or change the role of an existing member."""
        if user.pk == self.owner_id:
            raise ValidationError("The owner already has every right on the site.")
        if role not in Role.members():
            raise ValidationError("A member is an admin or a viewer.")
        membership, _ = Membership.objects.update_or_create(
            site=self, user=user, defaults={"role": role}
        )
        return membership

    def excludes_ip(self, ip: str) -> bool:
        """Tell whether visits from this address are dropped."""
        return ip_in_networks(ip, tuple(self.excluded_ips))


class Membership(models.Model):
    """A user a site is shared with, as admin or viewer."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=[(role, role.label) for role in Role.members()])
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "user"], name="sites_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.site}"
