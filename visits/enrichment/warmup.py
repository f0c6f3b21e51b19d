"""Loading the enrichment data when a server process starts, not at its first event."""

import time

import structlog

from visits.enrichment.geoip import locate
from visits.enrichment.useragent import parse_user_agent

logger = structlog.get_logger(__name__)

# A real browser's header and a public address, so that the first parse and lookup load
# everything a real event needs.
SAMPLE_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SAMPLE_ADDRESS = "8.8.8.8"


def warm_up(*, city_db: str) -> None:
    """Load the user-agent rules, the crawler list and the GeoIP data now.

    Loading the user-agent rules takes about a second, which the first event of each server
    process would otherwise wait for. ``city_db`` is settings.GEOIP_CITY_DB.
    """
    started = time.perf_counter()
    parse_user_agent(SAMPLE_USER_AGENT)
    locate(SAMPLE_ADDRESS, city_db=city_db)
    logger.info("enrichment_loaded", seconds=round(time.perf_counter() - started, 3))
