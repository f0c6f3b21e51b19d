"""IP addresses and networks given as text: clients, trusted proxies, excluded ranges."""

import ipaddress
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=1024)
def parse_networks(networks: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse addresses and CIDR ranges (host bits allowed), once for each tuple; or raise."""
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in networks)


def parse_address(text: str) -> IPAddress | None:
    """Parse an IP address, None when malformed; ``::ffff:a.b.c.d`` is the IPv4 address.

    Dual-stack servers report IPv4 clients in that IPv6 form; unwrapped, they match IPv4
    ranges and locate as IPv4.
    """
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address
