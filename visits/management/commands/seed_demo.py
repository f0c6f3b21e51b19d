"""The ``seed_demo`` command: a demo account and site with weeks of realistic visits."""

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from sites.models import Site
from visits.models import DailyRollup, RolledDay, Session, Visit

DEMO_EMAIL = "demo@tally.test"
DEMO_NAME = "Demo"
DEMO_DOMAIN = "demo.tally.test"
DEMO_TIMEZONE = "Europe/Berlin"

# Weighted like a small SaaS site's audience: mostly desktop Chrome, a third on phones.
USER_AGENTS = [
    (
        24,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
    ),
    (
        10,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
    ),
    (8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (4, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    (
        9,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
    ),
    (
        6,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    ),
    (
        18,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    ),
    (
        12,
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
    ),
    (
        5,
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
    ),
    (
        4,
        "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    ),
]

# Public /24 blocks the bundled registry data places in each country; every address in
# each block was checked against visits.enrichment.geoip.locate.
ADDRESS_BLOCKS = [
    (26, ("8.8.8", "13.107.21", "151.101.1")),  # US
    (22, ("5.9.0", "46.4.0", "85.25.0")),  # DE
    (11, ("81.2.69", "212.58.244")),  # GB
    (8, ("62.210.16", "80.67.169")),  # FR
    (6, ("193.0.6", "194.109.6")),  # NL
    (5, ("24.48.0", "99.224.0")),  # CA
    (4, ("130.242.0",)),  # SE
    (4, ("89.238.0",)),  # PL
    (4, ("49.44.0",)),  # IN
    (3, ("177.71.128", "200.160.2")),  # BR
    (3, ("133.11.0",)),  # JP
    (2, ("203.2.218",)),  # AU
]

BLOG_POSTS = ("/blog/privacy-first-analytics", "/blog/cookieless-sessions", "/blog/django-tips")
# Where visitors go next, from any page.
PAGES = [
    (30, "/"),
    (18, "/pricing"),
    (14, "/features"),
    (8, "/blog/"),
    *((6, post) for post in BLOG_POSTS),
    (8, "/docs/"),
    (7, "/docs/getting-started"),
    (4, "/about"),
]


@dataclass(frozen=True)
class Source:
    """Where a visit comes from: its referrer, the query on its landing page, and landings."""

    referrer: str
    query: str
    landings: tuple[str, ...]


SOURCES = [
    (27, Source("https://www.google.com/", "", ("/", "/pricing", *BLOG_POSTS))),
    (24, Source("", "", ("/", "/", "/pricing", "/docs/"))),
    (5, Source("https://www.bing.com/", "", ("/", "/features"))),
    (5, Source("https://duckduckgo.com/", "", ("/", *BLOG_POSTS))),
    (
        6,
        Source("https://t.co/x7Rq2Lm9Zk", "?utm_campaign=launch-week", ("/", "/features")),
    ),
    (7, Source("https://news.ycombinator.com/item?id=41234567", "", BLOG_POSTS[:1])),
    (6, Source("https://github.com/tally-analytics/tally", "", ("/docs/getting-started", "/"))),
    (
        8,
        Source(
            "",
            "?utm_source=newsletter&utm_medium=email&utm_campaign=monthly-digest",
            BLOG_POSTS,
        ),
    ),
    (
        3,
        Source(
            "",
            "?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale",
            ("/pricing",),
        ),
    ),
]

# Visits by local hour of the day: quiet at night, busy through office hours.
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 8, 13, 16, 17, 17, 15, 16, 17, 17, 15, 13, 11, 10, 9, 8, 6, 4]
# Monday first: weekdays busier than weekends.
WEEKDAY_FACTORS = [1.1, 1.15, 1.1, 1.05, 0.95, 0.65, 0.7]
BOUNCE_RATE = 0.45
RETURN_RATE = 0.08
PLANS = [(60, "free"), (30, "pro"), (10, "business")]


@dataclass(frozen=True)
class Event:
    """One event to record, as the tracker on a visitor's browser would send it."""

    timestamp: datetime
    name: str
    url: str
    referrer: str
    ip: str
    user_agent: str
    props: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seeded:
    """What seeding made: the demo login and the site with its visits."""

    email: str
    password: str
    site: Site
    events: int
    sessions: int


def pick(rng: random.Random, weighted: list[tuple[float, object]]):
    """Return one item of a list of (weight, item) pairs."""
    return rng.choices([item for _, item in weighted], [weight for weight, _ in weighted])[0]


def demo_events(
    *, rng: random.Random, now: datetime, days: int, visitors_per_day: int, tz: ZoneInfo
) -> list[Event]:
    """Return the events of ``days`` days of traffic up to ``now``, oldest first."""
    today = now.astimezone(tz).date()
    events = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        growth = 0.85 + 0.3 * (days - offset) / days
        mean = visitors_per_day * WEEKDAY_FACTORS[day.weekday()] * growth
        for _ in range(round(mean * rng.uniform(0.85, 1.15))):
            events.extend(visitor_events(rng=rng, start=visit_start(rng=rng, day=day, tz=tz)))
    return sorted(
        (event for event in events if event.timestamp <= now), key=attrgetter("timestamp")
    )


def visit_start(*, rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    """Return a moment of a local day, following the hourly traffic shape."""
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
    return local.astimezone(UTC)


def visitor_events(*, rng: random.Random, start: datetime) -> list[Event]:
    """Return a visitor's events: one visit, sometimes a direct return hours later."""
    ip = f"{rng.choice(pick(rng, ADDRESS_BLOCKS))}.{rng.randint(1, 254)}"
    user_agent = pick(rng, USER_AGENTS)
    events = visit_events(rng=rng, start=start, source=pick(rng, SOURCES), ip=ip, ua=user_agent)
    if rng.random() < RETURN_RATE:
        later = start + timedelta(hours=rng.uniform(2, 6))
        direct = Source("", "", ("/", "/pricing"))
        events.extend(visit_events(rng=rng, start=later, source=direct, ip=ip, ua=user_agent))
    return events


def visit_events(
    *, rng: random.Random, start: datetime, source: Source, ip: str, ua: str
) -> list[Event]:
    """Return the events of one visit: a bounce, or pageviews minutes apart with actions."""
    paths = [rng.choice(source.landings)]
    if rng.random() >= BOUNCE_RATE:
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 5])):
            paths.append(pick(rng, [(w, p) for w, p in PAGES if p != paths[-1]]))
    events, moment, referrer = [], start, source.referrer
    for index, path in enumerate(paths):
        url = f"https://{DEMO_DOMAIN}{path}{source.query if index == 0 else ''}"
        page = {"url": url, "referrer": referrer, "ip": ip, "user_agent": ua}
        events.append(Event(timestamp=moment, name="pageview", **page))
        action = None if len(paths) == 1 else page_action(rng=rng, path=path)
        if action is not None:
            clicked_at = moment + timedelta(seconds=rng.randint(5, 50))
            events.append(Event(timestamp=clicked_at, name=action[0], props=action[1], **page))
        moment += timedelta(seconds=rng.randint(60, 420))
        referrer = url
    return events


