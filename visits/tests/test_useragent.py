"""Tests for parsing User-Agent headers, with the real parser and crawler list."""

import pytest

from visits.enrichment.useragent import MAX_USER_AGENT_LENGTH, Agent, _parse, parse_user_agent

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51"
)
OPERA_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0"
)
CHROME_OS = (
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
)
CHROME_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1"
)
# An in-app browser on iOS that leaves the "Mobile" token out.
WEBVIEW_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko)"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36"
)
CHROME_ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36"
)
FIREFOX_ANDROID_PHONE = "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0"
FIREFOX_ANDROID_TABLET = "Mozilla/5.0 (Android 13; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0"
SILK_KINDLE = (
    "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT Build/IML74K) AppleWebKit/535.19 "
    "(KHTML, like Gecko) Silk/3.4 Safari/535.19 Silk-Accelerated=true"
)
# Android tablets that ua-parser does not recognise still leave "Mobile" out.
CHROME_ANDROID_UNKNOWN_TABLET = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Safari/537.36"
)
SAMSUNG_INTERNET = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36"
)
# DuckDuckGo's Android browser puts "Mobile" before its own name, not before "Safari", and
# Chrome's reduced User-Agent names no model ("K").
DUCKDUCKGO_ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/124.0.0.0 Mobile DuckDuckGo/5 Safari/537.36"
)
CHROME_WEBVIEW_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36"
)
FIREFOX_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15"
)
EDGE_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36 EdgA/124.0.2478.64"
)
OPERA_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; VOG-L29) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36 OPR/81.1.4292.78446"
)
OPERA_MINI = (
    "Opera/9.80 (Android; Opera Mini/7.5.54678/28.2555; U; ru) Presto/2.10.289 Version/12.02"
)
# The Surface RT is a Windows tablet; its IE says "Tablet PC" in the header.
IE_SURFACE_RT = (
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; ARM; Trident/6.0; Touch; Tablet PC 2.0)"
)
# Puffin on Android tablets sends a desktop Linux header marked "AT" (Android Tablet).
PUFFIN_ANDROID_TABLET = (
    "Mozilla/5.0 (X11; U; Linux x86_64; en-US) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/30.0.1599.114 Safari/537.36 Puffin/4.8.0.2965AT"
)
KINDLE_READER = (
    "Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) AppleWebKit/531.2+ "
    "(KHTML, like Gecko) Version/5.0 Safari/533.2+ Kindle/3.0+"
)
# uap-core files this crawler as a spider; CrawlerDetect's list does not know it.
RECIPERADAR = "Mozilla/5.0 (compatible; RecipeRadar/0.1; +https://www.reciperadar.com)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLEBOT_SMARTPHONE = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 "
    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.6367.60 Safari/537.36"
)
UPTIMEROBOT = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"
GPTBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)"
)

