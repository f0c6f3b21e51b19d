"""Measure the per-call cost of the ingest enrichment functions; needs no Django.

Run as ``.venv/bin/python bench/enrichment.py``. Prints microseconds per call, the best of
several rounds, and exits non-zero when a targeted figure misses its target.
"""

import os
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

TARGET_MICROSECONDS = 50.0
ROUNDS = 5

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
ADDRESSES = ["8.8.8.8", "193.0.6.139", "202.12.29.205", "2001:4860:4860::8888", "81.2.69.142"]


def microseconds_per_call(call: Callable[[], object], *, calls_per_run: int = 1) -> float:
    """Time a callable with timeit and return the best round's microseconds per call."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=ROUNDS, number=number))
    return best / (number * calls_per_run) * 1e6


def microseconds_per_first_sight(parse: Callable[[str], object], *, count: int = 1000) -> float:
    """Time parsing headers never seen before, which no cache can answer; best round wins."""
    rounds = []
    for round_number in range(ROUNDS):
        headers = [
            f"{USER_AGENTS[index % len(USER_AGENTS)]} Bench/{round_number}.{index}"
            for index in range(count)
        ]
        started = time.perf_counter()
        for header in headers:
            parse(header)
        rounds.append(time.perf_counter() - started)
    return min(rounds) / count * 1e6


def main() -> int:
    """Print each figure, and return 1 when a targeted one misses its target."""
    # Run from anywhere: the project root holds the visits package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from visits.enrichment import useragent
    from visits.enrichment.geoip import locate
    from visits.enrichment.referrer import classify_referrer
    from visits.enrichment.urls import parse_page_url

    repeated_ua = USER_AGENTS[0]
    useragent.parse_user_agent(repeated_ua)
    locate(ADDRESSES[0], city_db="")

    figures = [
        (
            "user agent, cached (repeated header)",
            microseconds_per_call(lambda: useragent.parse_user_agent(repeated_ua)),
            True,
        ),
        (
            "geoip, bundled country",
            microseconds_per_call(
                lambda: [locate(ip, city_db="") for ip in ADDRESSES],
                calls_per_run=len(ADDRESSES),
            ),
            True,
        ),
        (
            "user agent, first sight (not cached)",
            microseconds_per_first_sight(useragent.parse_user_agent),
            False,
        ),
        (
            "referrer classification",
            microseconds_per_call(
                lambda: classify_referrer("https://www.google.co.uk/", site_domain="example.com")
            ),
            False,
        ),
        (
            "page URL parse",
            microseconds_per_call(
                lambda: parse_page_url("https://example.com/pricing?utm_source=newsletter")
            ),
            False,
        ),
    ]
    city_db = os.environ.get("GEOIP_CITY_DB", "")
    if city_db:
        figures.append(
            (
                "geoip, city database from GEOIP_CITY_DB",
                microseconds_per_call(
                    lambda: [locate(ip, city_db=city_db) for ip in ADDRESSES],
                    calls_per_run=len(ADDRESSES),
                ),
                False,
            )
        )
    missed = False
    for name, value, targeted in figures:
        if targeted:
            verdict = "ok" if value <= TARGET_MICROSECONDS else "MISSED"
            missed = missed or value > TARGET_MICROSECONDS
            note = f"target <= {TARGET_MICROSECONDS:.0f} us: {verdict}"
        else:
            note = "no target"
        print(f"{name:40} {value:9.2f} us/call   ({note})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
