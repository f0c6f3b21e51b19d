"""Load a million events or more with COPY and time the dashboard's stats queries.

Run as ``bench/stats`` (or ``.venv/bin/python bench/stats.py``); ``--help`` lists the options.
With DATABASE_URL set, the script loads into the database the URL names (or ``--database``):
one it had to create, it drops at the end; in one that existed, it deletes only the rows it
loaded; ``--keep`` keeps either. Without DATABASE_URL, it starts an embedded PostgreSQL
(pgserver) in a temporary directory. Exits 1 when a query's p95 misses the target, 2 when it
cannot run.
"""

import argparse
import csv
import io
import itertools
import json
import math
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATABASE = "tally_bench_stats"  # the database made in a temporary embedded server
MAINTENANCE_DATABASE = "postgres"  # where CREATE and DROP DATABASE run
BENCH_OWNER = "bench@tally.test"
TARGET_P95_MS = 300.0
SITE_DOMAIN = "bench.tally.test"
SITE_TIMEZONE = "Europe/Berlin"
# The fixed "today" of the benchmark: the 30 days of traffic end with it, and so does "30d".
LAST_DAY = date(2025, 6, 30)
DAYS = 30

# Traffic shape: visits by local hour, weekdays busier than weekends (Monday first).
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 8, 13, 16, 17, 17, 15, 16, 17, 17, 15, 13, 11, 10, 9, 8, 6, 4]
WEEKDAY_FACTORS = [1.1, 1.15, 1.1, 1.05, 0.95, 0.65, 0.7]
BOUNCE_RATE = 0.45
PAGEVIEW_SHARE = 0.85  # of the events after a visit's first, the rest are custom events
# Visits per visitor, within a day or so; each local day counts the visitor anew.
VISITS_PER_VISITOR = [(65, 1), (20, 2), (10, 3), (5, 4)]
MEAN_GAP_SECONDS = 120.0
MAX_GAP_SECONDS = 25 * 60

