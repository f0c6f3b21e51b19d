"""The writer thread that stores the collect endpoint's events in batches."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection
from model_bakery import baker
from structlog.testing import capture_logs

from proj.tests.outage import database_unreachable
from sites.models import Site
from visits import writer
from visits.models import Session, Visit, VisitQuerySet
from visits.tests.events import pageview
from visits.writer import EventWriter, WriterFull

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def prepared(site: Site, *, path: str = "/", at: datetime = START, ip: str = "8.8.8.8") -> dict:
    """Return the statement parameters of a pageview."""
    return Visit.objects.prepare(**pageview(site, at=at, path=path, ip=ip)).params


@pytest.fixture
def site() -> Site:
    return baker.make(Site, domain="example.com")


@pytest.fixture
def buffered(settings) -> EventWriter:
    """Return a writer with the buffer on, stopped after the test."""
    settings.INGEST_BUFFER = True
    event_writer = EventWriter()
    yield event_writer
    event_writer.stop()


@pytest.fixture
def no_retry_wait(monkeypatch):
    monkeypatch.setattr(writer, "RETRY_SECONDS", (0.0,))


def eventually(condition, timeout: float = 5.0) -> bool:
    """Wait until condition() holds, at most timeout seconds; return whether it did."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def store_one(event_writer: EventWriter, site: Site) -> list[tuple[str, str]]:
    """Add a pageview and wait until it is stored; return the (event, level) of each log."""
    with capture_logs() as logs:
        event_writer.add([prepared(site)])
        # The row is visible a moment before the writer logs that it stored it: wait for the
        # log, which comes last.
        stored = eventually(lambda: any(log["event"] == "event_batch_stored" for log in logs))
    assert stored, "the event was not stored in time"
    assert Visit.objects.count() == 1
    return [(log["event"], log["log_level"]) for log in logs]


def failing_store(monkeypatch, failures: int) -> list[int]:
    """Make the database unreachable for the first `failures` batches; return batch sizes."""
    store, sizes = VisitQuerySet.store, []

    def store_or_fail(self, events):
        sizes.append(len(events))
        if len(sizes) <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        store(self, events)

    monkeypatch.setattr(VisitQuerySet, "store", store_or_fail)
    return sizes


def conflicting_store(monkeypatch, conflicts: int) -> list[int]:
    """Make the first `conflicts` batches lose a deadlock, raised by PostgreSQL; return sizes."""
    store, sizes = VisitQuerySet.store, []

    def store_or_deadlock(self, events):
        sizes.append(len(events))
        if len(sizes) <= conflicts:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; "
                    "END $$"
                )
        store(self, events)

    monkeypatch.setattr(VisitQuerySet, "store", store_or_deadlock)
    return sizes


