"""An unreachable database: tell it from a failed query, answer 503, log it once per outage.

Connection failures (refused, dropped, the server shutting down or full) answer 503
``database_unavailable`` with ``Retry-After`` and log one WARNING per process and outage,
``database_unavailable``, then ``database_available`` at INFO once a connection is made again.
Errors of a query that reached a working server (a statement timeout, a lock timeout, a
deadlock, a constraint) are not outages and keep their own handling.
"""

import threading
from http import HTTPStatus

import structlog
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from rest_framework.exceptions import APIException

logger = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLSTATEs sent by a server that cannot serve the connection at all: class 08 (connection
# exception), shutting down or starting up (57P01-57P03), no connection slot left (53300).
# Connection failures that libpq detects itself (refused, closed) carry no SQLSTATE.
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_connection_failure(error: BaseException) -> bool:
    """Tell whether a database error means the server cannot be reached, not a failed query."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    sqlstate = getattr(error.__cause__, "pgcode", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _OUTAGE_SQLSTATES


class OutageLog:
    """Log the start of an outage once as a WARNING and its end once at INFO."""

    def __init__(self, *, down: str, up: str) -> None:
        self.down_event, self.up_event = down, up
        self._lock = threading.Lock()
        self._down = False

    def failed(self, **fields) -> None:
        """Note a failure; the first one of an outage is logged."""
        with self._lock:
            first, self._down = not self._down, True
        if first:
            logger.warning(self.down_event, **fields)

    def succeeded(self) -> None:
        """Note a success; the first one after an outage is logged."""
        with self._lock:
            recovered, self._down = self._down, False
        if recovered:
            logger.info(self.up_event)


database_outage = OutageLog(down="database_unavailable", up="database_available")


def failure_reason(error: BaseException) -> str:
    """Return the first line of a database error's message, which names host and cause."""
    return next(iter(str(error).strip().splitlines()), "")


def drop_broken_connections() -> None:
    """Close this thread's connections that no longer work, so that the next query reconnects.

    Django does this itself when a request ends, but not in tests nor outside requests.
    """
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()


def note_database_unavailable(error: BaseException, log: OutageLog = database_outage) -> None:
    """Log the outage (once per outage, in ``log``) and drop the broken connections."""
    log.failed(reason=failure_reason(error))
    drop_broken_connections()


def noted_outage(error: BaseException) -> bool:
    """Tell whether an error is a connection failure, noting the outage if it is."""
    if not is_connection_failure(error):
        return False
    note_database_unavailable(error)
    return True


@receiver(connection_created)
def _database_available(**kwargs) -> None:
    database_outage.succeeded()


class DatabaseUnavailable(APIException):
    """The database cannot be reached; the request may be sent again shortly."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"
    wait = RETRY_AFTER_SECONDS  # sent as Retry-After
