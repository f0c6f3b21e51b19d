"""Regular expressions for the schema, matching what Python's ipaddress module accepts.

Built from RFC 3986's grammar (``IPv6address``, ``dec-octet``), without zone ids, so a
schema-valid value is one the server takes; fuzzers generate values from them.
"""

_H16 = "[0-9A-Fa-f]{1,4}"
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"  # no leading zeros, as ipaddress
IPV4_PATTERN = rf"({_OCTET}(\.{_OCTET}){{3}})"
_LS32 = f"({_H16}:{_H16}|{IPV4_PATTERN})"


def _h16s(count: int) -> str:
    return f"({_H16}:){{{count}}}"


def _before_gap(most: int) -> str:
    return f"(({_H16}:){{0,{most}}}{_H16})?"


IPV6_PATTERN = (
    "("
    + "|".join(
        [
            f"{_h16s(6)}{_LS32}",
            f"::{_h16s(5)}{_LS32}",
            f"({_H16})?::{_h16s(4)}{_LS32}",
            *(f"{_before_gap(most)}::{_h16s(3 - most)}{_LS32}" for most in (1, 2)),
            f"{_before_gap(3)}::{_H16}:{_LS32}",
            f"{_before_gap(4)}::{_LS32}",
            f"{_before_gap(5)}::{_H16}",
            f"{_before_gap(6)}::",
        ]
    )
    + ")"
)
# An address, or a CIDR range (host bits allowed: ranges are stored normalised).
NETWORK_PATTERN = (
    rf"^({IPV4_PATTERN}(/0*([0-9]|[12][0-9]|3[0-2]))?"
    rf"|{IPV6_PATTERN}(/0*([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?)$"
)
