"""Tests for parsing page URLs and matching hosts against a site's domain."""

import pytest

from visits.enrichment.urls import (
    MAX_URL_BYTES,
    InvalidUrl,
    PageUrl,
    host_matches_domain,
    parse_page_url,
)


class ParsePageUrlTest:
    @pytest.mark.parametrize(
        ("url", "hostname", "path"),
        [
            ("https://example.com/pricing", "example.com", "/pricing"),
            ("https://Example.COM/Pricing", "example.com", "/Pricing"),
            ("https://www.example.com/", "www.example.com", "/"),
            ("http://example.com", "example.com", "/"),
            ("https://example.com:8443/a/b/", "example.com", "/a/b/"),
            ("https://example.com/docs?page=2#install", "example.com", "/docs"),
            ("https://example.com/caf%C3%A9", "example.com", "/caf%C3%A9"),
            ("  https://example.com/padded  ", "example.com", "/padded"),
            ("https://[2001:db8::1]/ipv6", "2001:db8::1", "/ipv6"),
        ],
    )
    def test_parse_page_url_host_and_path(self, url, hostname, path):
        page = parse_page_url(url)

        assert (page.hostname, page.path) == (hostname, path)

    def test_parse_page_url_utm_tags(self):
        url = (
            "https://example.com/?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=spring+sale&utm_term=shoes&utm_content=header%20link"
        )

        page = parse_page_url(url)

        assert page == PageUrl(
            hostname="example.com",
            path="/",
            utm_source="newsletter",
            utm_medium="email",
            utm_campaign="spring sale",
            utm_term="shoes",
            utm_content="header link",
        )

    def test_parse_page_url_no_utm_tags(self):
        page = parse_page_url("https://example.com/?ref=home&q=1")

        assert page == PageUrl(hostname="example.com", path="/")

    def test_parse_page_url_utm_value_trimmed(self):
        page = parse_page_url("https://example.com/?utm_source=%20Twitter%20")

        assert page.utm_source == "Twitter"

    def test_parse_page_url_long_utm_value_cut(self):
        page = parse_page_url("https://example.com/?utm_campaign=" + "x" * 500)

        assert page.utm_campaign == "x" * 200

    def test_parse_page_url_repeated_utm_tag_keeps_first(self):
        page = parse_page_url("https://example.com/?utm_source=first&utm_source=second")

        assert page.utm_source == "first"

    def test_parse_page_url_empty_utm_tag(self):
        page = parse_page_url("https://example.com/?utm_source=&utm_medium=cpc")

        assert (page.utm_source, page.utm_medium) == ("", "cpc")

    def test_parse_page_url_longest_allowed(self):
        prefix = "https://example.com/"
        url = prefix + "a" * (MAX_URL_BYTES - len(prefix))

        page = parse_page_url(url)

        assert len(page.path) == MAX_URL_BYTES - len("https://example.com")

    def test_parse_page_url_one_byte_too_long(self):
        prefix = "https://example.com/"

        with pytest.raises(InvalidUrl) as raised:
            parse_page_url(prefix + "a" * (2001 - len(prefix)))

        assert str(raised.value) == "A page URL may be at most 2000 bytes long."

    def test_parse_page_url_lone_surrogates_measured(self):
        # A JSON body may hold "\ud800" escapes: each counts as the three bytes it encodes to.
        with pytest.raises(InvalidUrl) as raised:
            parse_page_url("https://example.com/" + "\ud800" * 700)

        assert str(raised.value) == "A page URL may be at most 2000 bytes long."

    def test_parse_page_url_nul_removed_from_utm_value(self):
        page = parse_page_url("https://example.com/?utm_source=news%00letter")

        assert page.utm_source == "newsletter"

    def test_parse_page_url_repeated_utm_tag_keeps_first_blank(self):
        page = parse_page_url("https://example.com/?utm_source=&utm_source=second")

        assert page.utm_source == ""

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("", "A page URL must start with http:// or https://."),
            ("example.com/pricing", "A page URL must start with http:// or https://."),
            ("/pricing", "A page URL must start with http:// or https://."),
            ("ftp://example.com/file", "A page URL must start with http:// or https://."),
            ("javascript:alert(1)", "A page URL must start with http:// or https://."),
            ("file:///etc/passwd", "A page URL must start with http:// or https://."),
            ("https://", "A page URL must have a host."),
            ("https:///path-without-host", "A page URL must have a host."),
            ("http://[2001:db8::1/unbalanced", "The page URL could not be parsed."),
            (
                "https://example.com/" + "a" * MAX_URL_BYTES,
                "A page URL may be at most 2000 bytes long.",
            ),
            (
                "https://example.com/" + "é" * (MAX_URL_BYTES // 2),
                "A page URL may be at most 2000 bytes long.",
            ),
        ],
    )
    def test_parse_page_url_invalid(self, url, message):
        with pytest.raises(InvalidUrl) as raised:
            parse_page_url(url)

        assert str(raised.value) == message

    def test_parse_page_url_invalid_is_value_error(self):
        with pytest.raises(ValueError, match="http"):
            parse_page_url("ftp://example.com/")


class HostMatchesDomainTest:
    @pytest.mark.parametrize(
        ("hostname", "domain"),
        [
            ("example.com", "example.com"),
            ("www.example.com", "example.com"),
            ("blog.example.com", "example.com"),
            ("a.b.example.com", "example.com"),
            ("Blog.Example.com", "example.COM"),
            ("example.com.", "example.com"),
        ],
    )
    def test_host_matches_domain_same_site(self, hostname, domain):
        assert host_matches_domain(hostname, domain)

    @pytest.mark.parametrize(
        ("hostname", "domain"),
        [
            ("notexample.com", "example.com"),
            ("example.com.evil.io", "example.com"),
            ("example.org", "example.com"),
            ("com", "example.com"),
            ("", "example.com"),
            ("example.com", ""),
        ],
    )
    def test_host_matches_domain_other_site(self, hostname, domain):
        assert not host_matches_domain(hostname, domain)