HUMANS = [
    CHROME_WINDOWS,
    FIREFOX_LINUX,
    SAFARI_MAC,
    EDGE_WINDOWS,
    OPERA_WINDOWS,
    CHROME_OS,
    SAFARI_IPHONE,
    CHROME_IPHONE,
    SAFARI_IPAD,
    CHROME_ANDROID_PHONE,
    CHROME_ANDROID_TABLET,
    FIREFOX_ANDROID_PHONE,
    FIREFOX_ANDROID_TABLET,
    SAMSUNG_INTERNET,
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Parse every header afresh, so that each test runs the parser, not another's result."""
    _parse.cache_clear()


class ParseUserAgentTest:
    @pytest.mark.parametrize(
        ("ua", "browser", "version"),
        [
            (CHROME_WINDOWS, "Chrome", "124.0"),
            (FIREFOX_LINUX, "Firefox", "125.0"),
            (SAFARI_MAC, "Safari", "17.4"),
            (EDGE_WINDOWS, "Edge", "124.0"),
            (OPERA_WINDOWS, "Opera", "109.0"),
            (SAFARI_IPHONE, "Safari", "17.4"),
            (CHROME_IPHONE, "Chrome", "124.0"),
            (SAFARI_IPAD, "Safari", "16.6"),
            (CHROME_ANDROID_PHONE, "Chrome", "124.0"),
            (FIREFOX_ANDROID_PHONE, "Firefox", "125.0"),
            (SAMSUNG_INTERNET, "Samsung Internet", "24.0"),
            (CHROME_WEBVIEW_ANDROID, "Chrome", "124.0"),
            (FIREFOX_IPHONE, "Firefox", "125.0"),
            (WEBVIEW_IPHONE, "Safari", ""),
            (EDGE_ANDROID, "Edge", "124.0"),
            (OPERA_ANDROID, "Opera", "81.1"),
            (OPERA_MINI, "Opera", "7.5"),
            ("", "", ""),
            ("not a browser", "", ""),
        ],
    )
    def test_parse_user_agent_browser(self, ua, browser, version):
        agent = parse_user_agent(ua)

        assert (agent.browser, agent.browser_version) == (browser, version)

    @pytest.mark.parametrize(
        ("ua", "os", "version"),
        [
            (CHROME_WINDOWS, "Windows", "10"),
            (FIREFOX_LINUX, "Linux", ""),
            (HEADLESS_CHROME, "Linux", ""),
            (SAFARI_MAC, "macOS", "10.15"),
            (CHROME_OS, "Chrome OS", "14541.0"),
            (SAFARI_IPHONE, "iOS", "17.4"),
            (SAFARI_IPAD, "iOS", "16.6"),
            (CHROME_ANDROID_PHONE, "Android", "14"),
            (CHROME_ANDROID_TABLET, "Android", "13"),
            (GOOGLEBOT, "", ""),
            ("", "", ""),
        ],
    )
    def test_parse_user_agent_os(self, ua, os, version):
        agent = parse_user_agent(ua)

        assert (agent.os, agent.os_version) == (os, version)

    @pytest.mark.parametrize(
        "ua",
        [
            "Mozilla/5.0 (X11; Debian; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.1.9) Gecko/20100401 Linux Mint/8 "
            "(Helena) Firefox/3.5.9",
            "Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.8) Gecko/20100722 Arch Linux "
            "Firefox/3.6.8",
            "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.5) Gecko/2008121711 Gentoo "
            "Firefox/3.0.5",
            "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.10) Gecko/2009042523 "
            "Red Hat/3.0.10-1.el5_3 Firefox/3.0.10",
            "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.1) Gecko/2008072716 SUSE/3.0.1-1.1 "
            "Firefox/3.0.1",
            "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.2.13) Gecko/20101209 "
            "CentOS/3.6-2.el5.centos Firefox/3.6.13",
        ],
    )
    def test_parse_user_agent_linux_distribution(self, ua):
        agent = parse_user_agent(ua)

        assert agent.os == "Linux"

    @pytest.mark.parametrize(
        ("ua", "device"),
        [
            (CHROME_WINDOWS, "desktop"),
            (SAFARI_MAC, "desktop"),
            (FIREFOX_LINUX, "desktop"),
            (CHROME_OS, "desktop"),
            (SAFARI_IPHONE, "mobile"),
            (CHROME_IPHONE, "mobile"),
            (WEBVIEW_IPHONE, "mobile"),
            (CHROME_ANDROID_PHONE, "mobile"),
            (FIREFOX_ANDROID_PHONE, "mobile"),
            (SAMSUNG_INTERNET, "mobile"),
            (SAFARI_IPAD, "tablet"),
            (CHROME_ANDROID_TABLET, "tablet"),
            (FIREFOX_ANDROID_TABLET, "tablet"),
            (SILK_KINDLE, "tablet"),
            (CHROME_ANDROID_UNKNOWN_TABLET, "tablet"),
            (IE_SURFACE_RT, "tablet"),
            (PUFFIN_ANDROID_TABLET, "tablet"),
            (KINDLE_READER, "tablet"),
            (DUCKDUCKGO_ANDROID_PHONE, "mobile"),
            ("", "desktop"),
            ("not a browser", "desktop"),
        ],
    )
    def test_parse_user_agent_device(self, ua, device):
        agent = parse_user_agent(ua)

        assert agent.device == device

    @pytest.mark.parametrize(
        "ua",
        [
            GOOGLEBOT,
            GOOGLEBOT_SMARTPHONE,
            BINGBOT,
            HEADLESS_CHROME,
            UPTIMEROBOT,
            GPTBOT,
            RECIPERADAR,
            "curl/8.5.0",
            "Wget/1.21.4",
            "python-requests/2.31.0",
            "python-httpx/0.27.0",
            "Go-http-client/2.0",
            "",
            "   ",
        ],
    )
    def test_parse_user_agent_bot(self, ua):
        agent = parse_user_agent(ua)

        assert agent.is_bot

    @pytest.mark.parametrize("ua", HUMANS)
    def test_parse_user_agent_human(self, ua):
        agent = parse_user_agent(ua)

        assert not agent.is_bot

    def test_parse_user_agent_cut_after_1000_characters(self):
        # "Mobi" ends at character 1001: only "Mob" is kept.
        agent = parse_user_agent(CHROME_WINDOWS.ljust(997) + "Mobi")

        assert agent.device == "desktop"

    def test_parse_user_agent_full_result(self):
        agent = parse_user_agent(SAFARI_IPHONE)

        assert agent == Agent(
            browser="Safari",
            browser_version="17.4",
            os="iOS",
            os_version="17.4",
            device="mobile",
            is_bot=False,
        )

    def test_parse_user_agent_repeated_header_cached(self):
        first = parse_user_agent(EDGE_WINDOWS)

        second = parse_user_agent(EDGE_WINDOWS)

        assert second is first

    def test_parse_user_agent_cache_holds_10000_headers(self):
        assert _parse.cache_info().maxsize == 10_000

    def test_parse_user_agent_overlong_header_cut(self):
        padding = " " * MAX_USER_AGENT_LENGTH

        agent = parse_user_agent(CHROME_WINDOWS + padding + "Googlebot/2.1")

        assert agent == parse_user_agent(CHROME_WINDOWS)
