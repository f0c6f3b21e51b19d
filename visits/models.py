"""Recorded events (Visit) and the sessions (visits, in the stats' words) they form."""

import json
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction

from proj.prepared import PreparedStatement
from sites.models import Site
from visits.enrichment.geoip import locate
from visits.enrichment.referrer import classify_referrer
from visits.enrichment.urls import UTM_PARAMETERS, host_matches_domain, parse_page_url
from visits.enrichment.useragent import parse_user_agent
from visits.visitors import VisitorSalt, visitor_ids, visitor_of_day

__all__ = [
    "DailyRollup",
    "DropReason",
    "RolledDay",
    "Session",
    "Visit",
    "VisitDropped",
    "VisitorSalt",
]

PAGEVIEW = "pageview"
SESSION_TIMEOUT = timedelta(minutes=30)


class DropReason(StrEnum):
    """Why a valid event was not recorded."""

    UNKNOWN_DOMAIN = "unknown_domain"
    BOT = "bot"
    EXCLUDED_IP = "excluded_ip"
    HOSTNAME_MISMATCH = "hostname_mismatch"


class VisitDropped(Exception):
    """A valid event that is deliberately not recorded."""

    def __init__(self, reason: DropReason) -> None:
        super().__init__(reason)
        self.reason = reason


class VisitQuerySet(models.QuerySet):
    """Queries over recorded events."""

    def for_site(self, site: Site) -> "VisitQuerySet":
        """Return the events of one site."""
        return self.filter(site=site)

    def visible_to(self, user) -> "VisitQuerySet":
        """Return the events of the sites a user can see."""
        return self.filter(site__in=Site.objects.visible_to(user).values("pk"))

    def record(self, **event) -> "Visit":
        """Enrich and store one event now, folding it into its session; return it.

        Takes prepare()'s arguments and raises VisitDropped as it does. An event older than
        a visit's timeout (posted late) may change days already rolled up: they are
        forgotten, to be rolled again.
        """
        prepared = self.prepare(**event)
        inserted = _RECORD.fetchone(prepared.params)
        if inserted is None:
            raise VisitDropped(DropReason.UNKNOWN_DOMAIN)
        visit_id, session_id, visitor, session_start, session_visitor, *acquisition = inserted
        site, timestamp = event["site"], event["timestamp"]
        if timestamp < event["received_at"] - SESSION_TIMEOUT:
            # The days of the event and of its visit's start; and, when the event merged into a
            # visit of its half hour and moved its start, the day the visit started before.
            moved_from = timestamp + SESSION_TIMEOUT
            RolledDay.objects.forget(site, [timestamp, session_start, moved_from])
        row = {**prepared.row, **dict(zip(ACQUISITION_FIELDS, acquisition, strict=True))}
        return Visit(
            pk=visit_id,
            session_id=session_id,
            visitor_id=visitor,
            session_started_at=session_start,
            session_visitor_id=session_visitor,
            **row,
        )

    def store(self, events: list[dict]) -> None:
        """Store prepared events (their params), in order, in one transaction and round trip.

        The events of a site deleted meanwhile are left out; late events are not expected.
        """
        _RECORD.execute_many(events)

    def prepare(
        self,
        *,
        site: Site,
        name: str,
        url: str,
        referrer: str,
        props: dict[str, str],
        interactive: bool,
        ip: str,
        user_agent: str,
        timestamp: datetime,
        received_at: datetime,
    ) -> "PreparedEvent":
        """Enrich one event into the row and the parameters of the statement storing it.

        Raises VisitDropped for bots, excluded addresses and pages of another host; the IP
        and user agent only serve to enrich and are not stored.

        The statement folds the event into its session: it continues the visitor's session
        on the site when the visitor's previous event there is under 30 minutes older, else
        starts one. The visitor is matched under today's and yesterday's salt, so a visit
        spanning midnight stays one visit. A new session's id is derived from the visitor and
        the half hour it starts in, so that two first events arriving at once still open a
        single session; its counted visitor is the visitor of the site's local day it starts
        on. Every event takes its visit's referrer, source and UTM tags (those of its first
        event), so that events can be grouped by how their visit was acquired without a join;
        and its visit's start and counted visitor, so that visits can be counted by an event's
        page or name without a join either.
        """
        agent = parse_user_agent(user_agent)
        if agent.is_bot:
            raise VisitDropped(DropReason.BOT)
        if site.excludes_ip(ip):
            raise VisitDropped(DropReason.EXCLUDED_IP)
        page = parse_page_url(url)
        if not host_matches_domain(page.hostname, site.domain):
            raise VisitDropped(DropReason.HOSTNAME_MISMATCH)
        location = locate(ip, city_db=settings.GEOIP_CITY_DB)
        source = classify_referrer(referrer, site_domain=site.domain, utm_source=page.utm_source)
        current_id, previous_id = visitor_ids(
            site_id=site.pk, ip=ip, user_agent=user_agent, day=received_at.astimezone(UTC).date()
        )
        is_pageview = name == PAGEVIEW
        row = {
            "site_id": site.pk,
            "timestamp": timestamp,
            "name": name,
            "hostname": page.hostname,
            "path": page.path,
            "referrer": source.host,
            "source": source.source,
            "utm_source": page.utm_source,
            "utm_medium": page.utm_medium,
            "utm_campaign": page.utm_campaign,
            "utm_term": page.utm_term,
            "utm_content": page.utm_content,
            "country": location.country,
            "region": location.region,
            "city": location.city,
            "postal_code": location.postal_code,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "browser": agent.browser,
            "browser_version": agent.browser_version,
            "os": agent.os,
            "os_version": agent.os_version,
            "device": agent.device,
            "props": props,
            "interactive": interactive,
        }
        for column, limit in _TEXT_LIMITS.items():  # enrichment may outgrow a column
            row[column] = row[column][:limit]
        params = {
            **row,
            "props": json.dumps(props),
            "visitor_ids": [current_id, previous_id],
            "current_id": current_id,
            "window_start": timestamp - SESSION_TIMEOUT,
            "new_session_id": new_session_id(current_id, timestamp),
            "day_visitor_id": visitor_of_day(current_id, _local_day(timestamp, site)),
            "page_path": row["path"] if is_pageview else "",
            "pageviews": int(is_pageview),
            "interactive_events": int(interactive and not is_pageview),
        }
        return PreparedEvent(row, params)


