"""Parsing IP networks given as text."""

import ipaddress

import pytest

from proj.networks import parse_address, parse_networks


class ParseNetworksTest:
    def test_parse_networks_addresses_and_ranges(self):
        networks = parse_networks((" 10.1.2.3/8", "2001:db8::1", "203.0.113.7"))

        assert networks == (
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("2001:db8::1/128"),
            ipaddress.ip_network("203.0.113.7/32"),
        )

    def test_parse_networks_malformed(self):
        with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
            parse_networks(("10.0.0.0/33",))


class ParseAddressTest:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (" 203.0.113.7 ", ipaddress.ip_address("203.0.113.7")),
            ("2001:db8::7", ipaddress.ip_address("2001:db8::7")),
            ("::ffff:203.0.113.7", ipaddress.ip_address("203.0.113.7")),
            ("not-an-ip", None),
            ("", None),
        ],
    )
    def test_parse_address(self, text, expected):
        assert parse_address(text) == expected
