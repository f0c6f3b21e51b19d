"""Sites by domain for the collect endpoints, remembered per worker for a few seconds.

Every event names its site by domain; remembering the answer saves a query on the hot path.
A change to a site reaches other workers within SITE_CACHE_SECONDS, and this one at once.

While the database is unreachable, the last answer known for a domain (a site, or no site) is
served past its expiry, so that the collect endpoints keep accepting events for the writer to
store later; the database is tried again every RETRY_SECONDS. The outage is logged once as a
WARNING, ``site_cache_serves_stale``, and its end once at INFO, ``site_cache_refreshed``.
"""

from time import monotonic

from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from proj.api.outage import (
    OutageLog,
    drop_broken_connections,
    failure_reason,
    is_connection_failure,
)
from sites.models import Site

SITE_CACHE_SECONDS = 10.0
RETRY_SECONDS = 1.0  # how often a worker serving stale answers tries the database again
MAX_ENTRIES = 10_000  # unknown domains are remembered too; a flood of them must not grow it
_entries: dict[str, tuple[float, Site | None]] = {}
_outage = OutageLog(down="site_cache_serves_stale", up="site_cache_refreshed")


def sites_by_domain(domains: list[str]) -> dict[str, Site]:
    """Return the sites of those domains that exist.

    Raises the database's error when it is unreachable and a domain has no answer known.
    """
    now = monotonic()
    stale = [d for d in domains if d not in _entries or _entries[d][0] <= now]
    if stale:
        _refresh(domains, stale, now)
    return {domain: site for domain in domains if (site := _entries[domain][1]) is not None}


def _refresh(domains: list[str], stale: list[str], now: float) -> None:
    full = len(_entries) + len(stale) > MAX_ENTRIES
    asked = domains if full else stale  # a full cache starts over: the fresh ones go too
    try:
        found = Site.objects.filter(domain__in=asked).in_bulk(field_name="domain")
    except DatabaseError as error:
        if not is_connection_failure(error) or any(d not in _entries for d in stale):
            raise
        drop_broken_connections()
        _outage.failed(reason=failure_reason(error))
        for domain in stale:
            _entries[domain] = (now + RETRY_SECONDS, _entries[domain][1])
        return
    _outage.succeeded()
    if full:
        _entries.clear()
    for domain in asked:
        _entries[domain] = (now + SITE_CACHE_SECONDS, found.get(domain))


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def forget_sites(**kwargs) -> None:
    """Drop what this worker remembers when a site changes here."""
    _entries.clear()
