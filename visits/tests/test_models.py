"""Recording events (Visit.objects.record), the sessions they form, and the visit queries."""

import importlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from model_bakery import baker

from sites.models import Membership, Role, Site
from visits.models import (
    DailyRollup,
    DropReason,
    RolledDay,
    Session,
    Visit,
    VisitDropped,
    new_session_id,
)
from visits.tests.events import CHROME, pageview
from visits.tests.test_geoip import LONDON, write_db
from visits.visitors import visitor_of_day

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
VISITOR_IP = "8.8.8.8"
START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def record(
    site: Site,
    *,
    at: datetime = START,
    received_at: datetime | None = None,
    name: str = "pageview",
    url: str = "https://example.com/",
    referrer: str = "",
    props: dict | None = None,
    interactive: bool = True,
    ip: str = VISITOR_IP,
    user_agent: str = CHROME,
) -> Visit:
    """Record an event, received when it happened unless told otherwise."""
    return Visit.objects.record(
        site=site,
        name=name,
        url=url,
        referrer=referrer,
        props=props or {},
        interactive=interactive,
        ip=ip,
        user_agent=user_agent,
        timestamp=at,
        received_at=received_at or at,
    )


@pytest.fixture
def site():
    return baker.make(Site, domain="example.com")


class VisitRecordTest:
    def test_record_site_deleted_meanwhile(self, site):
        Site.objects.filter(pk=site.pk).delete()

        with pytest.raises(VisitDropped) as excinfo:
            record(site)

        assert excinfo.value.reason == DropReason.UNKNOWN_DOMAIN
        assert not Visit.objects.filter(site_id=site.pk).exists()

    def test_record_returns_stored_visit(self, site):
        visit = record(site)

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.session_id, stored.visitor_id) == (visit.session_id, visit.visitor_id)
        assert stored.timestamp == START
        assert stored.site == site

    def test_record_returns_every_field_as_stored(self, site):
        url = "https://example.com/pricing?utm_source=newsletter&utm_campaign=spring"

        visit = record(
            site,
            name="signup",
            url=url,
            referrer="https://www.google.com/",
            props={"plan": "pro"},
            interactive=False,
            user_agent=FIREFOX,
        )

        assert field_values(visit) == field_values(Visit.objects.get(pk=visit.pk))

    def test_record_returns_visit_acquisition(self, site):
        record(site, referrer="https://www.google.com/", url=page("/?utm_medium=cpc"))

        visit = record(site, at=START + timedelta(minutes=5), url=page("/next"))

        assert (visit.referrer, visit.source, visit.utm_medium) == ("google.com", "Google", "cpc")
        assert field_values(visit) == field_values(Visit.objects.get(pk=visit.pk))

    def test_record_city_from_configured_city_db(self, site, settings, tmp_path):
        settings.GEOIP_CITY_DB = write_db(tmp_path / "City.mmdb", {"81.2.69.0/24": LONDON})

        visit = record(site, ip="81.2.69.142")

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.country, stored.region, stored.city, stored.postal_code) == (
            "GB",
            "England",
            "London",
            "EC1A",
        )
        assert (stored.latitude, stored.longitude) == (51.5142, -0.0931)
        assert Session.objects.get().city == "London"

    def test_record_path_without_query(self, site):
        visit = record(site, url="https://Example.com/pricing?plan=pro#faq")

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.hostname, stored.path) == ("example.com", "/pricing")

    def test_record_utm_tags(self, site):
        url = (
            "https://example.com/?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=spring&utm_term=shoes&utm_content=header"
        )

        visit = record(site, url=url)

        stored = Visit.objects.get(pk=visit.pk)
        assert (
            stored.utm_source,
            stored.utm_medium,
            stored.utm_campaign,
            stored.utm_term,
            stored.utm_content,
        ) == ("newsletter", "email", "spring", "shoes", "header")

    def test_record_source_from_referrer(self, site):
        visit = record(site, referrer="https://www.google.com/search?q=tally")

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.referrer, stored.source) == ("google.com", "Google")

    def test_record_utm_source_wins_over_referrer(self, site):
        visit = record(
            site,
            url="https://example.com/?utm_source=newsletter",
            referrer="https://www.google.com/",
        )

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.referrer, stored.source) == ("google.com", "newsletter")

    def test_record_referrer_from_site_itself_is_direct(self, site):
        visit = record(site, referrer="https://www.example.com/blog")

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.referrer, stored.source) == ("", "")

    def test_record_country(self, site):
        visit = record(site, ip="8.8.8.8")

        assert Visit.objects.get(pk=visit.pk).country == "US"

    def test_record_private_address_has_no_country(self, site):
        visit = record(site, ip="10.1.2.3")

        assert Visit.objects.get(pk=visit.pk).country == ""

    def test_record_software(self, site):
        visit = record(site, user_agent=FIREFOX)

        stored = Visit.objects.get(pk=visit.pk)
        assert (stored.browser, stored.browser_version) == ("Firefox", "125.0")
        assert (stored.os, stored.device) == ("Linux", "desktop")

    def test_record_props(self, site):
        visit = record(site, name="signup", props={"plan": "pro", "seats": "3"})

        assert Visit.objects.get(pk=visit.pk).props == {"plan": "pro", "seats": "3"}

    def test_record_not_interactive(self, site):
        visit = record(site, name="scroll", interactive=False)

        assert Visit.objects.get(pk=visit.pk).interactive is False

    def test_record_bot(self, site):
        with pytest.raises(VisitDropped) as dropped:
            record(site, user_agent=GOOGLEBOT)

        assert dropped.value.reason == DropReason.BOT
        assert not Visit.objects.exists()
        assert not Session.objects.exists()

    def test_record_empty_user_agent(self, site):
        with pytest.raises(VisitDropped) as dropped:
            record(site, user_agent="")

        assert dropped.value.reason == DropReason.BOT

    def test_record_excluded_ip(self):
        site = baker.make(Site, domain="example.com", excluded_ips=["203.0.113.0/24"])

        with pytest.raises(VisitDropped) as dropped:
            record(site, ip="203.0.113.9")

        assert dropped.value.reason == DropReason.EXCLUDED_IP
        assert not Visit.objects.exists()

    def test_record_hostname_mismatch(self, site):
        with pytest.raises(VisitDropped) as dropped:
            record(site, url="https://other.com/")

        assert dropped.value.reason == DropReason.HOSTNAME_MISMATCH
        assert not Visit.objects.exists()

    def test_record_subdomain(self, site):
        visit = record(site, url="https://blog.example.com/post")

        assert Visit.objects.get(pk=visit.pk).hostname == "blog.example.com"


