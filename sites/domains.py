"""Normalising and validating the domain a site is tracked under."""

import ipaddress
import re
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
MAX_LENGTH = 253


def normalize_domain(value: str) -> str:
    """Return the canonical form of a site's domain, or raise ValidationError.

    Lowercase, without scheme, credentials, port, path or a leading ``www.``, internationalised
    names as punycode: ``https://WWW.Bücher.de:8080/shop`` becomes ``xn--bcher-kva.de``.
    """
    text = value.strip()
    try:
        split = urlsplit(text if "://" in text else f"//{text}")
    except ValueError as error:  # an unbalanced IPv6 bracket, for one
        raise ValidationError("Enter a domain name such as example.com.") from error
    host = (split.hostname or "").rstrip(".")
    _refuse_ip_address(host)  # before IDNA, which refuses the colons of an IPv6 address
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValidationError("Enter a valid domain name such as example.com.") from error
    # After the UTS #46 mapping, as a browser reads the name: full-width letters, digits and
    # dots are plain ones, so a full-width "www." is dropped and full-width digits may be an
    # IPv4 address.
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    _refuse_ip_address(host)
    labels = host.split(".")
    if (
        len(host) > MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError("Enter a valid domain name such as example.com.")
    return host


def _refuse_ip_address(host: str) -> None:
    """Raise ValidationError when the host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise ValidationError("Enter a domain name, not an IP address.")
