"""The filters of the visits collection, applied to a queryset directly."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from model_bakery import baker
from rest_framework.exceptions import NotFound

from sites.models import Site
from visits.filters import EXACT_FIELDS, VisitFilter
from visits.models import Visit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
UTC_OFFSET = "UTC offsets lie between -15:59 and +15:59."


def filtered(params: dict, user=None) -> list[Visit]:
    request = SimpleNamespace(user=user or AnonymousUser())
    return list(VisitFilter(params, queryset=Visit.objects.order_by("id"), request=request).qs)


@pytest.fixture
def site():
    return baker.make(Site, domain="example.com")


class VisitFilterTest:
    def test_no_parameters(self, site):
        visits = [baker.make(Visit, site=site), baker.make(Visit, site=site)]

        result = filtered({})

        assert result == visits

    def test_site(self, site):
        other_site = baker.make(Site, owner=site.owner, domain="example.org")
        visit = baker.make(Visit, site=site)
        baker.make(Visit, site=other_site)

        result = filtered({"site": str(site.pk)}, user=site.owner)

        assert result == [visit]

    def test_site_not_visible(self, site):
        stranger = baker.make("accounts.User", email="stranger@example.com")
        baker.make(Visit, site=site)

        with pytest.raises(NotFound) as excinfo:
            filtered({"site": str(site.pk)}, user=stranger)

        assert excinfo.value.detail == "No site with this id, or you may not see it."

    def test_since_and_until_half_open(self, site):
        baker.make(Visit, site=site, timestamp=NOW - timedelta(microseconds=1))
        first = baker.make(Visit, site=site, timestamp=NOW)
        last = baker.make(Visit, site=site, timestamp=NOW + timedelta(hours=1, microseconds=-1))
        baker.make(Visit, site=site, timestamp=NOW + timedelta(hours=1))

        result = filtered({"since": "2026-03-04T12:00:00Z", "until": "2026-03-04T13:00:00Z"})

        assert result == [first, last]

    def test_since_date_only_is_midnight_utc(self, site):
        baker.make(Visit, site=site, timestamp=datetime(2026, 3, 3, 23, 59, tzinfo=UTC))
        visit = baker.make(Visit, site=site, timestamp=datetime(2026, 3, 4, 0, 0, tzinfo=UTC))

        result = filtered({"since": "2026-03-04"})

        assert result == [visit]

    def test_path_prefix_case_sensitive(self, site):
        visit = baker.make(Visit, site=site, path="/Blog/post")
        baker.make(Visit, site=site, path="/blog/post")

        result = filtered({"path_prefix": "/Blog"})

        assert result == [visit]

    def test_path_exact_case_sensitive(self, site):
        visit = baker.make(Visit, site=site, path="/Blog")
        baker.make(Visit, site=site, path="/blog")

        result = filtered({"path": "/Blog"})

        assert result == [visit]

    def test_exact_fields(self):
        fields = VisitFilter.base_filters

        assert set(fields) == {"site", "since", "until", "path", "path_prefix", *EXACT_FIELDS}

    @pytest.mark.parametrize("field", EXACT_FIELDS)
    def test_exact_field_blank_ignored(self, site, field):
        visit = baker.make(Visit, site=site)

        result = filtered({field: ""})

        assert result == [visit]

    @pytest.mark.parametrize(
        ("params", "errors"),
        [
            ({"since": "2026-03-04T25:00"}, {"since": ["Enter a valid date/time."]}),
            ({"until": "noon"}, {"until": ["Enter a valid date/time."]}),
            ({"site": "one"}, {"site": ["Enter a whole number."]}),
            ({"since": "2026-03-04T12:00:00+16:00"}, {"since": [UTC_OFFSET]}),
            ({"until": "2026-03-04T12:00:00-16:00"}, {"until": [UTC_OFFSET]}),
        ],
    )
    def test_invalid(self, params, errors):
        filterset = VisitFilter(params, queryset=Visit.objects.all())

        valid = filterset.is_valid()

        assert not valid
        assert filterset.errors == errors
