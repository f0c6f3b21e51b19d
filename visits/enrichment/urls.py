"""Parsing the page URL a tracker reports, and matching hosts against a site's domain."""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

MAX_URL_BYTES = 2000
MAX_UTM_LENGTH = 200
UTM_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class InvalidUrl(ValueError):
    """A page URL that is not an http(s) URL with a host, or is too long to record."""


@dataclass(frozen=True, slots=True)
class PageUrl:
    """The parts of a page URL that stats are grouped by."""

    hostname: str
    path: str
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""


def parse_page_url(url: str) -> PageUrl:
    """Split a page URL into host, path and UTM tags, or raise InvalidUrl.

    The hostname is lowercased but otherwise kept (``www.`` stays: it may be a different
    page from the bare domain). The path keeps its percent-encoding, so two spellings of
    one page are not merged by guesswork; query string and fragment are dropped. UTM values
    are trimmed and cut to ``MAX_UTM_LENGTH`` characters; the first of repeated tags wins.
    """
    text = url.strip()
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_URL_BYTES:
        raise InvalidUrl(f"A page URL may be at most {MAX_URL_BYTES} bytes long.")
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError as error:  # an unbalanced IPv6 bracket, for one
        raise InvalidUrl("The page URL could not be parsed.") from error
    if parts.scheme not in ("http", "https"):
        raise InvalidUrl("A page URL must start with http:// or https://.")
    if not hostname:
        raise InvalidUrl("A page URL must have a host.")
    tags: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in UTM_PARAMETERS and name not in tags:
            # Decoded values may hold characters no text column takes (NUL).
            tags[name] = value.replace("\0", "").strip()[:MAX_UTM_LENGTH]
    return PageUrl(hostname=hostname, path=parts.path or "/", **tags)


def host_matches_domain(hostname: str, domain: str) -> bool:
    """Tell whether a hostname is the domain itself or one of its subdomains (www. included).

    Matching is by whole labels, so ``notexample.com`` is not part of ``example.com``.
    """
    host = hostname.lower().rstrip(".")
    site = domain.lower().rstrip(".")
    if not host or not site:
        return False
    return host == site or host.endswith("." + site)
