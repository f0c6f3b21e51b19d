"""Parsing IP networks given as text."""

import ipaddress

import pytest

from proj.networks import parse_networks


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