class PreparedEvent(NamedTuple):
    """An enriched event: its row as recorded, and the parameters of the statement storing it."""

    row: dict
    params: dict


def _local_day(moment: datetime, site: Site) -> date:
    return moment.astimezone(ZoneInfo(site.timezone)).date()


def new_session_id(visitor: int, start: datetime) -> int:
    """Return the id of a session of this visitor starting at this moment (63 bits)."""
    slot = int(start.timestamp()) // int(SESSION_TIMEOUT.total_seconds())
    return (visitor ^ (slot * 0x9E3779B97F4A7C15)) & 0x7FFF_FFFF_FFFF_FFFF


# How the visit was acquired: an event carries its visit's values, those of the first event.
ACQUISITION_FIELDS = ("referrer", "source", *UTM_PARAMETERS)
_ACQUISITION = ", ".join(ACQUISITION_FIELDS)
_CHOSEN_ACQUISITION = ", ".join(f"chosen.{name}" for name in ACQUISITION_FIELDS)
_PREVIOUS_ACQUISITION = ", ".join(f"p.{name}" for name in ACQUISITION_FIELDS)
_SESSION_ACQUISITION = ", ".join(f"session.{name}" for name in ACQUISITION_FIELDS)
# A visit's acquisition is its first event's, also when an earlier event merges into it.
_EARLIER_ACQUISITION = ",\n        ".join(
    f"{name} = CASE WHEN excluded.started_at < s.started_at THEN excluded.{name} ELSE s.{name} END"
    for name in ACQUISITION_FIELDS
)
_COPIED = ("session_started_at", "session_visitor_id", *ACQUISITION_FIELDS)
_COPIED_FROM = ("started_at", "visitor_id", *ACQUISITION_FIELDS)
_EVENT_COLUMNS = (
    "site_id, timestamp, name, hostname, path, country, region, city, postal_code, latitude, "
    "longitude, browser, browser_version, os, os_version, device, props, interactive"
)

