"""Events the collect endpoint accepted, stored by a writer thread in batches.

The endpoint answers once an event is valid and enriched. Each process has one writer thread
that stores the events in batches, each in one transaction and one round trip: a batch gathers
for up to LINGER_SECONDS after its first event, or until it holds MAX_BATCH events. Where
events may and may not be lost is in README, "Durability".

With ``INGEST_BUFFER`` off, each event is stored before the endpoint answers.
"""

import atexit
import threading
from collections import deque

import structlog
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from proj.api.outage import failure_reason, is_connection_failure
from visits.models import Visit

logger = structlog.get_logger(__name__)

MAX_PENDING = 10_000  # events waiting at most; then the endpoint answers 503
MAX_BATCH = 500  # events per transaction
LINGER_SECONDS = 0.02  # how long a batch gathers events
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)  # waits after failed attempts to reach the database
STOP_SECONDS = 10.0  # how long an exiting process waits for its events to be stored
# SQLSTATEs of a transaction that lost a conflict with another (deadlock detected, could not
# serialize): the database is fine, and the batch is tried again at once, up to
# CONFLICT_RETRIES times a batch; after that it waits as for an unreachable database.
_CONFLICTS = frozenset({"40P01", "40001"})
CONFLICT_RETRIES = 3


class WriterFull(Exception):
    """Too many events are waiting to be stored: the database is unreachable or too slow."""


class EventWriter:
    """A queue of prepared events and the thread that stores them."""

    def __init__(self) -> None:
        self._pending: deque[dict] = deque()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def add(self, events: list[dict]) -> None:
        """Store prepared events' parameters soon, or now with the buffer off; all or none."""
        if not events:
            return
        if not settings.INGEST_BUFFER:
            Visit.objects.store(events)
            return
        with self._changed:
            if len(self._pending) + len(events) > MAX_PENDING:
                raise WriterFull
            self._pending.extend(events)
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
                self._thread.start()
            self._changed.notify()

    def pending(self) -> int:
        """Return how many events wait to be stored."""
        return len(self._pending)

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Store the waiting events and end the thread, waiting at most timeout seconds."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pending:
            logger.error("events_not_stored_at_exit", events=len(self._pending))

    def _run(self) -> None:
        try:
            while batch := self._next_batch():
                self._store(batch)
        finally:
            connection.close()  # the thread's own connection

    def _next_batch(self) -> list[dict]:
        """Wait for events and take up to MAX_BATCH; return [] when stopping with none left."""
        with self._changed:
            while not self._pending and not self._stopping:
                self._changed.wait()
            # Let a batch gather: one write per LINGER_SECONDS under load.
            self._changed.wait_for(
                lambda: self._stopping or len(self._pending) >= MAX_BATCH, LINGER_SECONDS
            )
            return [self._pending.popleft() for _ in range(min(MAX_BATCH, len(self._pending)))]

    def _store(self, batch: list[dict]) -> None:
        """Store a batch, waiting out an unreachable database; set aside events it refuses.

        While the process runs, a batch is tried until the database takes it; new events
        meanwhile wait, up to MAX_PENDING. A stopping process tries once more, then gives up.
        A batch that lost a conflict with another worker's (a deadlock) is tried again at once.
        """
        failures = conflicts = 0
        while True:
            try:
                Visit.objects.store(batch)
            except (OperationalError, InterfaceError) as error:
                conflict = getattr(error.__cause__, "pgcode", None) in _CONFLICTS
                if conflict and conflicts < CONFLICT_RETRIES:
                    conflicts += 1
                    logger.warning("event_batch_conflict_retried", events=len(batch))
                    continue
                connection.close()
                if self._stopping:
                    logger.exception("event_batch_not_stored", events=len(batch))
                    return
                failures += 1
                _log_wait(error, events=len(batch), attempt=failures)
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1]
                with self._changed:
                    self._changed.wait_for(lambda: self._stopping, wait)
            except DatabaseError:
                self._store_one_by_one(batch)
                return
            else:
                logger.debug("event_batch_stored", events=len(batch))
                return

    def _store_one_by_one(self, batch: list[dict]) -> None:
        """Store each event of a refused batch alone, so one bad event loses only itself."""
        for params in batch:
            try:
                Visit.objects.store([params])
            except (OperationalError, InterfaceError):
                self._store([params])  # the database went away: wait for it
            except DatabaseError:
                logger.exception("event_not_stored", site_id=params["site_id"])


def _log_wait(error: Exception, *, events: int, attempt: int) -> None:
    """Log that a batch waits: first as a WARNING when the database is unreachable.

    Any other error (a deadlock lost again and again, a lock timeout) is logged with its
    traceback; the later attempts of a batch at INFO.
    """
    if attempt > 1:
        logger.info("event_batch_waits_for_database", events=events, attempt=attempt)
    elif is_connection_failure(error):
        logger.warning(
            "event_batch_waits_for_database",
            events=events,
            attempt=attempt,
            reason=failure_reason(error),
        )
    else:
        logger.exception("event_batch_waits_for_database", events=events, attempt=attempt)


event_writer = EventWriter()
atexit.register(event_writer.stop)
