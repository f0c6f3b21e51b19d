"""Sites, their members, and who may see and change them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from model_bakery import baker

from sites.models import Membership, Role, Site, validate_timezone
from sites.tests.members import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return baker.make("accounts.User", email="owner@example.com")


@pytest.fixture
def site(owner):
    return baker.make(Site, owner=owner, domain="example.com")


class SiteQuerySetTest:
    def test_visible_to_owner(self, owner, site):
        sites = Site.objects.visible_to(owner)

        assert list(sites) == [site]
        assert sites.get().user_role == Role.OWNER

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
    def test_visible_to_member(self, site, role):
        member = member_of(site, role, "member@example.com")

        sites = Site.objects.visible_to(member)

        assert list(sites) == [site]
        assert sites.get().user_role == role

    def test_visible_to_stranger_hidden(self, site):
        stranger = baker.make("accounts.User")

        sites = Site.objects.visible_to(stranger)

        assert site not in sites

    def test_visible_to_anonymous_none(self, site):
        sites = Site.objects.visible_to(AnonymousUser())

        assert list(sites) == []

    def test_visible_to_other_owners_sites_hidden(self, owner, site):
        baker.make(Site, owner=baker.make("accounts.User"), domain="other.example")

        sites = Site.objects.visible_to(owner)

        assert list(sites) == [site]

    def test_visible_to_several_members_no_duplicates(self, owner, site):
        viewer = member_of(site, Role.VIEWER, "viewer@example.com")
        member_of(site, Role.ADMIN, "admin@example.com")
        member_of(site, Role.VIEWER, "another@example.com")

        seen_by_owner = list(Site.objects.visible_to(owner))
        seen_by_viewer = list(Site.objects.visible_to(viewer))

        assert seen_by_owner == [site]
        assert seen_by_viewer == [site]

    def test_visible_to_owned_and_shared_sites(self, owner, site):
        shared = baker.make(Site, owner=baker.make("accounts.User"), domain="shared.example")
        baker.make(Membership, site=shared, user=owner, role=Role.VIEWER)

        roles = dict(Site.objects.visible_to(owner).values_list("domain", "user_role"))

        assert roles == {"example.com": Role.OWNER, "shared.example": Role.VIEWER}

    def test_editable_by_owner(self, owner, site):
        sites = Site.objects.editable_by(owner)

        assert list(sites) == [site]

    def test_editable_by_admin(self, site):
        admin = member_of(site, Role.ADMIN, "admin@example.com")

        sites = Site.objects.editable_by(admin)

        assert list(sites) == [site]

    def test_editable_by_viewer_excluded(self, site):
        viewer = member_of(site, Role.VIEWER, "viewer@example.com")

        sites = Site.objects.editable_by(viewer)

        assert list(sites) == []

    def test_editable_by_stranger_excluded(self, site):
        stranger = baker.make("accounts.User")

        sites = Site.objects.editable_by(stranger)

        assert site not in sites

    def test_editable_by_anonymous_none(self, site):
        sites = Site.objects.editable_by(AnonymousUser())

        assert list(sites) == []

    def test_stats_readable_by_stranger_public_only(self, owner, site):
        public = baker.make(Site, owner=owner, domain="public.example", public=True)
        stranger = baker.make("accounts.User")

        assert list(Site.objects.stats_readable_by(stranger)) == [public]

    def test_stats_readable_by_owner_and_member(self, owner, site):
        public = baker.make(Site, domain="public.example", public=True)
        shared = baker.make(Site, domain="shared.example")
        baker.make(Membership, site=shared, user=owner, role=Role.VIEWER)
        baker.make(Site, domain="private.example")

        readable = Site.objects.stats_readable_by(owner)

        assert set(readable) == {site, public, shared}

    def test_stats_readable_by_anonymous_public_only(self, site):
        public = baker.make(Site, domain="public.example", public=True)

        assert list(Site.objects.stats_readable_by(AnonymousUser())) == [public]


class SiteCleanTest:
    def test_full_clean_normalises_domain(self, owner):
        site = Site(owner=owner, domain=" https://WWW.Example.COM:443/blog ")

        site.full_clean()

        assert site.domain == "example.com"

    def test_full_clean_normalises_and_dedupes_excluded_ips(self, owner):
        site = Site(
            owner=owner,
            domain="example.com",
            excluded_ips=["10.1.2.3/8", "203.0.113.7", "10.0.0.0/8", " 203.0.113.7/32 "],
        )

        site.full_clean()

        assert site.excluded_ips == ["10.0.0.0/8", "203.0.113.7/32"]

    def test_full_clean_empty_excluded_ips(self, owner):
        site = Site(owner=owner, domain="example.com", excluded_ips=[])

        site.full_clean()

        assert site.excluded_ips == []

    def test_full_clean_errors_collected_for_both_fields(self, owner):
        site = Site(
            owner=owner, domain="localhost", excluded_ips=["nope", "10.0.0.1", "10.0.0.0/33"]
        )

        with pytest.raises(ValidationError) as excinfo:
            site.full_clean()

        assert excinfo.value.message_dict == {
            "domain": ["Enter a valid domain name such as example.com."],
            "excluded_ips": [
                "'nope' is not an IP address or CIDR range such as 203.0.113.0/24.",
                "'10.0.0.0/33' is not an IP address or CIDR range such as 203.0.113.0/24.",
            ],
        }

    def test_full_clean_invalid_excluded_ips_only(self, owner):
        site = Site(owner=owner, domain="example.com", excluded_ips=["nope"])

        with pytest.raises(ValidationError) as excinfo:
            site.full_clean()

        assert excinfo.value.message_dict == {
            "excluded_ips": ["'nope' is not an IP address or CIDR range such as 203.0.113.0/24."]
        }

    def test_full_clean_duplicate_after_normalisation(self, owner, site):
        duplicate = Site(owner=owner, domain="http://WWW.Example.com/")

        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()

        assert excinfo.value.message_dict == {"domain": ["Site with this Domain already exists."]}

    def test_full_clean_invalid_timezone(self, owner):
        site = Site(owner=owner, domain="example.com", timezone="Mars/Olympus")

        with pytest.raises(ValidationError) as excinfo:
            site.full_clean()

        assert excinfo.value.message_dict == {
            "timezone": ["'Mars/Olympus' is not an IANA time zone name such as Europe/Paris."]
        }

    def test_full_clean_defaults(self, owner):
        site = Site(owner=owner, domain="example.com")

        site.full_clean()

        assert site.timezone == "UTC"
        assert site.public is False
        assert site.excluded_ips == []


class ValidateTimezoneTest:
    @pytest.mark.parametrize("value", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"])
    def test_validate_timezone_valid(self, value):
        result = validate_timezone(value)

        assert result is None

    @pytest.mark.parametrize("value", ["", "Mars/Olympus", "europe/paris", "+02:00", "CEST"])
    def test_validate_timezone_invalid(self, value):
        with pytest.raises(ValidationError) as excinfo:
            validate_timezone(value)

        assert excinfo.value.messages == [
            f"{value!r} is not an IANA time zone name such as Europe/Paris."
        ]


class SiteTest:
    def test_str_domain(self):
        site = Site(domain="example.com")

        text = str(site)

        assert text == "example.com"

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
    def test_add_member_new(self, site, role):
        user = baker.make("accounts.User")

        membership = site.add_member(user=user, role=role)

        assert membership == Membership.objects.get(site=site, user=user)
        assert membership.role == role

    def test_add_member_existing_role_changed(self, site):
        member = member_of(site, Role.VIEWER, "member@example.com")

        membership = site.add_member(user=member, role=Role.ADMIN)

        assert list(Membership.objects.filter(site=site, user=member)) == [membership]
        assert membership.role == Role.ADMIN
        assert Membership.objects.get(site=site, user=member).role == Role.ADMIN

    def test_add_member_owner_refused(self, owner, site):
        with pytest.raises(ValidationError) as excinfo:
            site.add_member(user=owner, role=Role.ADMIN)

        assert excinfo.value.messages == ["The owner already has every right on the site."]
        assert not Membership.objects.filter(site=site, user=owner).exists()

    @pytest.mark.parametrize("role", [Role.OWNER, "editor"])
    def test_add_member_invalid_role_refused(self, site, role):
        user = baker.make("accounts.User")

        with pytest.raises(ValidationError) as excinfo:
            site.add_member(user=user, role=role)

        assert excinfo.value.messages == ["A member is an admin or a viewer."]
        assert not Membership.objects.filter(site=site, user=user).exists()

    @pytest.mark.parametrize(
        ("ip", "expected"),
        [
            pytest.param("203.0.113.7", True, id="in-range"),
            pytest.param("2001:db8::1", True, id="in-ipv6-range"),
            pytest.param("198.51.100.1", False, id="outside"),
            pytest.param("garbage", False, id="malformed"),
        ],
    )
    def test_excludes_ip(self, ip, expected):
        site = Site(excluded_ips=["203.0.113.0/24", "2001:db8::/32"])

        result = site.excludes_ip(ip)

        assert result is expected

    def test_excludes_ip_no_exclusions(self):
        site = Site()

        result = site.excludes_ip("203.0.113.7")

        assert result is False


class RoleTest:
    def test_editors_owner_and_admin(self):
        editors = Role.editors()

        assert editors == (Role.OWNER, Role.ADMIN)


class MembershipTest:
    def test_str_user_role_site(self, site):
        member = baker.make("accounts.User", email="ann@example.com")
        membership = baker.make(Membership, site=site, user=member, role=Role.VIEWER)

        text = str(membership)

        assert text == "ann@example.com (viewer) on example.com"