# The column lists are constants and every value is a query parameter. The statement is
# prepared, planned once per connection, and runs with _COPY_SQL after it in one transaction
# committed without waiting for the disk flush (see README, "Durability"). The visitor's
# previous event is looked up per visitor id, so that the (site, visitor, time) index serves it
# in the generic plan. The event takes its visit's start, counted visitor and acquisition as
# the visit's upsert returns them.
_RECORD_SQL = f"""
WITH previous AS (
    SELECT 0 AS rank, p.session_id, p.visitor_id, {_PREVIOUS_ACQUISITION}
    FROM unnest(%(visitor_ids)s::bigint[]) AS v(id) CROSS JOIN LATERAL (
        SELECT session_id, visitor_id, timestamp, {_ACQUISITION} FROM visits_visit
        WHERE site_id = %(site_id)s AND visitor_id = v.id
          AND timestamp > %(window_start)s AND timestamp <= %(timestamp)s
        ORDER BY timestamp DESC LIMIT 1
    ) AS p
    ORDER BY p.timestamp DESC LIMIT 1
), given AS (
    SELECT 1 AS rank, %(new_session_id)s::bigint AS session_id,
           %(current_id)s::bigint AS visitor_id,
           %(referrer)s AS referrer, %(source)s AS source, %(utm_source)s AS utm_source,
           %(utm_medium)s AS utm_medium, %(utm_campaign)s AS utm_campaign,
           %(utm_term)s AS utm_term, %(utm_content)s AS utm_content
), chosen AS (
    SELECT * FROM previous UNION ALL SELECT * FROM given ORDER BY rank LIMIT 1
), session AS (
    INSERT INTO visits_session AS s (
        session_id, site_id, visitor_id, started_at, ended_at, entry_page, exit_page,
        pageviews, events, interactive_events, hostname, {_ACQUISITION}, country, region, city,
        browser, browser_version, os, os_version, device
    )
    SELECT chosen.session_id, %(site_id)s, %(day_visitor_id)s, %(timestamp)s,
           %(timestamp)s, %(page_path)s, %(page_path)s, %(pageviews)s, 1,
           %(interactive_events)s, %(hostname)s, {_CHOSEN_ACQUISITION}, %(country)s,
           %(region)s, %(city)s, %(browser)s, %(browser_version)s, %(os)s, %(os_version)s,
           %(device)s
    FROM chosen
    WHERE EXISTS (SELECT 1 FROM sites_site WHERE id = %(site_id)s)  -- a site deleted meanwhile
    ON CONFLICT (session_id) DO UPDATE SET
        entry_page = CASE
            WHEN excluded.entry_page <> ''
             AND (s.entry_page = '' OR excluded.started_at < s.started_at)
            THEN excluded.entry_page ELSE s.entry_page END,
        exit_page = CASE
            WHEN excluded.exit_page <> '' AND excluded.ended_at >= s.ended_at
            THEN excluded.exit_page ELSE s.exit_page END,
        {_EARLIER_ACQUISITION},
        started_at = LEAST(s.started_at, excluded.started_at),
        ended_at = GREATEST(s.ended_at, excluded.ended_at),
        pageviews = s.pageviews + excluded.pageviews,
        events = s.events + 1,
        interactive_events = s.interactive_events + excluded.interactive_events
    RETURNING session_id, started_at, visitor_id, {_ACQUISITION}
), inserted AS (
    INSERT INTO visits_visit (
        session_id, visitor_id, session_started_at, session_visitor_id, {_ACQUISITION},
        {_EVENT_COLUMNS}
    )
    SELECT session.session_id, chosen.visitor_id, session.started_at, session.visitor_id,
           {_SESSION_ACQUISITION}, %(site_id)s, %(timestamp)s, %(name)s, %(hostname)s, %(path)s,
           %(country)s, %(region)s, %(city)s, %(postal_code)s, %(latitude)s, %(longitude)s,
           %(browser)s, %(browser_version)s, %(os)s, %(os_version)s, %(device)s,
           %(props)s::jsonb, %(interactive)s
    FROM chosen CROSS JOIN session
    RETURNING id, session_id, visitor_id, session_started_at, session_visitor_id, {_ACQUISITION}
)
SELECT * FROM inserted
"""  # noqa: S608

# An event that opened a visit in the same half hour as one stored before it merges into that
# visit (same id); when it is the earlier, it moves the visit's start and acquisition, and the
# copies on the visit's other events are set anew. This runs as its own statement after the
# event's, in the same transaction: it sees every event stored before the visit was locked.
_COPY_SQL = f"""
UPDATE visits_visit AS e
SET ({", ".join(_COPIED)}) = ({", ".join(f"s.{name}" for name in _COPIED_FROM)})
FROM visits_session AS s
WHERE s.session_id = %(new_session_id)s AND s.started_at = %(timestamp)s AND s.events > 1
  AND e.session_id = s.session_id
  AND ({", ".join(f"e.{name}" for name in _COPIED)})
      IS DISTINCT FROM ({", ".join(f"s.{name}" for name in _COPIED_FROM)})
"""  # noqa: S608
_RECORD = PreparedStatement(
    "tally_record_event",
    _RECORD_SQL,
    before="SET LOCAL synchronous_commit TO OFF; ",
    then=PreparedStatement("tally_copy_visit", _COPY_SQL),
)


