"""Tests for classifying a visit's referrer and utm_source into a source."""

import pytest

from visits.enrichment.referrer import Referrer, classify_referrer

SITE = "example.com"


class ClassifyReferrerTest:
    @pytest.mark.parametrize(
        ("referrer", "host", "source"),
        [
            ("https://www.google.com/", "google.com", "Google"),
            ("https://www.google.co.uk/", "google.co.uk", "Google"),
            ("https://www.google.com.br/search", "google.com.br", "Google"),
            ("https://google.de/", "google.de", "Google"),
            ("https://www.google.net.pk/", "google.net.pk", "Google"),
            ("https://www.google.org.uk/", "google.org.uk", "Google"),
            ("https://www.google.ac.uk/", "google.ac.uk", "Google"),
            ("https://www.google.gov.uk/", "google.gov.uk", "Google"),
            ("https://www.google.edu.au/", "google.edu.au", "Google"),
            ("https://www.google.or.kr/", "google.or.kr", "Google"),
            ("https://search.yahoo.ne.jp/", "search.yahoo.ne.jp", "Yahoo!"),
            ("https://news.google.com/", "news.google.com", "Google"),
            (
                "android-app://com.google.android.googlequicksearchbox/",
                "com.google.android.googlequicksearchbox",
                "Google",
            ),
            ("android-app://com.google.android.gm/", "com.google.android.gm", "Gmail"),
            ("https://www.bing.com/search?q=x", "bing.com", "Bing"),
            ("https://cn.bing.com/", "cn.bing.com", "Bing"),
            ("https://duckduckgo.com/", "duckduckgo.com", "DuckDuckGo"),
            ("https://search.yahoo.com/", "search.yahoo.com", "Yahoo!"),
            ("https://search.yahoo.co.jp/", "search.yahoo.co.jp", "Yahoo!"),
            ("https://yandex.ru/search/", "yandex.ru", "Yandex"),
            ("https://yandex.com.tr/", "yandex.com.tr", "Yandex"),
            ("https://ya.ru/", "ya.ru", "Yandex"),
            ("https://www.baidu.com/link", "baidu.com", "Baidu"),
            ("https://www.ecosia.org/", "ecosia.org", "Ecosia"),
            ("https://search.brave.com/search", "search.brave.com", "Brave Search"),
            ("https://www.facebook.com/", "facebook.com", "Facebook"),
            ("https://m.facebook.com/", "m.facebook.com", "Facebook"),
            ("https://l.facebook.com/l.php", "l.facebook.com", "Facebook"),
            ("https://lm.facebook.com/", "lm.facebook.com", "Facebook"),
            ("https://fb.me/abc", "fb.me", "Facebook"),
            ("https://fb.com/abc", "fb.com", "Facebook"),
            ("https://l.instagram.com/", "l.instagram.com", "Instagram"),
            ("https://twitter.com/someone", "twitter.com", "Twitter"),
            ("https://t.co/abc123", "t.co", "Twitter"),
            ("https://x.com/someone", "x.com", "Twitter"),
            ("https://www.linkedin.com/feed/", "linkedin.com", "LinkedIn"),
            ("https://lnkd.in/abc", "lnkd.in", "LinkedIn"),
            ("https://old.reddit.com/r/django/", "old.reddit.com", "Reddit"),
            ("https://news.ycombinator.com/item?id=1", "news.ycombinator.com", "Hacker News"),
            ("https://github.com/owner/repo", "github.com", "GitHub"),
            ("https://www.youtube.com/watch?v=x", "youtube.com", "YouTube"),
            ("https://youtu.be/x", "youtu.be", "YouTube"),
            ("https://www.pinterest.com/pin/1/", "pinterest.com", "Pinterest"),
            ("https://www.pinterest.co.uk/", "pinterest.co.uk", "Pinterest"),
            ("https://en.wikipedia.org/wiki/Web_analytics", "en.wikipedia.org", "Wikipedia"),
            ("https://en.m.wikipedia.org/wiki/X", "en.m.wikipedia.org", "Wikipedia"),
            ("https://mail.google.com/mail/u/0/", "mail.google.com", "Gmail"),
            ("https://outlook.live.com/mail/0/", "outlook.live.com", "Outlook.com"),
            ("https://outlook.office.com/mail/", "outlook.office.com", "Outlook.com"),
            ("https://outlook.office365.com/mail/", "outlook.office365.com", "Outlook.com"),
            ("https://mail.yahoo.com/d/folders/1", "mail.yahoo.com", "Yahoo! Mail"),
            ("https://chatgpt.com/", "chatgpt.com", "ChatGPT"),
            ("https://chat.openai.com/", "chat.openai.com", "ChatGPT"),
            ("https://www.perplexity.ai/search", "perplexity.ai", "Perplexity"),
        ],
    )
    def test_classify_referrer_known_source(self, referrer, host, source):
        result = classify_referrer(referrer, site_domain=SITE)

        assert result == Referrer(host=host, source=source)

    @pytest.mark.parametrize(
        ("referrer", "host"),
        [
            ("https://evil-google.com/", "evil-google.com"),
            ("https://google.evil.io/", "google.evil.io"),
            ("https://google.com.evil.io/", "google.com.evil.io"),
            ("https://notfacebook.com/", "notfacebook.com"),
            ("https://blog.other.org/post", "blog.other.org"),
            ("https://www.other.org/", "other.org"),
            ("https://OTHER.org./", "other.org"),
            ("http://192.0.2.1:8080/", "192.0.2.1"),
            ("android-app://com.example.reader/", "com.example.reader"),
        ],
    )
    def test_classify_referrer_unknown_host(self, referrer, host):
        result = classify_referrer(referrer, site_domain=SITE)

        assert result == Referrer(host=host, source=host)

    @pytest.mark.parametrize(
        "referrer",
        [
            "https://example.com/pricing",
            "https://www.example.com/",
            "https://blog.example.com/post",
            "https://EXAMPLE.com/",
        ],
    )
    def test_classify_referrer_own_site(self, referrer):
        result = classify_referrer(referrer, site_domain=SITE)

        assert result == Referrer()

    def test_classify_referrer_own_site_with_www_domain(self):
        result = classify_referrer("https://example.com/", site_domain="www.example.com")

        assert result == Referrer()

    @pytest.mark.parametrize(
        "referrer",
        [
            "",
            "   ",
            "not a url",
            "google.com",
            "ftp://files.example.org/",
            "about:blank",
            "https://",
            "http://[2001:db8::1/unbalanced",
        ],
    )
    def test_classify_referrer_direct(self, referrer):
        result = classify_referrer(referrer, site_domain=SITE)

        assert result == Referrer()

    @pytest.mark.parametrize(
        ("utm_source", "source"),
        [
            ("google", "Google"),
            ("GOOGLE", "Google"),
            ("hacker news", "Hacker News"),
            ("twitter.com", "Twitter"),
            ("www.linkedin.com", "LinkedIn"),
            ("fb", "Facebook"),
            ("ig", "Instagram"),
            ("x", "Twitter"),
            ("hn", "Hacker News"),
            ("ddg", "DuckDuckGo"),
            ("yahoo", "Yahoo!"),
            ("newsletter", "newsletter"),
            ("Spring Mailing", "Spring Mailing"),
            ("  producthunt  ", "producthunt"),
        ],
    )
    def test_classify_referrer_utm_source(self, utm_source, source):
        result = classify_referrer("", site_domain=SITE, utm_source=utm_source)

        assert result == Referrer(host="", source=source)

    def test_classify_referrer_utm_source_www_android_app(self):
        result = classify_referrer("", site_domain=SITE, utm_source="www.com.google.android.gm")

        assert result == Referrer(host="", source="Gmail")

    def test_classify_referrer_utm_source_over_referrer(self):
        result = classify_referrer(
            "https://www.bing.com/", site_domain=SITE, utm_source="newsletter"
        )

        assert result == Referrer(host="bing.com", source="newsletter")

    def test_classify_referrer_utm_source_on_own_site(self):
        result = classify_referrer(
            "https://example.com/blog", site_domain=SITE, utm_source="google"
        )

        assert result == Referrer(host="", source="Google")

    def test_classify_referrer_blank_utm_source(self):
        result = classify_referrer("https://github.com/", site_domain=SITE, utm_source="  ")

        assert result == Referrer(host="github.com", source="GitHub")
