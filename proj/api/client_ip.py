"""The client's IP address, believing X-Forwarded-For only from trusted proxies."""

from django.conf import settings
from django.http import HttpRequest

from proj.networks import parse_address, parse_networks


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that made the request.

    X-Forwarded-For is read right to left for as long as each hop was added by a trusted proxy
    (settings.TRUSTED_PROXIES), starting with the direct peer; the first address not vouched
    for that way is the client. A malformed hop ends the walk.
    """
    networks = parse_networks(tuple(settings.TRUSTED_PROXIES))
    address = parse_address(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",") if forwarded else []):
        if address is None or not any(address in network for network in networks):
            break
        hop_address = parse_address(hop)
        if hop_address is None:
            break
        address = hop_address
    return str(address) if address else ""
