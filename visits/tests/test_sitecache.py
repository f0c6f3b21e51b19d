"""Sites by domain, remembered per worker for a few seconds."""

import pytest
from django.db import OperationalError, connection
from model_bakery import baker

from proj.api.outage import is_connection_failure
from proj.tests.outage import database_unreachable, table_locked
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

    def test_sites_by_domain_cleared_by_another_thread_meanwhile(self):
        site = baker.make(Site, domain="example.com")
        sites_by_domain(["example.com"])

        def clear_while_querying(execute, sql, params, many, context):
            sitecache.forget_sites()  # as a site saved in another thread of the worker would
            return execute(sql, params, many, context)

        with connection.execute_wrapper(clear_while_querying):
            found = sites_by_domain(["example.com", "unknown.example"])

        assert found == {"example.com": site}

    def test_sites_by_domain_read_before_another_thread_saved(self):
        site = baker.make(Site, domain="example.com")
        saved = []

        def save_after_reading(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if not saved:  # another thread saves the site just after this one read it
                saved.append(site)
                Site.objects.filter(pk=site.pk).update(domain="example.org")
                sitecache.forget_sites()  # as the save's post_save signal does, in that thread
            return result

        with connection.execute_wrapper(save_after_reading):
            found = sites_by_domain(["example.com"])

        assert found == {"example.com": site}  # what it read, answered once
        assert sites_by_domain(["example.com"]) == {}

    def test_sites_by_domain_expired_entries_counted_once(self, monkeypatch):
        monkeypatch.setattr(sitecache, "MAX_ENTRIES", 2)
        monkeypatch.setattr(sitecache, "SITE_CACHE_SECONDS", 0.0)
        sites_by_domain(["a.example", "b.example"])

        sites_by_domain(["a.example"])  # expired: refreshed in place, the cache is not full

        assert set(sitecache._entries) == {"a.example", "b.example"}

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


def logged(caplog) -> list[tuple[str, str]]:
    """Return the (event, level) of the site cache's log records."""
    return [
        (r.msg["event"], r.msg["level"])
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg["event"].startswith("site_cache_")
    ]


@pytest.fixture
def clock(monkeypatch):
    """Return a settable clock for the cache, starting at 1000 s."""
    now = [1000.0]
    monkeypatch.setattr(sitecache, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def _outage_over():
    sitecache._outage.succeeded()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_outage_over")
class SitesByDomainOutageTest:
    def test_sites_by_domain_database_unreachable_serves_last_known(self, clock):
        site = baker.make(Site, domain="example.com")
        sites_by_domain(["example.com", "unknown.example"])
        clock[0] += sitecache.SITE_CACHE_SECONDS

        with database_unreachable():
            found = sites_by_domain(["example.com", "unknown.example"])

        assert found == {"example.com": site}

    def test_sites_by_domain_database_unreachable_tried_again_in_a_second(self, clock):
        site = baker.make(Site, domain="example.com")
        sites_by_domain(["example.com"])
        clock[0] += sitecache.SITE_CACHE_SECONDS

        with database_unreachable():
            sites_by_domain(["example.com"])

        assert sitecache._entries["example.com"] == (clock[0] + sitecache.RETRY_SECONDS, site)

    def test_sites_by_domain_database_unreachable_domain_never_seen(self):
        with database_unreachable(), pytest.raises(OperationalError) as raised:
            sites_by_domain(["example.com"])

        assert is_connection_failure(raised.value)

    def test_sites_by_domain_outage_logged_once(self, clock, caplog):
        baker.make(Site, domain="example.com")
        sites_by_domain(["example.com"])

        with database_unreachable():
            for _ in range(3):
                clock[0] += sitecache.SITE_CACHE_SECONDS
                sites_by_domain(["example.com"])
        clock[0] += sitecache.SITE_CACHE_SECONDS
        sites_by_domain(["example.com"])
        clock[0] += sitecache.SITE_CACHE_SECONDS
        sites_by_domain(["example.com"])

        assert logged(caplog) == [
            ("site_cache_serves_stale", "warning"),
            ("site_cache_refreshed", "info"),
        ]

    def test_sites_by_domain_recovered(self, clock):
        sites_by_domain(["example.com"])
        clock[0] += sitecache.SITE_CACHE_SECONDS
        with database_unreachable():
            sites_by_domain(["example.com"])
        # bulk_create sends no post_save: only a refresh can reveal the new site.
        owner = baker.make("accounts.User")
        Site.objects.bulk_create([Site(domain="example.com", owner=owner)])
        clock[0] += sitecache.RETRY_SECONDS

        found = sites_by_domain(["example.com"])

        assert list(found) == ["example.com"]

    def test_sites_by_domain_query_error_raised(self, clock):
        baker.make(Site, domain="example.com")
        sites_by_domain(["example.com"])
        clock[0] += sitecache.SITE_CACHE_SECONDS

        with table_locked("sites_site"), pytest.raises(OperationalError) as raised:
            sites_by_domain(["example.com"])

        assert not is_connection_failure(raised.value)