def field_values(visit: Visit) -> dict:
    """Return the value of every column of an event."""
    return {field.attname: getattr(visit, field.attname) for field in Visit._meta.concrete_fields}


def prepare(site: Site, *, path: str = "/", at: datetime = START) -> dict:
    """Return the statement parameters of a pageview."""
    return Visit.objects.prepare(**pageview(site, at=at, path=path)).params


class VisitPrepareStoreTest:
    def test_prepare_stores_nothing(self, site):
        prepared = Visit.objects.prepare(
            site=site,
            name="pageview",
            url="https://example.com/a?b=c",
            referrer="",
            props={"plan": "pro"},
            interactive=True,
            ip=VISITOR_IP,
            user_agent=CHROME,
            timestamp=START,
            received_at=START,
        )

        assert (prepared.row["path"], prepared.row["browser"]) == ("/a", "Chrome")
        assert prepared.params["props"] == '{"plan": "pro"}'
        assert not Visit.objects.exists()

    def test_store_in_order(self, site):
        later = START + timedelta(minutes=5)

        Visit.objects.store([prepare(site, path="/a"), prepare(site, path="/b", at=later)])

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page, session.pageviews) == ("/a", "/b", 2)
        assert session.ended_at == later

    def test_store_site_deleted_meanwhile(self, site):
        kept = baker.make(Site, domain="example.org")
        events = [prepare(site), prepare(kept)]
        Site.objects.filter(pk=site.pk).delete()

        Visit.objects.store(events)

        assert list(Visit.objects.values_list("site_id", flat=True)) == [kept.pk]


