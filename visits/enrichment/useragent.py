"""Parsing User-Agent headers into the browser, OS and device a dashboard shows."""

import functools
from dataclasses import dataclass

from crawlerdetect import CrawlerDetect
from ua_parser import Device, Domain, Parser, load_builtins
from ua_parser.regex import Resolver

CACHE_SIZE = 10_000
# Real User-Agents are a few hundred characters; a longer one is cut so a client cannot
# make the cache hold megabytes.
MAX_USER_AGENT_LENGTH = 1000

DESKTOP = "desktop"
MOBILE = "mobile"
TABLET = "tablet"

# ua-parser's family names, folded into the ones a dashboard groups by.
BROWSER_NAMES: dict[str, str] = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
    "Opera Mini": "Opera",
}
OS_NAMES: dict[str, str] = {
    "Mac OS X": "macOS",
    "Ubuntu": "Linux",
    "Debian": "Linux",
    "Fedora": "Linux",
    "Linux Mint": "Linux",
    "Arch Linux": "Linux",
    "Gentoo": "Linux",
    "Red Hat": "Linux",
    "SUSE": "Linux",
    "CentOS": "Linux",
}
_SPIDER_DEVICE = "Spider"
_TABLET_DEVICE_MARKERS = ("iPad", "Tablet", "Kindle")


@dataclass(frozen=True, slots=True)
class Agent:
    """What a User-Agent header says about the visitor's software and device."""

    browser: str = ""
    browser_version: str = ""
    os: str = ""
    os_version: str = ""
    device: str = DESKTOP
    is_bot: bool = False


def parse_user_agent(ua: str) -> Agent:
    """Return the browser, OS, device type and bot verdict for a User-Agent header.

    Parsing is done by ua-parser (the uap-core rules) with its Rust matcher, which is
    about thirty times faster than the pure-Python one. A visitor is a bot when the header
    is empty, when CrawlerDetect's list of crawlers, tools and headless browsers matches
    it, or when uap-core files it as a spider. Names are folded to one per product
    ("Mobile Safari" is "Safari", "Mac OS X" is "macOS", Linux distributions are
    "Linux"); versions are "major.minor" or "major", "" when unknown. Windows 11 says it
    is Windows 10, and iPadOS Safari asks for desktop pages as a Mac: the header cannot
    tell those apart. The last ``CACHE_SIZE`` distinct headers are cached.
    """
    return _parse(ua[:MAX_USER_AGENT_LENGTH])


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse(ua: str) -> Agent:
    """Parse a User-Agent header that has not been seen recently."""
    result = _parser()(ua, Domain.ALL)
    browser = result.user_agent
    system = result.os
    device = result.device
    is_spider = device is not None and device.family == _SPIDER_DEVICE
    return Agent(
        browser=BROWSER_NAMES.get(browser.family, browser.family) if browser else "",
        browser_version=_version(browser.major, browser.minor) if browser else "",
        os=OS_NAMES.get(system.family, system.family) if system else "",
        os_version=_version(system.major, system.minor) if system else "",
        device=_device_type(ua, os=system.family if system else "", device=device),
        is_bot=not ua.strip() or is_spider or _crawler_detect().is_crawler(ua),
    )


def _version(major: str | None, minor: str | None) -> str:
    """Return "major.minor", "major", or "" when the major version is unknown."""
    if not major:
        return ""
    if not minor:
        return major
    return f"{major}.{minor}"


def _device_type(ua: str, *, os: str, device: Device | None) -> str:
    """Tell a tablet from a phone from a computer.

    Android tablets leave "Mobile" out of the header, and browsers on phones put "Mobi"
    in it (as MDN advises sites to look for); anything else is taken for a computer.
    uap-core's generic Android tablet guess is not used: it looks for "Mobile Safari" only,
    and DuckDuckGo's phone browser sends "Mobile DuckDuckGo/5 Safari".
    """
    family = device.family if device else ""
    if "Tablet" in ua or any(m in family for m in _TABLET_DEVICE_MARKERS):
        return TABLET
    if os == "Android" and "Mobi" not in ua:
        return TABLET
    if "Mobi" in ua or os == "iOS":
        return MOBILE
    return DESKTOP


@functools.cache
def _parser() -> Parser:
    """Load the uap-core rules into the Rust matcher once, on first use."""
    return Parser(Resolver(load_builtins()))


@functools.cache
def _crawler_detect() -> CrawlerDetect:
    """Build the crawler detector once, on first use."""
    return CrawlerDetect()
