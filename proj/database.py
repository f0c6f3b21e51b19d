"""Choose the PostgreSQL server: DATABASE_URL, or an embedded server started on demand."""

import warnings
from pathlib import Path

import dj_database_url

# Our queries are short or hand-tuned; compiling them just in time costs more than it saves.
CONNECTION_OPTIONS = {"options": "-c jit=off"}


def database_settings(*, url: str | None, data_dir: Path) -> dict:
    """Return Django's settings for the default database.

    With no URL, start (or join) an embedded PostgreSQL under ``data_dir``; it stops
    when the last process using it exits.
    """
    if url:
        settings = dj_database_url.parse(url, conn_max_age=60)
        settings["OPTIONS"] = {**settings.get("OPTIONS", {}), **CONNECTION_OPTIONS}
        return settings
    with warnings.catch_warnings():
        # pgserver falls back to /tmp when XDG_RUNTIME_DIR is unset, and warns about it.
        warnings.simplefilter("ignore")
        import pgserver  # imported here so that servers with DATABASE_URL never load it

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    postmaster = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(postmaster.socket_dir),
        "PORT": str(postmaster.port),
        "CONN_MAX_AGE": 60,
        "OPTIONS": CONNECTION_OPTIONS,
    }