USER_AGENTS = [
    (24, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36"),
    (10, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36"),
    (8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (4, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (9, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4.1 Safari/605.1.15"),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80"),
    (18, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"),
    (12, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.6367.82 Mobile Safari/537.36"),
    (5, "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.6367.82 Mobile Safari/537.36"),
    (4, "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"),
]  # fmt: skip

# Visitors by country, the most frequent first.
COUNTRIES = [
    "US", "DE", "GB", "FR", "IN", "NL", "CA", "BR", "ES", "IT", "PL", "SE", "JP", "AU", "CH",
    "AT", "BE", "DK", "NO", "FI", "IE", "PT", "CZ", "MX", "AR", "TR", "KR", "SG", "ZA", "NZ",
]  # fmt: skip

# (weight, referrer URL, query string of the landing page)
SOURCES = [
    (30, "", ""),
    (25, "https://www.google.com/", ""),
    (3, "https://www.google.de/", ""),
    (4, "https://www.bing.com/", ""),
    (3, "https://duckduckgo.com/", ""),
    (1, "https://www.ecosia.org/", ""),
    (3, "https://t.co/x7Rq2Lm9Zk", ""),
    (3, "https://m.facebook.com/", ""),
    (2, "https://www.reddit.com/r/django/", ""),
    (2, "https://www.linkedin.com/feed/", ""),
    (2, "https://news.ycombinator.com/item?id=41234567", ""),
    (2, "https://github.com/tally-analytics/tally", ""),
    (1, "https://www.youtube.com/", ""),
    (1, "https://chatgpt.com/", ""),
    *((0.25, f"https://blog{index}.example.org/posts/analytics", "") for index in range(20)),
    *(
        (0.5, "", f"?utm_source=newsletter&utm_medium=email&utm_campaign=digest-{month:02}")
        for month in range(1, 13)
    ),
    (2, "https://t.co/x7Rq2Lm9Zk", "?utm_source=twitter&utm_medium=social&utm_campaign=launch"),
    *(
        (
            0.6,
            "https://www.google.com/",
            f"?utm_source=google&utm_medium=cpc&utm_campaign={campaign}&utm_term={term}"
            f"&utm_content=ad-{variant}",
        )
        for campaign, term in (("brand", "tally"), ("generic", "web+analytics"))
        for variant in "abc"
    ),
]

CUSTOM_EVENTS = [
    (40, "Outbound Link: Click", "url", ["https://github.com/tally-analytics/tally"]),
    (25, "File Download", "url", ["https://bench.tally.test/downloads/tracker.zip"]),
    (20, "Signup", "plan", ["free", "free", "free", "pro", "pro", "business"]),
    (15, "404", "path", [f"/old/page-{index}" for index in range(50)]),
]

EVENT_COLUMNS = (
    "site_id, timestamp, name, visitor_id, session_id, session_started_at, session_visitor_id, "
    "hostname, path, referrer, source, "
    "utm_source, utm_medium, utm_campaign, utm_term, utm_content, country, region, city, "
    "postal_code, latitude, longitude, browser, browser_version, os, os_version, device, props, "
    "interactive"
)
SESSION_COLUMNS = (
    "session_id, site_id, visitor_id, started_at, ended_at, entry_page, exit_page, pageviews, "
    "events, interactive_events, hostname, referrer, source, utm_source, utm_medium, "
    "utm_campaign, utm_term, utm_content, country, region, city, browser, browser_version, os, "
    "os_version, device"
)
NULL = r"\N"

LAST_30_DAYS = "30d"
QUERIES: list[tuple[str, dict]] = [
    (
        "a aggregate",
        {
            "metrics": ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"],
            "date_range": LAST_30_DAYS,
        },
    ),
    (
        "b time series by day",
        {
            "metrics": ["visitors", "pageviews"],
            "date_range": LAST_30_DAYS,
            "dimensions": ["time:day"],
        },
    ),
    (
        "c top pages",
        {
            "metrics": ["visitors", "pageviews"],
            "date_range": LAST_30_DAYS,
            "dimensions": ["event:page"],
            "pagination": {"limit": 10},
        },
    ),
    (
        "d top sources",
        {
            "metrics": ["visitors"],
            "date_range": LAST_30_DAYS,
            "dimensions": ["visit:source"],
            "pagination": {"limit": 10},
        },
    ),
    (
        "e top countries",
        {
            "metrics": ["visitors"],
            "date_range": LAST_30_DAYS,
            "dimensions": ["visit:country"],
            "pagination": {"limit": 10},
        },
    ),
    (
        "f top pages, US + Google",
        {
            "metrics": ["visitors", "pageviews"],
            "date_range": LAST_30_DAYS,
            "dimensions": ["event:page"],
            "filters": [["is", "visit:country", ["US"]], ["is", "visit:source", ["Google"]]],
            "pagination": {"limit": 10},
        },
    ),
]

# Tried with --try-indexes, then dropped. The covering indexes let a query read a narrow index
# (all-visible after VACUUM) instead of the heap; the statistics teach the planner how common
# the labels the engine filters on are (without them it guesses 0.5% and picks nested loops).
CANDIDATES = [
    (
        "CREATE INDEX bench_visit_site_time_cover ON visits_visit (site_id, timestamp) "
        "INCLUDE (name, visitor_id, session_id, path)",
        "DROP INDEX IF EXISTS bench_visit_site_time_cover",
    ),
    (
        "CREATE INDEX bench_session_site_start_cover ON visits_session (site_id, started_at) "
        "INCLUDE (visitor_id, pageviews, interactive_events, ended_at, source, country)",
        "DROP INDEX IF EXISTS bench_session_site_start_cover",
    ),
    (
        "CREATE STATISTICS bench_visit_labels ON (COALESCE(NULLIF(country, ''), '(none)')), "
        "(COALESCE(NULLIF(source, ''), 'Direct / None')) FROM visits_visit",
        "DROP STATISTICS IF EXISTS bench_visit_labels",
    ),
]


# Generating traffic -----------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The values events draw from, enriched once by the real ingest functions."""

    paths: tuple[str, ...]
    path_weights: tuple[float, ...]
    agents: tuple[tuple[str, ...], ...]
    agent_weights: tuple[float, ...]
    countries: tuple[str, ...]
    country_weights: tuple[float, ...]
    # (referrer host, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content)
    sources: tuple[tuple[str, ...], ...]
    source_weights: tuple[float, ...]
    custom_events: tuple[tuple[str, str, tuple[str, ...]], ...]
    custom_weights: tuple[float, ...]


@dataclass(frozen=True)
class SiteDay:
    """One site's share of one day of traffic."""

    site_id: int
    domain: str
    events: int


@dataclass(frozen=True)
class DayTask:
    """The traffic of every site on one local day, generated by one worker."""

    start: float  # UTC epoch seconds of local midnight
    end: float  # no event at or after this moment (the end of the benchmark's month)
    sites: tuple[SiteDay, ...]
    seed: int


@dataclass(frozen=True)
class DayRows:
    """One day's rows as COPY input, with their counts."""

    events_csv: str
    sessions_csv: str
    events: int
    sessions: int
    visitors: int


def cumulative(weights: list[float]) -> tuple[float, ...]:
    """Return running totals, which random.choices takes as cum_weights."""
    total, running = 0.0, []
    for weight in weights:
        total += weight
        running.append(total)
    return tuple(running)


def site_paths(count: int) -> list[str]:
    """Return ``count`` page paths, the most visited first."""
    paths = ["/", "/pricing", "/features", "/blog/", "/docs/", "/about", "/contact", "/login"]
    sections = ("getting-started", "api", "guides", "integrations", "self-hosting")
    index = 0
    while len(paths) < count:
        paths.append(f"/blog/post-{index}")
        paths.append(f"/docs/{sections[index % len(sections)]}/page-{index}")
        paths.append(f"/changelog/{index}")
        index += 1
    return paths[:count]


def build_vocabulary(*, domain: str, paths: int) -> Vocabulary:
    """Enrich the user agents, referrers and landing URLs as Visit.objects.record does."""
    from visits.enrichment.referrer import classify_referrer
    from visits.enrichment.urls import parse_page_url
    from visits.enrichment.useragent import parse_user_agent

    agents = []
    for _, header in USER_AGENTS:
        agent = parse_user_agent(header)
        agents.append(
            (agent.browser, agent.browser_version, agent.os, agent.os_version, agent.device)
        )
    sources = []
    for _, referrer, query in SOURCES:
        page = parse_page_url(f"https://{domain}/{query}")
        found = classify_referrer(referrer, site_domain=domain, utm_source=page.utm_source)
        sources.append(
            (
                found.host,
                found.source,
                page.utm_source,
                page.utm_medium,
                page.utm_campaign,
                page.utm_term,
                page.utm_content,
            )
        )
    path_list = site_paths(paths)
    return Vocabulary(
        paths=tuple(path_list),
        path_weights=cumulative([1 / (rank + 1) ** 1.1 for rank in range(len(path_list))]),
        agents=tuple(agents),
        agent_weights=cumulative([weight for weight, _ in USER_AGENTS]),
        countries=tuple(COUNTRIES),
        country_weights=cumulative([1 / (rank + 1) ** 1.2 for rank in range(len(COUNTRIES))]),
        sources=tuple(sources),
        source_weights=cumulative([weight for weight, *_ in SOURCES]),
        custom_events=tuple((name, key, tuple(values)) for _, name, key, values in CUSTOM_EVENTS),
        custom_weights=cumulative([weight for weight, *_ in CUSTOM_EVENTS]),
    )


def session_id_of(visitor: int, start: int) -> int:
    """Return the session id Visit.objects.record gives a visit starting then."""
    from visits.models import new_session_id

    return new_session_id(visitor, datetime.fromtimestamp(start, UTC))


def counted_visitor(visitor: int, start: int) -> int:
    """Return the visitor Visit.objects.record counts for a visit starting then."""
    from visits.visitors import visitor_of_day

    return visitor_of_day(visitor, datetime.fromtimestamp(start, ZoneInfo(SITE_TIMEZONE)).date())


def timestamp_text(epoch: int) -> str:
    """Return a UTC moment as COPY reads it."""
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


# Set in each worker by the pool initializer: the vocabulary is large and the same for all days.
_vocabulary: Vocabulary | None = None


def _init_worker(vocabulary: Vocabulary) -> None:
    global _vocabulary
    _vocabulary = vocabulary


def generate_day(task: DayTask) -> DayRows:
    """Return one day's events and visits for every site, events in time order."""
    vocab = _vocabulary
    assert vocab is not None
    rng = random.Random(task.seed)  # made-up traffic, no secret
    choices, uniform = rng.choices, rng.random
    events: list[tuple] = []
    sessions: list[list] = []
    visitors = 0
    hours = cumulative(HOUR_WEIGHTS)
    spans = [count for _, count in VISITS_PER_VISITOR]
    span_weights = cumulative([weight for weight, _ in VISITS_PER_VISITOR])
    for site in task.sites:
        made = 0
        while made < site.events:
            visitors += 1
            visitor = rng.getrandbits(63)
            agent = choices(vocab.agents, cum_weights=vocab.agent_weights)[0]
            country = choices(vocab.countries, cum_weights=vocab.country_weights)[0]
            hour = choices(range(24), cum_weights=hours)[0]
            start = int(task.start + hour * 3600 + uniform() * 3600)
            for visit_index in range(choices(spans, cum_weights=span_weights)[0]):
                if start >= task.end:
                    break
                if visit_index and uniform() < 0.6:
                    source = vocab.sources[0]  # a visitor coming back later mostly types the URL
                else:
                    source = choices(vocab.sources, cum_weights=vocab.source_weights)[0]
                session_id = session_id_of(visitor, start)
                counted = counted_visitor(visitor, start)
                moment, path = start, None
                count = 1 if uniform() < BOUNCE_RATE else rng.randint(2, 8)
                pageviews = interactive = 0
                entry = exit_page = ""
                last = start
                for index in range(count):
                    if moment >= task.end:
                        break
                    if index == 0 or uniform() < PAGEVIEW_SHARE:
                        path = choices(vocab.paths, cum_weights=vocab.path_weights)[0]
                        name, props = "pageview", "{}"
                        pageviews += 1
                        entry = entry or path
                        exit_page = path
                    else:
                        name, key, values = choices(
                            vocab.custom_events, cum_weights=vocab.custom_weights
                        )[0]
                        props = json.dumps({key: rng.choice(values)})
                        interactive += 1
                    events.append((moment, site.site_id, name, visitor, session_id, start, counted,
                                   site.domain, path, source, country, agent, props))  # fmt: skip
                    last = moment
                    made += 1
                    moment += int(min(MAX_GAP_SECONDS, rng.expovariate(1 / MEAN_GAP_SECONDS)))
                sessions.append([start, session_id, site.site_id, counted, last, entry,
                                 exit_page, pageviews, pageviews + interactive, interactive,
                                 site.domain, source, country, agent])  # fmt: skip
                start = last + int(35 * 60 + uniform() * 5 * 3600)
    events.sort(key=lambda event: event[0])
    sessions.sort(key=lambda session: session[0])
    return DayRows(
        events_csv=_events_csv(events),
        sessions_csv=_sessions_csv(sessions),
        events=len(events),
        sessions=len(sessions),
        visitors=visitors,
    )


def _events_csv(events: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(
        (site_id, timestamp_text(moment), name, visitor, session_id, timestamp_text(start),
         counted, domain, path, *source, country, "", "", "", NULL, NULL, *agent, props, "t")
        for moment, site_id, name, visitor, session_id, start, counted, domain, path, source,
        country, agent, props in events
    )  # fmt: skip
    return buffer.getvalue()


def _sessions_csv(sessions: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(
        (session_id, site_id, visitor, timestamp_text(start), timestamp_text(last), entry,
         exit_page, pageviews, count, interactive, domain, *source, country, "", "", *agent)
        for start, session_id, site_id, visitor, last, entry, exit_page, pageviews, count,
        interactive, domain, source, country, agent in sessions
    )  # fmt: skip
    return buffer.getvalue()


def day_tasks(*, sites: list[tuple[int, str, int]], tz: ZoneInfo, seed: int) -> list[DayTask]:
    """Split each site's events over the days, busier on weekdays and growing slowly."""
    first = LAST_DAY - timedelta(days=DAYS - 1)
    days = [first + timedelta(days=offset) for offset in range(DAYS)]
    shape = [
        WEEKDAY_FACTORS[day.weekday()] * (0.85 + 0.3 * offset / DAYS)
        for offset, day in enumerate(days)
    ]
    end = datetime.combine(LAST_DAY + timedelta(days=1), clock(0), tzinfo=tz).timestamp()
    tasks = []
    for offset, day in enumerate(days):
        start = datetime.combine(day, clock(0), tzinfo=tz).timestamp()
        shares = tuple(
            SiteDay(site_id, domain, round(events * shape[offset] / sum(shape)))
            for site_id, domain, events in sites
        )
        tasks.append(DayTask(start, end, shares, seed * 1000 + offset))
    return tasks


# The database ------------------------------------------------------------------------------


def server_url(database_url: str | None, *, keep: bool) -> str:
    """Return the URL of the server to bench on, starting an embedded one when none is given."""
    if database_url:
        return database_url
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver warns when XDG_RUNTIME_DIR is unset
        import pgserver

    data_dir = Path(tempfile.mkdtemp(prefix="tally-bench-stats-"))
    server = pgserver.get_server(data_dir, cleanup_mode="stop" if keep else "delete")
    info = server.get_postmaster_info()
    print(f"embedded PostgreSQL in {data_dir}" + (" (kept)" if keep else ""))
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/postgres"


def with_database(url: str, name: str) -> str:
    """Return the URL with its database name replaced."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_execute(url: str, statement: str, name: str) -> None:
    """Run a statement about the database ``name`` outside a transaction, as CREATE and DROP
    DATABASE need; ``{}`` in the statement stands for the quoted name."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL(statement).format(sql.Identifier(name)))
    finally:
        connection.close()


def database_exists(url: str, name: str) -> bool:
    """Tell whether the server at ``url`` has a database named ``name``."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def bench_site_exists() -> bool:
    """Tell whether the bench database already holds the benchmarked site."""
    from sites.models import Site

    return Site.objects.filter(domain=SITE_DOMAIN).exists()


def delete_bench_rows() -> None:
    """Delete what the benchmark loaded: its user, whose sites and their events go with it."""
    from accounts.models import User

    User.objects.with_email(BENCH_OWNER).delete()


def setup_django(url: str) -> None:
    """Point Django at the bench database and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["HTTPS_ONLY"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_sites(*, other_sites: int) -> list:
    """Create the benchmarked site, the other sites sharing the tables, and their owner."""
    from accounts.models import User
    from sites.models import Site

    owner = User.objects.create_user(BENCH_OWNER, None, name="Bench")
    created_at = datetime.combine(
        LAST_DAY - timedelta(days=DAYS - 1), clock(0), tzinfo=ZoneInfo(SITE_TIMEZONE)
    )
    domains = [SITE_DOMAIN, *(f"other{index}.tally.test" for index in range(1, other_sites + 1))]
    return [
        Site.objects.create(domain=domain, name=domain, timezone=SITE_TIMEZONE, owner=owner,
                            created_at=created_at)
        for domain in domains
    ]  # fmt: skip


def load(*, tasks: list[DayTask], vocabulary: Vocabulary, workers: int) -> DayRows:
    """Generate the days in worker processes and COPY each into both tables as it arrives."""
    from django.db import connection

    connection.close()  # the workers are forked: they must not share the parent's connection
    totals = DayRows("", "", 0, 0, 0)
    context = get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(vocabulary,)) as pool:
        connection.ensure_connection()
        raw = connection.connection
        for done, rows in enumerate(pool.imap(generate_day, tasks), start=1):
            with raw.cursor() as cursor:
                cursor.copy_expert(
                    f"COPY visits_visit ({EVENT_COLUMNS}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    io.StringIO(rows.events_csv),
                )
                cursor.copy_expert(
                    f"COPY visits_session ({SESSION_COLUMNS}) FROM STDIN "
                    "WITH (FORMAT csv, NULL '\\N')",
                    io.StringIO(rows.sessions_csv),
                )
            raw.commit()
            totals = DayRows(
                "",
                "",
                totals.events + rows.events,
                totals.sessions + rows.sessions,
                totals.visitors + rows.visitors,
            )
            if sys.stdout.isatty():
                print(f"  {done}/{len(tasks)} days, {totals.events:,} events", end="\r", flush=True)
    return totals


def execute(statement: str) -> None:
    """Run one statement on the bench database in autocommit mode."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)


def table_sizes() -> list[tuple[str, int, str, str]]:
    """Return each bench table's rows, heap size and index size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_table_size(oid)), "
            "pg_size_pretty(pg_indexes_size(oid)) FROM pg_class "
            "WHERE relname IN ('visits_visit', 'visits_session') ORDER BY relname DESC"
        )
        return cursor.fetchall()


# Timing queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """The measured runs of one query and the SQL statements it ran."""

    name: str
    runs_ms: list[float]
    statements: list[tuple[str, tuple]]

    def percentile(self, fraction: float) -> float:
        """Return the nearest-rank percentile of the runs."""
        ordered = sorted(self.runs_ms)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    @property
    def passed(self) -> bool:
        """Tell whether the p95 is within the target."""
        return self.percentile(0.95) <= TARGET_P95_MS


def time_queries(*, site, runs: int, warmups: int, only: str) -> list[Timing]:
    """Run each dashboard query through the real engine; return the timed runs."""
    from django.db import connection

    from visits.stats.engine import run_query
    from visits.stats.query import parse_query

    tz = ZoneInfo(site.timezone)
    now = datetime.combine(LAST_DAY, clock(23, 59, 59), tzinfo=tz)
    first_day = LAST_DAY - timedelta(days=DAYS - 1)
    timings = []
    for name, body in QUERIES:
        if name[0] not in only:
            continue
        statements: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context, statements=statements):
            statements.append((sql, tuple(params or ())))
            return execute(sql, params, many, context)

        samples = []
        for index in range(warmups + runs):
            statements.clear()
            with connection.execute_wrapper(capture):
                started = time.perf_counter()
                query = parse_query(body, tz=tz, now=now, first_day=first_day)
                run_query(site, query)
                elapsed = (time.perf_counter() - started) * 1000
            if index >= warmups:
                samples.append(elapsed)
        timings.append(Timing(name, samples, list(statements)))
    return timings


def explain(statements: list[tuple[str, tuple]]) -> Iterator[str]:
    """Yield the EXPLAIN (ANALYZE, BUFFERS) lines of each query, under the timed settings.

    The statements run in transactions as the engine ran them: the settings it made for the
    query (isolation, SET LOCAL work_mem, the statement timeout) apply to the plans shown. A
    SET TRANSACTION began the engine's transaction, after the roll-up's lookups: it begins a
    new one here too.
    """
    from django.db import connection, transaction

    starts = [i for i, (sql, _) in enumerate(statements) if sql.startswith("SET TRANSACTION")]
    bounds = [0, *starts, len(statements)]
    number = 0
    for start, end in itertools.pairwise(bounds):
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in statements[start:end]:
                number += 1
                if sql.startswith("SET ") or "set_config(" in sql:
                    cursor.execute(sql, params)
                    yield f"-- setting: {sql} {params!r}"
                    continue
                yield f"-- statement {number}: {sql}"
                yield f"-- params: {params!r}"
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                for (line,) in cursor.fetchall():
                    yield line


def print_table(title: str, timings: list[Timing], before: list[Timing] | None = None) -> None:
    """Print p50 and p95 of each query next to the target, and the earlier p95 when given."""
    print(f"\n{title}")
    header = f"{'query':28} {'p50 ms':>8} {'p95 ms':>8}  {'target':>8}  result"
    print(header + ("   p95 before" if before else ""))
    for index, timing in enumerate(timings):
        line = (
            f"{timing.name:28} {timing.percentile(0.5):8.1f} {timing.percentile(0.95):8.1f}  "
            f"{'<= ' + str(int(TARGET_P95_MS)):>8}  {'PASS' if timing.passed else 'MISS'}"
        )
        if before:
            line += f"   {before[index].percentile(0.95):8.1f}"
        print(line)


# Running the benchmark --------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="bench/stats", description=__doc__.splitlines()[0], allow_abbrev=False
    )
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="events of the benchmarked site (1000000)"
    )
    parser.add_argument("--other-sites", type=int, default=3, help="other sites (3)")
    parser.add_argument(
        "--other-share",
        type=float,
        default=0.05,
        help="each other site's events, as a share (0.05)",
    )
    parser.add_argument("--paths", type=int, default=2000, help="distinct page paths (2000)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each query (20)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs first (2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="processes generating traffic while the main one copies (CPUs - 1)",
    )
    parser.add_argument(
        "--only",
        default="".join(name[0] for name, _ in QUERIES),
        metavar="LETTERS",
        help="the queries to time, by letter (abcdef)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN every query, not only those missing"
    )
    parser.add_argument(
        "--try-indexes",
        action="store_true",
        help="add candidate covering indexes and statistics, time again, then drop them",
    )
    parser.add_argument(
        "--set",
        type=parse_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the timed session, e.g. work_mem=64MB (repeatable)",
    )
    parser.add_argument(
        "--raw", action="store_true", help="time the queries on the raw tables, without rollups"
    )
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="the database to load into, on DATABASE_URL's server (default: the one the URL "
        "names); created when missing, and then dropped at the end",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the loaded rows afterwards (and the database, when bench/stats created it)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the rows an earlier --keep run left in the database; no loading",
    )
    args = parser.parse_args(argv)
    if not args.only or set(args.only) - {name[0] for name, _ in QUERIES}:
        parser.error("--only takes letters of the queries, among abcdef")
    if (args.reuse or args.database) and not os.environ.get("DATABASE_URL"):
        parser.error(
            "--reuse and --database need DATABASE_URL: the embedded server lives in a "
            "temporary directory"
        )
    if args.events < 1 or args.runs < 1 or args.warmups < 0 or args.workers < 1:
        parser.error("--events, --runs and --workers take at least 1, --warmups at least 0")
    return args


def timed(label: str, action: Callable[[], object]) -> tuple[object, float]:
    """Run an action, print how long it took, and return its result and the seconds."""
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s")
    return result, seconds


def load_traffic(args: argparse.Namespace):
    """Create the sites, load their traffic and VACUUM ANALYZE; return the benchmarked site."""
    sites = create_sites(other_sites=args.other_sites)
    site = sites[0]
    shares = [(site.pk, site.domain, args.events)] + [
        (other.pk, other.domain, round(args.events * args.other_share)) for other in sites[1:]
    ]
    vocabulary = build_vocabulary(domain=SITE_DOMAIN, paths=args.paths)
    tasks = day_tasks(sites=shares, tz=ZoneInfo(SITE_TIMEZONE), seed=args.seed)
    print(
        f"loading {args.events:,} events of {site.domain} and {args.other_share:.0%} as many for "
        f"each of {args.other_sites} other sites, over {DAYS} days, {args.workers} worker(s)"
    )
    totals, load_seconds = timed(
        "load (generate + COPY)",
        lambda: load(tasks=tasks, vocabulary=vocabulary, workers=args.workers),
    )
    # VACUUM sets the visibility map, without which no scan can be index-only.
    _, vacuum_seconds = timed("VACUUM ANALYZE", lambda: execute("VACUUM ANALYZE"))
    print(
        f"loaded {totals.events:,} events, {totals.sessions:,} visits, {totals.visitors:,} "
        f"visitors (all sites) in {load_seconds:.1f} s: {totals.events / load_seconds:,.0f} "
        f"events/s, {(totals.events + totals.sessions) / load_seconds:,.0f} rows/s; "
        f"{load_seconds + vacuum_seconds:.1f} s with VACUUM ANALYZE"
    )
    return site


def describe_database(settings: list[tuple[str, str]]) -> None:
    """Print the tables' sizes, apply the session settings and print the server's."""
    from django.db import connection

    for name, rows, heap, indexes in table_sizes():
        print(f"  {name:16} {rows:>12,} rows  table {heap:>8}  indexes {indexes:>8}")
    shown = ["shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"]
    with connection.cursor() as cursor:
        for name, value in settings:
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
        names = [*shown, *(name for name, _ in settings if name not in shown)]
        cursor.execute(
            "SELECT current_setting('server_version'), "
            + ", ".join("current_setting(%s)" for _ in names),
            names,
        )
        version, *values = cursor.fetchone()
    print(
        f"PostgreSQL {version}: "
        + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))
    )


def print_explains(timings: list[Timing], *, every: bool, note: str = "") -> None:
    """Print the plans of the queries missing the target, or of all when ``every``."""
    for timing in timings:
        if every or not timing.passed:
            print(f"\nEXPLAIN {timing.name}{note} (p95 {timing.percentile(0.95):.0f} ms)")
            for line in explain(timing.statements):
                print(f"  {line}")


def roll_up_or_forget(site, *, raw: bool) -> None:
    """Roll up the benchmark's days, or with ``raw`` forget them and roll up none meanwhile."""
    from django.utils import timezone

    from visits.models import DailyRollup, RolledDay
    from visits.stats import rollups
    from visits.stats.dates import local_days_range

    if raw:
        rollups.ROLL_BUDGET_SECONDS = 0.0  # stats requests roll up no day
        DailyRollup.objects.filter(site=site).delete()
        RolledDay.objects.filter(site=site).delete()
        print("rollups: none, every query reads the raw tables")
        return
    days = local_days_range(
        LAST_DAY - timedelta(days=DAYS - 1), LAST_DAY + timedelta(days=1), ZoneInfo(site.timezone)
    )
    rolled, _ = timed(
        f"roll up {DAYS} days", lambda: rollups.roll_up(site, [days], now=timezone.now())
    )
    print(
        f"rolled up {rolled} days ({DAYS - rolled} already were); "
        f"{DailyRollup.objects.filter(site=site).count():,} rollup rows"
    )


def benchmark(args: argparse.Namespace) -> int:
    """Load the traffic, time the queries, explain the misses; return the exit status."""
    from sites.models import Site
    from visits.models import Visit

    if args.reuse:
        site = Site.objects.get(domain=SITE_DOMAIN)
        print(f"reusing the rows a --keep run left (the site {SITE_DOMAIN})")
        for _, drop in CANDIDATES:  # left by an interrupted --try-indexes
            execute(drop)
    else:
        site = load_traffic(args)
    describe_database(args.set)
    events = Visit.objects.for_site(site).count()
    roll_up_or_forget(site, raw=args.raw)
    runs = f"{args.runs} runs after {args.warmups} warm-ups"
    timings = time_queries(site=site, runs=args.runs, warmups=args.warmups, only=args.only)
    print_table(f"stats queries over 30 days of {events:,} events ({runs})", timings)
    print_explains(timings, every=args.explain)
    if args.try_indexes:
        print()
        for create, _ in CANDIDATES:
            timed(create, lambda create=create: execute(create))
        timed("VACUUM ANALYZE", lambda: execute("VACUUM ANALYZE"))
        try:
            after = time_queries(site=site, runs=args.runs, warmups=args.warmups, only=args.only)
            print_table(f"with the candidate indexes and statistics ({runs})", after, timings)
            print_explains(after, every=args.explain, note=" with the candidates")
        finally:
            for _, drop in CANDIDATES:
                execute(drop)
    return 0 if all(timing.passed for timing in timings) else 1


def parse_setting(value: str) -> tuple[str, str]:
    """Parse NAME=VALUE, for argparse."""
    name, equals, setting = value.partition("=")
    if not equals or not name:
        raise ValueError(value)
    return name.strip(), setting.strip()


class CannotRun(Exception):
    """The benchmark cannot run on this database; the message says why and what to do."""


def choose_database(args: argparse.Namespace, server: str) -> tuple[str, bool]:
    """Return the bench database's name, and whether bench/stats must create it."""
    named = urlsplit(server).path.strip("/")
    if not os.environ.get("DATABASE_URL"):
        return EMBEDDED_DATABASE, True  # a temporary server, made for this run
    name = args.database or named
    if not name:
        raise CannotRun("DATABASE_URL names no database; add one to it, or use --database")
    exists = database_exists(with_database(server, MAINTENANCE_DATABASE), name)
    if args.reuse and not exists:
        raise CannotRun(f"there is no database {name} to --reuse")
    return name, not exists


def main(argv: list[str]) -> int:
    """Load into the bench database, run the benchmark, and clean up what it made."""
    args = parse_args(argv)
    server = server_url(os.environ.get("DATABASE_URL"), keep=args.keep)
    maintenance = with_database(server, MAINTENANCE_DATABASE)
    try:
        name, create = choose_database(args, server)
    except CannotRun as error:
        print(f"bench/stats: {error}", file=sys.stderr)
        return 2
    url = with_database(server, name)
    if create:
        admin_execute(maintenance, "CREATE DATABASE {}", name)
        print(f"created the database {name}")
    ran = False
    try:
        setup_django(url)
        if not args.reuse and bench_site_exists():
            print(
                f"bench/stats: the database {name} already holds the site {SITE_DOMAIN}, left "
                "by a --keep run: --reuse times it again, or --database names another",
                file=sys.stderr,
            )
            return 2
        if args.reuse and not bench_site_exists():
            print(f"bench/stats: the database {name} holds no {SITE_DOMAIN} to --reuse",
                  file=sys.stderr)  # fmt: skip
            return 2
        ran = True
        return benchmark(args)
    finally:
        if ran and not args.reuse and not args.keep and not create:
            timed(f"delete the rows it loaded from {name}", delete_bench_rows)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if ran and (args.keep or args.reuse):
            print(f"kept the bench rows: DATABASE_URL={url} bench/stats --reuse")
        elif create:
            admin_execute(maintenance, "DROP DATABASE IF EXISTS {}", name)
            print(f"dropped the database {name}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
