"""Sites by domain, remembered per worker for a few seconds."""

import pytest
from model_bakery import baker

from sites.models import Site
from visits import sitecache
from visits.sitecache import sites_by_domain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    sitecache._entries.clear()
    yield
    sitecache._entries.clear()


class SitesByDomainTest:
    def test_sites_by_domain_known_and_unknown(self):
        site = baker.make(Site, domain="example.com")

        found = sites_by_domain(["example.com", "unknown.example"])

        assert found == {"example.com": site}

    def test_sites_by_domain_remembered(self, django_assert_num_queries):
        baker.make(Site, domain="example.com")
        sites_by_domain(["example.com", "unknown.example"])

        with django_assert_num_queries(0):
            found = sites_by_domain(["example.com", "unknown.example"])

        assert list(found) == ["example.com"]

    def test_sites_by_domain_expired(self, django_assert_num_queries, monkeypatch):
        monkeypatch.setattr(sitecache, "monotonic", lambda: 1000.0)
        sites_by_domain(["example.com"])
        # bulk_create sends no post_save: only the expiry can reveal the new site.
        owner = baker.make("accounts.User")
        Site.objects.bulk_create([Site(domain="example.com", owner=owner)])
        later = 1000.0 + sitecache.SITE_CACHE_SECONDS
        monkeypatch.setattr(sitecache, "monotonic", lambda: later)

        with django_assert_num_queries(1):
            found = sites_by_domain(["example.com"])

        assert list(found) == ["example.com"]

    def test_forget_sites_on_save(self):
        sites_by_domain(["example.com"])

        site = baker.make(Site, domain="example.com")

        assert sites_by_domain(["example.com"]) == {"example.com": site}

    def test_forget_sites_on_delete(self):
        site = baker.make(Site, domain="example.com")
        sites_by_domain(["example.com"])

        site.delete()

        assert sites_by_domain(["example.com"]) == {}

    def test_sites_by_domain_full_cache_starts_over(self, monkeypatch):
        monkeypatch.setattr(sitecache, "MAX_ENTRIES", 2)
        sites_by_domain(["a.example", "b.example"])

        sites_by_domain(["c.example"])

        assert set(sitecache._entries) == {"c.example"}

    def test_sites_by_domain_full_cache_with_a_fresh_domain(self, monkeypatch):
        monkeypatch.setattr(sitecache, "MAX_ENTRIES", 2)
        site = baker.make(Site, domain="a.example")
        other = baker.make(Site, domain="c.example")
        sites_by_domain(["a.example", "b.example"])

        found = sites_by_domain(["a.example", "c.example"])

        assert found == {"a.example": site, "c.example": other}