class EventWriterTest:
    @pytest.mark.django_db
    def test_add_buffer_off_stores_at_once(self, site):
        event_writer = EventWriter()

        event_writer.add([prepared(site, path="/now")])

        assert list(Visit.objects.values_list("path", flat=True)) == ["/now"]
        assert event_writer.pending() == 0

    @pytest.mark.django_db
    def test_add_buffer_full(self, site, settings, monkeypatch):
        settings.INGEST_BUFFER = True
        monkeypatch.setattr(writer, "MAX_PENDING", 0)

        with pytest.raises(WriterFull):
            EventWriter().add([prepared(site)])

    def test_add_nothing(self, buffered):
        buffered.add([])

        assert buffered.pending() == 0
        assert buffered._thread is None

    @pytest.mark.django_db
    def test_add_buffer_full_takes_none_of_the_events(self, site, buffered, monkeypatch):
        monkeypatch.setattr(writer, "MAX_PENDING", 1)

        with pytest.raises(WriterFull):
            buffered.add([prepared(site, path="/a"), prepared(site, path="/b")])

        assert buffered.pending() == 0

    @pytest.mark.django_db(transaction=True)
    def test_add_buffer_on_stores_in_background(self, site, buffered):
        buffered.add([prepared(site, path="/later")])
        buffered.stop()

        assert list(Visit.objects.values_list("path", flat=True)) == ["/later"]
        assert buffered.pending() == 0

    @pytest.mark.django_db(transaction=True)
    def test_add_buffer_on_stores_in_order(self, site, buffered):
        buffered.add([prepared(site, path="/a", at=START)])
        buffered.add([prepared(site, path="/b", at=START + timedelta(minutes=5))])
        buffered.stop()

        session = Session.objects.get()
        assert (session.entry_page, session.exit_page, session.pageviews) == ("/a", "/b", 2)

    @pytest.mark.django_db(transaction=True)
    def test_add_after_stop_starts_thread_again(self, site, buffered):
        buffered.add([prepared(site, path="/a")])
        buffered.stop()

        buffered.add([prepared(site, path="/b")])
        buffered.stop()

        assert set(Visit.objects.values_list("path", flat=True)) == {"/a", "/b"}

    def test_stop_before_any_event(self, buffered):
        with capture_logs() as logs:
            buffered.stop()

        assert (buffered.pending(), logs) == (0, [])

    @pytest.mark.django_db(transaction=True)
    def test_store_database_unreachable_retries(self, site, buffered, monkeypatch, no_retry_wait):
        sizes = failing_store(monkeypatch, failures=2)

        logs = store_one(buffered, site)

        assert sizes == [1, 1, 1]
        assert logs == [
            ("event_batch_waits_for_database", "warning"),
            ("event_batch_waits_for_database", "info"),
            ("event_batch_stored", "debug"),
        ]

    @pytest.mark.django_db(transaction=True)
    def test_store_database_really_unreachable_stored_after(self, site, buffered, no_retry_wait):
        event = prepared(site)  # today's salt is read before the database goes

        with capture_logs() as logs, database_unreachable():
            buffered.add([event])
            assert eventually(lambda: len(logs) > 0)
        stored = eventually(lambda: Visit.objects.exists())

        assert stored
        assert (logs[0]["event"], logs[0]["log_level"], logs[0]["reason"]) == (
            "event_batch_waits_for_database",
            "warning",
            'connection to server at "127.0.0.1", port 1 failed: Connection refused',
        )

    @pytest.mark.django_db(transaction=True)
    def test_store_deadlock_retries_at_once(self, site, buffered, monkeypatch):
        monkeypatch.setattr(writer, "RETRY_SECONDS", (60.0,))  # a wait would fail the test
        sizes = conflicting_store(monkeypatch, conflicts=1)

        logs = store_one(buffered, site)

        assert sizes == [1, 1]
        assert logs == [
            ("event_batch_conflict_retried", "warning"),
            ("event_batch_stored", "debug"),
        ]

    @pytest.mark.django_db(transaction=True)
    def test_store_deadlock_again_and_again_waits(self, site, buffered, monkeypatch, no_retry_wait):
        monkeypatch.setattr(writer, "CONFLICT_RETRIES", 1)
        sizes = conflicting_store(monkeypatch, conflicts=2)

        logs = store_one(buffered, site)

        assert sizes == [1, 1, 1]
        assert logs == [
            ("event_batch_conflict_retried", "warning"),
            ("event_batch_waits_for_database", "error"),
            ("event_batch_stored", "debug"),
        ]

    @pytest.mark.django_db(transaction=True)
    def test_stop_database_unreachable_gives_up(self, site, buffered, monkeypatch):
        failing_store(monkeypatch, failures=1)
        # The batch gathers until the writer is told to stop, however slow the machine.
        monkeypatch.setattr(writer, "LINGER_SECONDS", 60.0)

        with capture_logs() as logs:
            buffered.add([prepared(site)])
            buffered.stop()

        assert Visit.objects.count() == 0
        assert [(log["event"], log["events"]) for log in logs] == [("event_batch_not_stored", 1)]

    @pytest.mark.django_db(transaction=True)
    def test_store_refused_batch_stores_the_other_events(self, site, buffered):
        bad = {**prepared(site, path="/bad", ip="8.8.4.4"), "props": "{not json"}

        with capture_logs() as logs:
            buffered.add([prepared(site, path="/a")])
            buffered.add([bad])
            buffered.add([prepared(site, path="/b", ip="1.1.1.1")])
            buffered.stop()

        assert set(Visit.objects.values_list("path", flat=True)) == {"/a", "/b"}
        problems = [log for log in logs if log["log_level"] != "debug"]
        assert [(log["event"], log["site_id"]) for log in problems] == [
            ("event_not_stored", site.pk)
        ]

    @pytest.mark.django_db(transaction=True)
    def test_store_database_lost_while_storing_one_by_one(
        self, site, buffered, monkeypatch, no_retry_wait
    ):
        bad = {**prepared(site, path="/bad", ip="8.8.4.4"), "props": "{not json"}
        store, calls = VisitQuerySet.store, []

        def store_losing_connection_once(self, events):
            calls.append([event["path"] for event in events])
            if len(calls) == 2:  # the first event alone, after the batch was refused
                raise OperationalError("server closed the connection unexpectedly")
            store(self, events)

        monkeypatch.setattr(VisitQuerySet, "store", store_losing_connection_once)
        buffered.add([prepared(site, path="/a"), bad])  # one batch, however slow the machine
        buffered.stop()

        assert list(Visit.objects.values_list("path", flat=True)) == ["/a"]
        assert calls == [["/a", "/bad"], ["/a"], ["/a"], ["/bad"]]

    @pytest.mark.django_db(transaction=True)
    def test_stop_timeout_reports_events_left(self, site, buffered, monkeypatch):
        monkeypatch.setattr(writer, "MAX_BATCH", 1)
        storing, release, store = threading.Event(), threading.Event(), VisitQuerySet.store

        def slow_store(self, events):
            storing.set()
            release.wait(5)
            store(self, events)

        monkeypatch.setattr(VisitQuerySet, "store", slow_store)
        buffered.add([prepared(site, path="/a")])
        assert storing.wait(5), "the writer did not take the first batch in time"
        buffered.add([prepared(site, path="/b")])

        with capture_logs() as logs:
            buffered.stop(timeout=0.05)
        release.set()
        buffered.stop()

        assert [(log["event"], log["events"]) for log in logs] == [("events_not_stored_at_exit", 1)]
        assert Visit.objects.count() == 2
