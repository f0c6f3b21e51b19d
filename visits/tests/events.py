"""Events for tests: the arguments of Visit.objects.record() and prepare()."""

from datetime import datetime

from sites.models import Site

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


def pageview(site: Site, *, at: datetime, path: str = "/", ip: str = "8.8.8.8") -> dict:
    """Return a desktop Chrome pageview of the site, received when it happened."""
    return {
        "site": site,
        "name": "pageview",
        "url": f"https://{site.domain}{path}",
        "referrer": "",
        "props": {},
        "interactive": True,
        "ip": ip,
        "user_agent": CHROME,
        "timestamp": at,
        "received_at": at,
    }
