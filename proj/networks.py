"""IP networks given as text: trusted proxies, addresses a site excludes."""

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=1024)
def parse_networks(networks: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse addresses and CIDR ranges (host bits allowed), once for each tuple; or raise."""
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in networks)