class VisitDimensions(models.Model):
    """What events and visits share: the site's host, acquisition, location and software."""

    hostname = models.CharField(max_length=253)
    referrer = models.CharField(max_length=253, blank=True)
    source = models.CharField(max_length=200, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=200, blank=True)
    browser = models.CharField(max_length=100, blank=True)
    browser_version = models.CharField(max_length=50, blank=True)
    os = models.CharField(max_length=100, blank=True)
    os_version = models.CharField(max_length=50, blank=True)
    device = models.CharField(max_length=20, blank=True)

    class Meta:
        abstract = True


class Visit(VisitDimensions):
    """One recorded event: a pageview or a custom event, enriched at ingest.

    No IP address and no raw user agent is stored; the visitor is a salted hash.
    """

    # The composite indexes below start with the site: no index of its own.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="visits", db_index=False)
    timestamp = models.DateTimeField()
    name = models.CharField(max_length=120)
    visitor_id = models.BigIntegerField(
        help_text="The visitor's key under its day's salt, by which a visit is continued."
    )
    session_id = models.BigIntegerField()
    # Copies of the visit's, so that visits can be counted by an event dimension without a join.
    session_started_at = models.DateTimeField(help_text="When the event's visit started.")
    session_visitor_id = models.BigIntegerField(help_text="The visit's counted visitor.")
    path = models.CharField(max_length=2000)
    postal_code = models.CharField(max_length=20, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    props = models.JSONField(default=dict, blank=True)
    interactive = models.BooleanField(default=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["site", "timestamp"], name="visit_site_time"),
            models.Index(
                fields=["site", "visitor_id", "timestamp"], name="visit_site_visitor_time"
            ),
            models.Index(fields=["session_id"], name="visit_session"),
            models.Index(fields=["site", "session_started_at"], name="visit_site_session_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.path} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class Session(VisitDimensions):
    """A visit: a visitor's events on a site with no gap of 30 minutes or more.

    Maintained at ingest by Visit.objects.record(); the visit-level dimensions (source,
    location, software) are those of the visit's first event.
    """

    session_id = models.BigIntegerField(primary_key=True)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    visitor_id = models.BigIntegerField(
        help_text="The visitor as counted: one id per visitor and local day of the site."
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    entry_page = models.CharField(max_length=2000, blank=True)
    exit_page = models.CharField(max_length=2000, blank=True)
    pageviews = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    interactive_events = models.PositiveIntegerField(
        default=0, help_text="Interactive events other than pageviews."
    )

    class Meta:
        indexes = [models.Index(fields=["site", "started_at"], name="session_site_start")]

    def __str__(self) -> str:
        return f"visit {self.session_id} from {self.started_at:%Y-%m-%d %H:%M:%S}"


# The advisory lock (with the site's id) under which a site's days are rolled up or forgotten.
ROLLUP_LOCK = 7_411_001


class RolledDayQuerySet(models.QuerySet):
    """Queries over the days whose stats are rolled up."""

    def lock(self, site: Site) -> None:
        """Take the site's rollup lock until the end of the current transaction."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, site.pk])

    def forget(self, site: Site, moments: list[datetime]) -> None:
        """Forget the rollups of the site's local days these moments fall on."""
        days = {_local_day(moment, site) for moment in moments}
        with transaction.atomic():
            self.lock(site)
            DailyRollup.objects.filter(site=site, day__in=days).delete()
            self.filter(site=site, day__in=days).delete()


class RolledDay(models.Model):
    """A local day of a site whose totals are summed up in DailyRollup rows.

    A day is rolled up once no visit started on it can change any more (visits.stats.rollups).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    timezone = models.CharField(max_length=64, help_text="The site's time zone of the day.")
    rolled_at = models.DateTimeField()

    objects = RolledDayQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="rolled_day_site_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} of site {self.site_id}"


class DailyRollup(models.Model):
    """A rolled-up day's totals for one value of one dimension ("" for the whole day).

    Visit totals count the visits that started on the day; event totals the events of the day.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, db_index=False)
    day = models.DateField()
    dimension = models.CharField(max_length=40, blank=True)
    value = models.TextField(blank=True)
    visitors = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    bounces = models.PositiveIntegerField(default=0)
    duration = models.BigIntegerField(default=0, help_text="Visit durations in microseconds.")
    visit_pageviews = models.PositiveIntegerField(default=0)
    pageviews = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["site", "dimension", "day"], name="rollup_site_dimension_day"),
            models.Index(fields=["site", "day"], name="rollup_site_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value!r} of site {self.site_id}"


# The length limit of every text column an event row fills, for Visit.objects.record().
_TEXT_LIMITS = {
    field.attname: field.max_length
    for field in Visit._meta.concrete_fields
    if isinstance(field, models.CharField)
}