def page_action(*, rng: random.Random, path: str) -> tuple[str, dict[str, str]] | None:
    """Return the custom event a visitor may trigger on a page, or None."""
    chance = rng.random()
    if path == "/pricing" and chance < 0.25:
        return "Signup", {"plan": pick(rng, PLANS)}
    if path.startswith("/docs/") and chance < 0.15:
        return "File Download", {"url": f"https://{DEMO_DOMAIN}/downloads/tally-tracker.zip"}
    if path.startswith("/blog/") and chance < 0.12:
        return "Outbound Link: Click", {"url": "https://github.com/tally-analytics/tally"}
    return None


def seed_demo(*, rng: random.Random, now: datetime, days: int, visitors_per_day: int) -> Seeded:
    """(Re)create the demo user and site, and replace the site's visits with generated ones.

    Events go through Visit.objects.record(), oldest first, so sessions form as at ingest.
    The demo user gets a new random password.
    """
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.with_email(DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(DEMO_EMAIL, password, name=DEMO_NAME)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        site = Site.objects.filter(domain=DEMO_DOMAIN).first() or Site(domain=DEMO_DOMAIN)
        site.name, site.timezone, site.owner = "Demo", DEMO_TIMEZONE, user
        site.full_clean()
        site.save()
        Visit.objects.for_site(site).delete()
        Session.objects.filter(site=site).delete()
        DailyRollup.objects.filter(site=site).delete()  # the days rolled up from the old visits
        RolledDay.objects.filter(site=site).delete()
        events = demo_events(
            rng=rng,
            now=now,
            days=days,
            visitors_per_day=visitors_per_day,
            tz=ZoneInfo(site.timezone),
        )
        for event in events:
            Visit.objects.record(
                site=site,
                name=event.name,
                url=event.url,
                referrer=event.referrer,
                props=event.props,
                interactive=True,
                ip=event.ip,
                user_agent=event.user_agent,
                timestamp=event.timestamp,
                received_at=event.timestamp,
            )
    sessions = Session.objects.filter(site=site).count()
    return Seeded(DEMO_EMAIL, password, site, len(events), sessions)


def positive(value: str) -> int:
    """Parse a whole number of at least 1, for argparse."""
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    """Seed the demo user and site, or do nothing with --if-empty when users exist."""

    help = (
        "Create a demo user and the site demo.tally.test with realistic visits over the last "
        "days, replacing the site's visits if it exists; print the demo login."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--days", type=positive, default=30, help="Days of traffic (30).")
        parser.add_argument(
            "--visitors-per-day", type=positive, default=60, help="Mean visitors a day (60)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any user exists."
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("seed_demo: users exist already, no demo data added.")
            return
        seeded = seed_demo(
            rng=random.Random(options["seed"]),  # noqa: S311 (made-up traffic, no secret)
            now=timezone.now(),
            days=options["days"],
            visitors_per_day=options["visitors_per_day"],
        )
        self.stdout.write(
            f"Seeded {seeded.site.domain}: {seeded.events} events in {seeded.sessions} visits "
            f"over the last {options['days']} days."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo login: {seeded.email}  password: {seeded.password}")
        )
