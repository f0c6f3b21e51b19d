"""gunicorn settings for `make run`, bench/ingest and bench/slow_clients.py.

Threaded workers: a client that sends its request slowly holds one thread of a worker, not
the whole worker, so a few slow clients cannot stop the service answering everyone else. Many
slow clients still can; in production a buffering reverse proxy (nginx) goes in front, see
README, "Serving in production". Each thread has its own database connection, and each worker
one more for its event writer: WEB_CONCURRENCY x (WEB_THREADS + 1) connections in all.
"""

import os


def _count(name: str, default: int) -> int:
    """Read a positive whole number from the environment, or stop with a one-line error."""
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


wsgi_app = "proj.wsgi"
worker_class = "gthread"
workers = _count("WEB_CONCURRENCY", 2)
threads = _count("WEB_THREADS", 8)
