"""Parsing the IP addresses and ranges whose visits a site drops."""

import pytest
from django.core.exceptions import ValidationError

from sites.networks import ip_in_networks, normalize_network


class NormalizeNetworkTest:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            pytest.param("203.0.113.7", "203.0.113.7/32", id="single-ipv4"),
            pytest.param("2001:db8::1", "2001:db8::1/128", id="single-ipv6"),
            pytest.param("203.0.113.0/24", "203.0.113.0/24", id="ipv4-range"),
            pytest.param("10.1.2.3/8", "10.0.0.0/8", id="ipv4-host-bits-set"),
            pytest.param("2001:db8::1/32", "2001:db8::/32", id="ipv6-host-bits-set"),
            pytest.param("2001:DB8:0:0::/48", "2001:db8::/48", id="ipv6-uppercase-uncompressed"),
            pytest.param(" 10.0.0.0/8\n", "10.0.0.0/8", id="whitespace"),
            pytest.param("0.0.0.0/0", "0.0.0.0/0", id="every-ipv4"),
        ],
    )
    def test_normalize_network_valid(self, value, expected):
        result = normalize_network(value)

        assert result == expected

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("", id="empty"),
            pytest.param("nope", id="word"),
            pytest.param("203.0.113.256", id="octet-out-of-range"),
            pytest.param("203.0.113.0/33", id="ipv4-prefix-too-long"),
            pytest.param("2001:db8::/129", id="ipv6-prefix-too-long"),
            pytest.param("203.0.113.0/abc", id="prefix-not-a-number"),
            pytest.param("example.com", id="domain"),
        ],
    )
    def test_normalize_network_invalid(self, value):
        with pytest.raises(ValidationError) as excinfo:
            normalize_network(value)

        assert excinfo.value.messages == [
            f"{value!r} is not an IP address or CIDR range such as 203.0.113.0/24."
        ]


class IpInNetworksTest:
    @pytest.mark.parametrize(
        ("ip", "networks", "expected"),
        [
            pytest.param("203.0.113.7", ("203.0.113.0/24",), True, id="ipv4-in-range"),
            pytest.param("203.0.113.7", ("203.0.113.7/32",), True, id="ipv4-single-address"),
            pytest.param("203.0.114.1", ("203.0.113.0/24",), False, id="ipv4-outside"),
            pytest.param(
                "198.51.100.1", ("203.0.113.0/24", "198.51.100.0/24"), True, id="second-network"
            ),
            pytest.param("2001:db8::42", ("2001:db8::/32",), True, id="ipv6-in-range"),
            pytest.param("2001:db9::1", ("2001:db8::/32",), False, id="ipv6-outside"),
            pytest.param("203.0.113.7", ("::/0",), False, id="ipv4-against-ipv6"),
            pytest.param("2001:db8::1", ("0.0.0.0/0",), False, id="ipv6-against-ipv4"),
            pytest.param("not-an-ip", ("0.0.0.0/0",), False, id="malformed-ip"),
            pytest.param("", ("0.0.0.0/0",), False, id="empty-ip"),
            pytest.param("203.0.113.7", (), False, id="no-networks"),
            pytest.param("10.9.9.9", ("10.1.2.3/8",), True, id="stored-with-host-bits"),
            pytest.param("::ffff:203.0.113.7", ("203.0.113.0/24",), True, id="ipv4-mapped"),
        ],
    )
    def test_ip_in_networks(self, ip, networks, expected):
        result = ip_in_networks(ip, networks)

        assert result is expected