class SessionRecordTest:
    def test_record_first_event_opens_session(self, site):
        visit = record(
            site, url="https://example.com/pricing", ip="81.2.69.142", user_agent=FIREFOX
        )

        session = Session.objects.get(session_id=visit.session_id)
        assert session.site == site
        assert session.visitor_id == visitor_of_day(visit.visitor_id, START.date())
        assert session.started_at == session.ended_at == START
        assert session.entry_page == session.exit_page == "/pricing"
        assert (session.pageviews, session.events, session.interactive_events) == (1, 1, 0)
        assert (session.hostname, session.country, session.browser, session.os) == (
            "example.com",
            "GB",
            "Firefox",
            "Linux",
        )

    def test_record_event_within_30_minutes_continues_session(self, site):
        first = record(site, url="https://example.com/")

        second = record(
            site,
            at=START + timedelta(minutes=29, seconds=59),
            url="https://example.com/pricing",
        )

        assert second.session_id == first.session_id
        session = Session.objects.get()
        assert (session.pageviews, session.events) == (2, 2)
        assert (session.entry_page, session.exit_page) == ("/", "/pricing")
        assert session.started_at == START
        assert session.ended_at == START + timedelta(minutes=29, seconds=59)

    def test_record_event_30_minutes_later_starts_session(self, site):
        first = record(site)

        second = record(site, at=START + timedelta(minutes=30))

        assert second.session_id != first.session_id
        assert Session.objects.filter(pageviews=1, events=1).count() == 2

    def test_record_event_31_minutes_later_starts_session(self, site):
        first = record(site)

        second = record(site, at=START + timedelta(minutes=31))

        assert second.session_id != first.session_id
        assert second.visitor_id == first.visitor_id

    def test_record_chain_of_short_gaps_stays_one_session(self, site):
        for minutes in (0, 20, 40, 60):
            record(site, at=START + timedelta(minutes=minutes))

        session = Session.objects.get()
        assert session.pageviews == 4
        assert session.ended_at - session.started_at == timedelta(hours=1)

    def test_record_interactive_custom_event_counted(self, site):
        record(site)

        record(site, at=START + timedelta(minutes=1), name="signup")

        session = Session.objects.get()
        assert (session.pageviews, session.events, session.interactive_events) == (1, 2, 1)

    def test_record_non_interactive_custom_event_not_counted(self, site):
        record(site)

        record(site, at=START + timedelta(minutes=1), name="scroll", interactive=False)

        session = Session.objects.get()
        assert (session.pageviews, session.events, session.interactive_events) == (1, 2, 0)

    def test_record_custom_event_keeps_exit_page(self, site):
        record(site, url="https://example.com/pricing")

        record(site, at=START + timedelta(minutes=1), name="signup", url="https://example.com/x")

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("/pricing", "/pricing")
        assert session.ended_at == START + timedelta(minutes=1)

    def test_record_session_beginning_with_custom_event_has_no_entry_page(self, site):
        record(site, name="signup", url="https://example.com/join")

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("", "")
        assert (session.pageviews, session.events, session.interactive_events) == (0, 1, 1)

    def test_record_first_pageview_sets_entry_page(self, site):
        record(site, name="signup", url="https://example.com/join")

        record(site, at=START + timedelta(minutes=1), url="https://example.com/pricing")

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("/pricing", "/pricing")
        assert session.started_at == START

    def test_record_late_event_in_same_half_hour_becomes_entry(self, site):
        record(site, at=START + timedelta(minutes=10), url="https://example.com/pricing")

        record(site, at=START, url="https://example.com/")

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("/", "/pricing")
        assert session.started_at == START
        assert session.ended_at == START + timedelta(minutes=10)

    def test_record_session_per_site(self, site):
        other_site = baker.make(Site, domain="example.org")
        first = record(site)

        second = record(other_site, at=START + timedelta(minutes=1), url="https://example.org/")

        assert second.session_id != first.session_id
        assert Session.objects.filter(site=other_site).count() == 1

    def test_record_session_spanning_midnight(self, site):
        evening = datetime(2026, 3, 4, 23, 50, tzinfo=UTC)
        first = record(site, at=evening)

        second = record(site, at=evening + timedelta(minutes=20))

        assert second.session_id == first.session_id
        assert second.visitor_id == first.visitor_id
        session = Session.objects.get()
        assert (session.events, session.ended_at) == (2, evening + timedelta(minutes=20))

    def test_record_new_session_after_midnight_takes_new_visitor_id(self, site):
        evening = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
        first = record(site, at=evening)

        second = record(site, at=evening + timedelta(hours=2))

        assert second.session_id != first.session_id
        assert second.visitor_id != first.visitor_id

    def test_record_pageviews_at_same_time_last_stored_is_exit(self, site):
        record(site, url=page("/a"))
        record(site, at=START + timedelta(minutes=5), url=page("/b"))

        record(site, at=START + timedelta(minutes=5), url=page("/c"))

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("/a", "/c")

    def test_record_pageviews_at_same_time_first_stored_is_entry(self, site):
        record(site, url=page("/a"))

        record(site, url=page("/b"))

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page) == ("/a", "/b")

    def test_record_continues_latest_of_two_visits_in_window(self, site):
        # 10:35 is stored before 10:25, which sees no earlier event: two visits, 10 minutes
        # apart. An event at 10:40 sees both within 30 minutes and continues the latest.
        latest = record(site, at=START + timedelta(minutes=35))
        earlier = record(site, at=START + timedelta(minutes=25))

        continuing = record(site, at=START + timedelta(minutes=40))

        assert earlier.session_id != latest.session_id
        assert continuing.session_id == latest.session_id

    def test_record_later_event_not_a_previous_one(self, site):
        later = record(site, at=START + timedelta(minutes=35))

        earlier = record(site, at=START + timedelta(minutes=25))

        assert earlier.session_id != later.session_id
        assert Session.objects.get(session_id=earlier.session_id).started_at == START + timedelta(
            minutes=25
        )

    def test_record_continues_latest_visit_under_either_salt(self, site):
        # 00:10 (today's salt) is stored before 23:50 (yesterday's), which sees no earlier
        # event: two visits. An event at 00:15 sees both within 30 minutes, under the two
        # salts, and continues the latest.
        midnight = datetime(2026, 3, 5, tzinfo=UTC)
        latest = record(site, at=midnight + timedelta(minutes=10))
        earlier = record(site, at=midnight - timedelta(minutes=10))

        continuing = record(site, at=midnight + timedelta(minutes=15))

        assert earlier.visitor_id != latest.visitor_id
        assert continuing.session_id == latest.session_id

    def test_record_event_at_same_time_received_after_midnight_continues_visit(self, site):
        # A pageview and an event of the same moment, the second received after midnight
        # UTC under the next day's salt: the pageview is its only previous event.
        evening = datetime(2026, 3, 4, 23, 55, tzinfo=UTC)
        first = record(site, at=evening)

        second = record(site, at=evening, name="click", received_at=evening + timedelta(minutes=10))

        assert (second.session_id, second.visitor_id) == (first.session_id, first.visitor_id)
        assert Session.objects.get().events == 2


