"""Classifying where a visit came from: a known source, another site, or direct."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from visits.enrichment.urls import host_matches_domain

# Display names by host; a host also matches every subdomain of it (m.facebook.com is
# Facebook). More specific hosts win, so mail.google.com is Gmail, not Google.
SOURCES_BY_HOST: dict[str, str] = {
    "bing.com": "Bing",
    "duckduckgo.com": "DuckDuckGo",
    "baidu.com": "Baidu",
    "ecosia.org": "Ecosia",
    "search.brave.com": "Brave Search",
    "ya.ru": "Yandex",
    "facebook.com": "Facebook",
    "fb.me": "Facebook",
    "fb.com": "Facebook",
    "instagram.com": "Instagram",
    "twitter.com": "Twitter",
    "t.co": "Twitter",
    "x.com": "Twitter",
    "linkedin.com": "LinkedIn",
    "lnkd.in": "LinkedIn",
    "reddit.com": "Reddit",
    "news.ycombinator.com": "Hacker News",
    "github.com": "GitHub",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "wikipedia.org": "Wikipedia",
    "mail.google.com": "Gmail",
    "outlook.live.com": "Outlook.com",
    "outlook.office.com": "Outlook.com",
    "outlook.office365.com": "Outlook.com",
    "mail.yahoo.com": "Yahoo! Mail",
    "chatgpt.com": "ChatGPT",
    "chat.openai.com": "ChatGPT",
    "perplexity.ai": "Perplexity",
}

# Brands that run one site per country: the brand label followed by a top-level domain,
# optionally behind a common second level (google.de, google.co.uk, google.com.br).
SOURCES_BY_BRAND: dict[str, str] = {
    "google": "Google",
    "yahoo": "Yahoo!",
    "yandex": "Yandex",
    "pinterest": "Pinterest",
}
SECOND_LEVEL_LABELS = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"})

# Android apps send android-app://<package>/ as the referrer.
SOURCES_BY_ANDROID_APP: dict[str, str] = {
    "com.google.android.googlequicksearchbox": "Google",
    "com.google.android.gm": "Gmail",
}

# Other spellings people put in utm_source, mapped to the same display names.
SOURCE_ALIASES: dict[str, str] = {
    "fb": "Facebook",
    "ig": "Instagram",
    "x": "Twitter",
    "hn": "Hacker News",
    "ddg": "DuckDuckGo",
    "yahoo": "Yahoo!",
}

_SOURCES_BY_NAME: dict[str, str] = {
    **{name.lower(): name for name in SOURCES_BY_HOST.values()},
    **{name.lower(): name for name in SOURCES_BY_BRAND.values()},
    **SOURCE_ALIASES,
}

_WEB_SCHEMES = ("http", "https")
_ANDROID_APP_SCHEME = "android-app"


@dataclass(frozen=True, slots=True)
class Referrer:
    """Where a visit came from: the referring host and the name a dashboard shows for it."""

    host: str = ""
    source: str = ""


def classify_referrer(referrer: str, *, site_domain: str, utm_source: str = "") -> Referrer:
    """Name the source of a visit from its referrer URL and utm_source tag.

    A ``utm_source`` tag wins over the referrer; when it names a known source in any case
    (``google``) it is shown by that source's name (``Google``), otherwise as tagged. A
    referrer on the site's own domain or a subdomain of it is an internal navigation and
    counts as direct: no host and no source. Any other host is named by the tables above,
    and an unknown host is its own source.
    """
    host = _referrer_host(referrer)
    if host_matches_domain(host, site_domain.lower().removeprefix("www.")):
        host = ""
    tag = utm_source.strip()
    if tag:
        return Referrer(host=host, source=_known_source_name(tag) or tag)
    if not host:
        return Referrer()
    return Referrer(host=host, source=_source_for_host(host) or host)


def _referrer_host(referrer: str) -> str:
    """Return the referrer's lowercased host without a leading www., or "" when it has none."""
    try:
        parts = urlsplit(referrer.strip())
        hostname = parts.hostname or ""
    except ValueError:  # an unbalanced IPv6 bracket, for one
        return ""
    if parts.scheme == _ANDROID_APP_SCHEME:
        return hostname
    if parts.scheme not in _WEB_SCHEMES:
        return ""
    hostname = hostname.rstrip(".")
    return hostname.removeprefix("www.")


def _source_for_host(host: str) -> str:
    """Return the display name of a known host, or "" for an unknown one."""
    if host in SOURCES_BY_ANDROID_APP:
        return SOURCES_BY_ANDROID_APP[host]
    labels = host.split(".")
    for start in range(len(labels)):
        name = SOURCES_BY_HOST.get(".".join(labels[start:]))
        if name:
            return name
    for index, label in enumerate(labels):
        if label in SOURCES_BY_BRAND and _is_public_suffix(labels[index + 1 :]):
            return SOURCES_BY_BRAND[label]
    return ""


def _is_public_suffix(labels: list[str]) -> bool:
    """Tell whether labels look like a top-level domain, alone or behind a common second level."""
    if len(labels) == 1:
        return True
    return len(labels) == 2 and labels[0] in SECOND_LEVEL_LABELS


def _known_source_name(tag: str) -> str:
    """Return the display name a utm_source tag stands for, or "" when it is not a known one."""
    lowered = tag.lower()
    return _SOURCES_BY_NAME.get(lowered) or _source_for_host(lowered.removeprefix("www."))
