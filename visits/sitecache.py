"""Sites by domain for the collect endpoints, remembered per worker for a few seconds.

Every event names its site by domain; remembering the answer saves a query on the hot path.
A change to a site reaches other workers within SITE_CACHE_SECONDS, and this one at once.

While the database is unreachable, the last answer known for a domain (a site, or no site) is
served past its expiry, so that the collect endpoints keep accepting events for the writer to
store later; the database is tried again every RETRY_SECONDS. The outage is logged once as a
WARNING, ``site_cache_serves_stale``, and its end once at INFO, ``site_cache_refreshed``.
"""

import threading
from time import monotonic

from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from proj.api.outage import OutageLog, is_connection_failure, note_database_unavailable
from sites.models import Site

SITE_CACHE_SECONDS = 10.0
RETRY_SECONDS = 1.0  # how often a worker serving stale answers tries the database again
MAX_ENTRIES = 10_000  # unknown domains are remembered too; a flood of them must not grow it
_entries: dict[str, tuple[float, Site | None]] = {}
_outage = OutageLog(down="site_cache_serves_stale", up="site_cache_refreshed")
# Bumped when a site changes here: a refresh that read before then may hold the old row, so it
# answers with it but does not keep it. The lock makes "unchanged, so keep" one step.
_generation = 0
_lock = threading.Lock()


def sites_by_domain(domains: list[str]) -> dict[str, Site]:
    """Return the sites of those domains that exist.

    Raises the database's error when it is unreachable and a domain has no answer known.
    """
    now = monotonic()
    # A copy: another thread of the worker may clear the cache while this one asks the database.
    known = {domain: entry for domain in domains if (entry := _entries.get(domain)) is not None}
    stale = [domain for domain in domains if domain not in known or known[domain][0] <= now]
    if stale:
        known.update(_refresh(domains, stale, known, now))
    return {domain: site for domain in domains if (site := known[domain][1]) is not None}


def _refresh(
    domains: list[str], stale: list[str], known: dict[str, tuple[float, Site | None]], now: float
) -> dict[str, tuple[float, Site | None]]:
    generation = _generation
    added = sum(domain not in known for domain in stale)  # expired ones are there already
    full = len(_entries) + added > MAX_ENTRIES
    asked = domains if full else stale  # a full cache starts over: the fresh ones go too
    try:
        found = Site.objects.filter(domain__in=asked).in_bulk(field_name="domain")
    except DatabaseError as error:
        if not is_connection_failure(error) or any(d not in known for d in stale):
            raise
        note_database_unavailable(error, log=_outage)
        fresh = {domain: (now + RETRY_SECONDS, known[domain][1]) for domain in stale}
    else:
        _outage.succeeded()
        fresh = {domain: (now + SITE_CACHE_SECONDS, found.get(domain)) for domain in asked}
    with _lock:
        if generation == _generation:
            if full:
                _entries.clear()
            _entries.update(fresh)
    return fresh


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def forget_sites(**kwargs) -> None:
    """Drop what this worker remembers when a site changes here."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()