def copies() -> list[tuple[str, datetime, bool]]:
    """Return each event's path, copy of its visit's start, and if its visitor copy is right."""
    sessions = {s.session_id: s for s in Session.objects.all()}
    return [
        (e.path, e.session_started_at, e.session_visitor_id == sessions[e.session_id].visitor_id)
        for e in Visit.objects.order_by("timestamp")
    ]


def page(path: str) -> str:
    return f"https://example.com{path}"


def wait_for_lock_waiter() -> None:
    """Wait until another connection waits for a lock (a row an open transaction holds)."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no connection waits for a lock")


def record_while_open(site: Site, *, held: datetime, blocked: datetime) -> None:
    """Record an event in an open transaction, and another meanwhile that waits for it."""
    opened, release = threading.Event(), threading.Event()

    def in_thread(action: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                action()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def hold() -> None:
        with transaction.atomic():
            record(site, at=held, url=page("/held"))
            opened.set()
            release.wait(5)

    holder = in_thread(hold)
    opened.wait(5)
    waiter = in_thread(lambda: record(site, at=blocked, url=page("/blocked")))
    wait_for_lock_waiter()
    release.set()
    holder.join(5)
    waiter.join(5)


class VisitSessionCopyTest:
    def test_record_first_event_copies_its_visit(self, site):
        visit = record(site)

        session = Session.objects.get()
        assert (visit.session_started_at, visit.session_visitor_id) == (START, session.visitor_id)
        assert copies() == [("/", START, True)]

    def test_record_event_continuing_visit_copies_its_start(self, site):
        record(site)

        record(site, at=START + timedelta(minutes=20), url=page("/next"))

        assert copies() == [("/", START, True), ("/next", START, True)]

    def test_record_event_after_local_midnight_copies_visitor_of_visit_start(self, site):
        site.timezone = "Asia/Tokyo"  # local midnight is 15:00 UTC
        record(site, at=START.replace(hour=14, minute=50))

        record(site, at=START.replace(hour=15, minute=10), url=page("/next"))

        assert [right for _, _, right in copies()] == [True, True]

    def test_record_event_after_utc_midnight_copies_visitor_of_visit_start(self, site):
        evening = datetime(2026, 3, 4, 23, 50, tzinfo=UTC)
        record(site, at=evening)

        record(site, at=evening + timedelta(minutes=20), url=page("/next"))

        assert copies() == [("/", evening, True), ("/next", evening, True)]

    def test_record_earlier_event_in_same_half_hour_moves_every_copy(self, site):
        record(site, at=START + timedelta(minutes=10), url=page("/later"))

        record(site, at=START, url=page("/earlier"))

        assert copies() == [("/earlier", START, True), ("/later", START, True)]

    def test_record_earlier_event_in_other_half_hour_keeps_copies(self, site):
        record(site, at=START + timedelta(minutes=35), url=page("/later"))

        record(site, at=START + timedelta(minutes=25), url=page("/earlier"))

        assert copies() == [
            ("/earlier", START + timedelta(minutes=25), True),
            ("/later", START + timedelta(minutes=35), True),
        ]

    def test_store_earlier_event_in_same_batch_moves_every_copy(self, site):
        later = START + timedelta(minutes=10)

        Visit.objects.store([prepare(site, path="/later", at=later), prepare(site, path="/a")])

        assert copies() == [("/a", START, True), ("/later", START, True)]

    def test_record_earlier_event_in_same_half_hour_takes_over_acquisition(self, site):
        record(site, at=START + timedelta(minutes=10), url=page("/later"))

        record(site, at=START, url=page("/earlier"), referrer="https://www.google.com/")

        assert Session.objects.get().source == "Google"
        assert list(Visit.objects.values_list("source", flat=True)) == ["Google", "Google"]

    def test_record_later_event_in_same_half_hour_keeps_acquisition(self, site):
        record(site, at=START, url=page("/earlier"), referrer="https://www.google.com/")
        later = prepare(site, path="/later", at=START + timedelta(minutes=10))

        # Stored as if it had not seen the earlier event: it merges as a first event.
        Visit.objects.store([{**later, "visitor_ids": [0, 0]}])

        assert Session.objects.get().source == "Google"
        assert list(Visit.objects.values_list("source", flat=True)) == ["Google", "Google"]

    def test_store_first_event_at_same_moment_keeps_acquisition(self, site):
        record(site, url=page("/first"), referrer="https://www.google.com/")
        second = Visit.objects.prepare(
            **{**pageview(site, at=START, path="/second"), "referrer": "https://duckduckgo.com/"}
        ).params

        # Stored as if it had not seen the first event: it merges as a first event of the
        # same moment, and the visit keeps the acquisition of the one stored first.
        Visit.objects.store([{**second, "visitor_ids": [0, 0]}])

        assert Session.objects.get().source == "Google"
        assert list(Visit.objects.values_list("source", flat=True)) == ["Google", "Google"]

    def test_record_earlier_event_moving_start_keeps_other_visits_copies(self, site):
        record(site, at=START + timedelta(minutes=5), ip="9.9.9.9", url=page("/other"))
        record(site, at=START + timedelta(minutes=10), url=page("/later"))

        record(site, at=START, url=page("/earlier"))

        assert copies() == [
            ("/earlier", START, True),
            ("/other", START + timedelta(minutes=5), True),
            ("/later", START, True),
        ]

    @pytest.mark.django_db(transaction=True)
    def test_record_earlier_first_event_waiting_for_later_one_moves_its_copy(self, site):
        # The later event's transaction is open: the earlier one cannot see it, opens the
        # same visit and waits; it moves the start once the later one is committed.
        record_while_open(site, held=START + timedelta(minutes=10), blocked=START)

        assert copies() == [("/blocked", START, True), ("/held", START, True)]

    @pytest.mark.django_db(transaction=True)
    def test_record_later_first_event_waiting_for_earlier_one_copies_start(self, site):
        record_while_open(site, held=START, blocked=START + timedelta(minutes=10))

        assert copies() == [("/held", START, True), ("/blocked", START, True)]

    def test_copy_from_sessions_migration_sets_every_copy(self, site):
        record(site)
        record(site, at=START + timedelta(minutes=10))
        Visit.objects.update(session_started_at=START - timedelta(days=1), session_visitor_id=0)
        migration = importlib.import_module("visits.migrations.0003_visit_session_copies")

        with connection.cursor() as cursor:
            cursor.execute(migration.COPY_FROM_SESSIONS_SQL)

        assert copies() == [("/", START, True), ("/", START, True)]


class VisitorIdTest:
    def test_visitor_stable_within_a_day(self, site):
        morning = record(site)

        evening = record(site, at=START + timedelta(hours=9))

        assert evening.visitor_id == morning.visitor_id
        assert evening.session_id != morning.session_id

    def test_visitor_differs_for_other_site(self, site):
        other_site = baker.make(Site, domain="example.org")
        visit = record(site)

        other = record(other_site, url="https://example.org/")

        assert other.visitor_id != visit.visitor_id

    def test_visitor_differs_for_other_ip(self, site):
        visit = record(site, ip="8.8.8.8")

        other = record(site, ip="8.8.4.4")

        assert other.visitor_id != visit.visitor_id
        assert other.session_id != visit.session_id

    def test_visitor_differs_for_other_user_agent(self, site):
        visit = record(site, user_agent=CHROME)

        other = record(site, user_agent=FIREFOX)

        assert other.visitor_id != visit.visitor_id
        assert other.session_id != visit.session_id

    def test_visitor_differs_across_days(self, site):
        visit = record(site)

        next_day = record(site, at=START + timedelta(days=1))

        assert next_day.visitor_id != visit.visitor_id

    def test_visitor_id_follows_receipt_day(self, site):
        visit = record(site)

        late = record(
            site, at=START + timedelta(hours=2), received_at=START + timedelta(days=1, hours=2)
        )

        assert late.visitor_id != visit.visitor_id


class SessionTest:
    def test_session_str(self):
        session = baker.prepare(Session, session_id=42, started_at=START)

        assert str(session) == "visit 42 from 2026-03-04 10:00:00"


class VisitStrTest:
    def test_visit_str(self):
        visit = baker.prepare(
            Visit, name="pageview", path="/pricing", timestamp=START + timedelta(seconds=7)
        )

        assert str(visit) == "pageview /pricing at 2026-03-04 10:00:07"


class VisitDroppedTest:
    def test_visit_dropped_carries_reason(self):
        dropped = VisitDropped(DropReason.BOT)

        assert dropped.reason == DropReason.BOT
        assert str(dropped) == "bot"


class VisitQuerySetTest:
    def test_for_site(self, site):
        other_site = baker.make(Site, domain="example.org")
        visit = baker.make(Visit, site=site)
        baker.make(Visit, site=other_site)

        visits = Visit.objects.for_site(site)

        assert list(visits) == [visit]

    def test_visible_to_owner(self, site):
        visit = baker.make(Visit, site=site)
        baker.make(Visit, site=baker.make(Site, domain="example.org"))

        visits = Visit.objects.visible_to(site.owner)

        assert list(visits) == [visit]

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
    def test_visible_to_member(self, site, role):
        member = baker.make("accounts.User", email="member@example.com")
        baker.make(Membership, site=site, user=member, role=role)
        visit = baker.make(Visit, site=site)

        visits = Visit.objects.visible_to(member)

        assert list(visits) == [visit]

    def test_visible_to_stranger(self, site):
        stranger = baker.make("accounts.User", email="stranger@example.com")
        baker.make(Visit, site=site)

        visits = Visit.objects.visible_to(stranger)

        assert not visits.exists()

    def test_visible_to_anonymous(self, site):
        baker.make(Visit, site=site)

        visits = Visit.objects.visible_to(AnonymousUser())

        assert not visits.exists()


class NewSessionIdTest:
    def test_new_session_id_deterministic(self):
        first = new_session_id(123456789, START)

        again = new_session_id(123456789, START)

        assert again == first

    def test_new_session_id_same_half_hour(self):
        session_id = new_session_id(123456789, START)

        later = new_session_id(123456789, START + timedelta(minutes=29, seconds=59))

        assert later == session_id

    def test_new_session_id_next_half_hour(self):
        session_id = new_session_id(123456789, START)

        later = new_session_id(123456789, START + timedelta(minutes=30))

        assert later != session_id

    def test_new_session_id_other_visitor(self):
        session_id = new_session_id(123456789, START)

        other = new_session_id(987654321, START)

        assert other != session_id

    def test_new_session_id_one_per_visitor_in_half_hour(self):
        session_ids = {new_session_id(visitor, START) for visitor in range(64)}

        assert len(session_ids) == 64

    @pytest.mark.parametrize("visitor", [0, 1, 2**62, 2**63 - 1])
    def test_new_session_id_63_bits(self, visitor):
        session_id = new_session_id(visitor, datetime(2099, 12, 31, 23, 59, tzinfo=UTC))

        assert 0 <= session_id < 2**63


class RolledDayQuerySetTest:
    def test_forget_days_of_the_moments(self, site):
        day = START.date()
        for rolled in (day, day + timedelta(days=1)):
            baker.make(RolledDay, site=site, day=rolled, timezone="UTC")
            baker.make(DailyRollup, site=site, day=rolled)

        RolledDay.objects.forget(site, [START, START + timedelta(hours=1)])

        assert list(RolledDay.objects.values_list("day", flat=True)) == [day + timedelta(days=1)]
        assert list(DailyRollup.objects.values_list("day", flat=True)) == [day + timedelta(days=1)]

    def test_forget_other_site_kept(self, site):
        other = baker.make(Site, domain="other.example")
        for rolled_site in (site, other):
            baker.make(RolledDay, site=rolled_site, day=START.date(), timezone="UTC")
            baker.make(DailyRollup, site=rolled_site, day=START.date())

        RolledDay.objects.forget(site, [START])

        assert list(RolledDay.objects.values_list("site", flat=True)) == [other.pk]
        assert list(DailyRollup.objects.values_list("site", flat=True)) == [other.pk]

    def test_forget_local_day_of_the_site(self, site):
        site.timezone = "America/New_York"  # 10:00 UTC on 4 March is 05:00 there
        baker.make(RolledDay, site=site, day=START.date(), timezone="America/New_York")

        RolledDay.objects.forget(site, [START - timedelta(hours=6)])  # 3 March there

        assert RolledDay.objects.exists()


class RecordRollupTest:
    def test_record_late_event_forgets_its_day(self, site):
        baker.make(RolledDay, site=site, day=START.date(), timezone="UTC")

        record(site, at=START, received_at=START + timedelta(days=2))

        assert not RolledDay.objects.exists()

    def test_record_late_event_forgets_day_its_visit_started(self, site):
        evening = START.replace(hour=23, minute=50)
        record(site, at=evening, received_at=evening)
        baker.make(RolledDay, site=site, day=evening.date(), timezone="UTC")

        late = record(
            site, at=evening + timedelta(minutes=20), received_at=evening + timedelta(hours=1)
        )

        assert Session.objects.get(session_id=late.session_id).started_at == evening
        assert not RolledDay.objects.exists()

    def test_record_late_event_moving_start_forgets_day_visit_started_before(self, site):
        site.timezone = "Asia/Kathmandu"  # UTC+5:45: local midnight is 18:15 UTC
        late = START + timedelta(days=2)
        record(site, at=datetime(2026, 3, 4, 18, 20, tzinfo=UTC), received_at=late)  # 5 March
        baker.make(RolledDay, site=site, day=date(2026, 3, 5), timezone=site.timezone)

        # An earlier event of the same half hour, on 4 March, moves the visit's start there.
        record(site, at=datetime(2026, 3, 4, 18, 10, tzinfo=UTC), received_at=late)

        assert not RolledDay.objects.exists()

    def test_record_event_30_minutes_old_keeps_rolled_days(self, site):
        baker.make(RolledDay, site=site, day=START.date(), timezone="UTC")

        record(site, at=START, received_at=START + timedelta(minutes=30))

        assert RolledDay.objects.exists()

    def test_record_event_over_30_minutes_old_forgets_its_day(self, site):
        baker.make(RolledDay, site=site, day=START.date(), timezone="UTC")

        record(site, at=START, received_at=START + timedelta(minutes=30, microseconds=1))

        assert not RolledDay.objects.exists()

    def test_record_live_event_keeps_rolled_days(self, site):
        baker.make(RolledDay, site=site, day=START.date(), timezone="UTC")

        record(site, at=START + timedelta(days=1), received_at=START + timedelta(days=1))

        assert RolledDay.objects.exists()

    def test_record_visit_counted_per_local_day(self, site):
        site.timezone = "Asia/Tokyo"  # 10:00 UTC is 19:00 there

        visit = record(site, at=START, received_at=START)

        session = Session.objects.get(session_id=visit.session_id)
        assert session.visitor_id == visitor_of_day(visit.visitor_id, START.date())
        later = record(site, at=START + timedelta(hours=6), received_at=START + timedelta(hours=6))
        assert Session.objects.get(session_id=later.session_id).visitor_id == visitor_of_day(
            visit.visitor_id, START.date() + timedelta(days=1)
        )


class RollupStrTest:
    def test_rolled_day_str(self, site):
        rolled = baker.make(RolledDay, site=site, day=START.date())

        assert str(rolled) == f"2026-03-04 of site {site.pk}"

    def test_daily_rollup_str(self, site):
        rollup = baker.make(
            DailyRollup, site=site, day=START.date(), dimension="visit:country", value="DE"
        )

        assert str(rollup) == f"2026-03-04 visit:country='DE' of site {site.pk}"
