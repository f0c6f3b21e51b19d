"""Parsing the IP addresses and ranges whose visits a site drops."""

import ipaddress

from django.core.exceptions import ValidationError

from proj.networks import parse_address, parse_networks


def normalize_network(value: str) -> str:
    """Return an address or CIDR range in canonical form (``10.0.0.0/8``), or raise."""
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError as error:
        raise ValidationError(
            f"{value!r} is not an IP address or CIDR range such as 203.0.113.0/24."
        ) from error


def ip_in_networks(ip: str, networks: tuple[str, ...]) -> bool:
    """Tell whether an address falls in any of the networks; a malformed address does not.

    Networks are parsed once per tuple (sites share the cache), host bits allowed, so a value
    stored without normalize_network() still works.
    """
    if not networks:
        return False
    address = parse_address(ip)
    if address is None:
        return False
    return any(address in network for network in parse_networks(networks))
