"""Normalising and validating the domain a site is tracked under."""

import pytest
from django.core.exceptions import ValidationError

from sites.domains import normalize_domain


def wide(text: str) -> str:
    """Return ASCII text in its full-width forms, as East Asian input methods type it."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


class NormalizeDomainTest:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param("example.com", "example.com", id="canonical"),
            pytest.param("EXAMPLE.Com", "example.com", id="uppercase"),
            pytest.param("www.example.com", "example.com", id="www-prefix"),
            pytest.param("WWW.EXAMPLE.COM", "example.com", id="uppercase-www-prefix"),
            pytest.param("www.www.example.com", "www.example.com", id="only-one-www-dropped"),
            pytest.param("https://example.com", "example.com", id="scheme"),
            pytest.param("http://www.example.com/", "example.com", id="scheme-www-slash"),
            pytest.param("example.com/shop/cart", "example.com", id="path"),
            pytest.param("example.com?utm_source=x", "example.com", id="query"),
            pytest.param("example.com#top", "example.com", id="fragment"),
            pytest.param("example.com:8080", "example.com", id="port"),
            pytest.param("https://user:secret@example.com", "example.com", id="credentials"),
            pytest.param("example.com.", "example.com", id="trailing-dot"),
            pytest.param("Bücher.de", "xn--bcher-kva.de", id="idn"),
            pytest.param("xn--bcher-kva.de", "xn--bcher-kva.de", id="punycode"),
            pytest.param("https://WWW.Bücher.de:8080/shop", "xn--bcher-kva.de", id="idn-url"),
            # Full-width forms read as a browser reads them: UTS #46 maps them to their plain
            # letters, digits and dots. So do the ideographic full stops.
            pytest.param(wide("example.com"), "example.com", id="full-width"),
            pytest.param(wide("EXAMPLE") + ".com", "example.com", id="full-width-uppercase"),
            pytest.param("example\u3002com", "example.com", id="ideographic-full-stop"),
            pytest.param("example\uff61com", "example.com", id="halfwidth-ideographic-full-stop"),
            pytest.param(wide("www.") + "example.com", "example.com", id="full-width-www-prefix"),
            pytest.param("example" + wide(".com."), "example.com", id="full-width-trailing-dot"),
            pytest.param(
                f"https://{wide('example.com')}:8080/", "example.com", id="full-width-url"
            ),
            pytest.param("Bücher" + wide(".") + "de", "xn--bcher-kva.de", id="idn-full-width-dot"),
            pytest.param(
                "例え" + wide(".") + "テスト",
                "xn--r8jz45g.xn--zckzah",
                id="japanese-full-width-dot",
            ),
            pytest.param("blog.example.com", "blog.example.com", id="subdomain"),
            pytest.param("a.b.example.co.uk", "a.b.example.co.uk", id="deep-subdomain"),
            pytest.param("my-site.example", "my-site.example", id="inner-hyphen"),
            pytest.param("a.123.com", "a.123.com", id="numeric-inner-label"),
            pytest.param("  example.com\n", "example.com", id="whitespace"),
            pytest.param(f"{'a' * 63}.com", f"{'a' * 63}.com", id="label-63-chars"),
            pytest.param(
                f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 57}.com",
                f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 57}.com",
                id="total-253-chars",
            ),
        ],
    )
    def test_normalize_domain_valid(self, value, expected):
        result = normalize_domain(value)

        assert result == expected

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            pytest.param("", "Enter a valid domain name such as example.com.", id="empty"),
            pytest.param("   ", "Enter a valid domain name such as example.com.", id="blank"),
            pytest.param(
                "https://", "Enter a valid domain name such as example.com.", id="no-host"
            ),
            pytest.param("www.", "Enter a valid domain name such as example.com.", id="www-only"),
            pytest.param(
                "localhost", "Enter a valid domain name such as example.com.", id="single-label"
            ),
            pytest.param("192.0.2.1", "Enter a domain name, not an IP address.", id="ipv4"),
            pytest.param(
                "http://192.0.2.1:8000/", "Enter a domain name, not an IP address.", id="ipv4-url"
            ),
            pytest.param(
                wide("192.0.2.1"),
                "Enter a domain name, not an IP address.",
                id="full-width-ipv4",
            ),
            pytest.param(
                wide("www."),
                "Enter a valid domain name such as example.com.",
                id="full-width-www-only",
            ),
            pytest.param(
                "ex" + wide("_") + "ample.com",
                "Enter a valid domain name such as example.com.",
                id="full-width-underscore",
            ),
            pytest.param("[::1]", "Enter a domain name, not an IP address.", id="ipv6"),
            pytest.param(
                "http://[2001:db8::1]:80/", "Enter a domain name, not an IP address.", id="ipv6-url"
            ),
            pytest.param(
                "exa mple.com", "Enter a valid domain name such as example.com.", id="space"
            ),
            pytest.param(
                "ex_ample.com", "Enter a valid domain name such as example.com.", id="underscore"
            ),
            pytest.param(
                "example..com", "Enter a valid domain name such as example.com.", id="empty-label"
            ),
            pytest.param(
                f"{'a' * 64}.com",
                "Enter a valid domain name such as example.com.",
                id="label-over-63-chars",
            ),
            pytest.param(
                f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 58}.com",
                "Enter a valid domain name such as example.com.",
                id="total-over-253-chars",
            ),
            pytest.param(
                "-example.com",
                "Enter a valid domain name such as example.com.",
                id="leading-hyphen-label",
            ),
            pytest.param(
                "example-.com",
                "Enter a valid domain name such as example.com.",
                id="trailing-hyphen-label",
            ),
            pytest.param(
                "example.123", "Enter a valid domain name such as example.com.", id="numeric-tld"
            ),
            pytest.param(
                "1.2.3.4.5", "Enter a valid domain name such as example.com.", id="all-numeric"
            ),
            pytest.param(
                "a.b.123", "Enter a valid domain name such as example.com.", id="numeric-tld-deep"
            ),
            pytest.param(
                "http://[::1",
                "Enter a domain name such as example.com.",
                id="unbalanced-bracket",
            ),
            pytest.param(
                "example.com]",
                "Enter a domain name such as example.com.",
                id="unbalanced-closing-bracket",
            ),
            pytest.param(
                "[example.com]",
                "Enter a domain name such as example.com.",
                id="bracketed-name",
            ),
            pytest.param(
                "ex\u2100ample.com",
                "Enter a domain name such as example.com.",
                id="nfkc-unsafe-character",
            ),
        ],
    )
    def test_normalize_domain_invalid(self, value, message):
        with pytest.raises(ValidationError) as excinfo:
            normalize_domain(value)

        assert excinfo.value.messages == [message]
