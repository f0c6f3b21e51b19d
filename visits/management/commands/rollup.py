"""Roll up every site's days that are over, so that stats read few rows (see README)."""

from zoneinfo import ZoneInfo

import structlog
from django.core.management.base import BaseCommand
from django.utils import timezone

from sites.models import Site
from visits.stats.dates import local_days_range
from visits.stats.rollups import first_day, roll_up

logger = structlog.get_logger(__name__)


class Command(BaseCommand):
    """Roll up the days of every site from its first day to yesterday."""

    help = "Roll up the stats of every site's days that are over (safe to run at any time)."

    def handle(self, *args, **options) -> None:
        """Roll up each site in turn."""
        now = timezone.now()
        for site in Site.objects.order_by("pk"):
            today = now.astimezone(ZoneInfo(site.timezone)).date()
            history = local_days_range(first_day(site), today, ZoneInfo(site.timezone))
            days = roll_up(site, [history], now=now)
            if days:
                logger.info("site_rolled_up", site_id=site.pk, days=days)
        self.stdout.write("Rolled up the days that are over.")
