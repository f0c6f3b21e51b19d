"""Sites by domain for the collect endpoints, remembered per worker for a few seconds.

Every event names its site by domain; remembering the answer saves a query on the hot path.
A change to a site reaches other workers within SITE_CACHE_SECONDS, and this one at once.
"""

from time import monotonic

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sites.models import Site

SITE_CACHE_SECONDS = 10.0
MAX_ENTRIES = 10_000  # unknown domains are remembered too; a flood of them must not grow it
_entries: dict[str, tuple[float, Site | None]] = {}


def sites_by_domain(domains: list[str]) -> dict[str, Site]:
    """Return the sites of those domains that exist."""
    now = monotonic()
    stale = [d for d in domains if d not in _entries or _entries[d][0] <= now]
    if stale:
        if len(_entries) + len(stale) > MAX_ENTRIES:
            _entries.clear()
            stale = domains  # the fresh ones are gone too
        found = Site.objects.filter(domain__in=stale).in_bulk(field_name="domain")
        for domain in stale:
            _entries[domain] = (now + SITE_CACHE_SECONDS, found.get(domain))
    return {domain: site for domain in domains if (site := _entries[domain][1]) is not None}


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def forget_sites(**kwargs) -> None:
    """Drop what this worker remembers when a site changes here."""
    _entries.clear()
