"""Locating visitors by IP address: country offline out of the box, city when configured.

The country comes from iptocc, which ships the five Regional Internet Registries'
delegation files inside its wheel (MIT or Apache-2.0; the registries publish the data for
anyone to use), so it works with no download and no licence key. Those files say which
country a block of addresses was assigned to, which agrees with commercial geolocation for
about 95% of addresses.

When the ``GEOIP_CITY_DB`` environment variable names a MaxMind GeoIP2/GeoLite2 City or
DB-IP City Lite ``.mmdb`` file, the region, city, postal code and coordinates come from it
too, and so does the country when the file has one.
"""

import functools
import ipaddress
from dataclasses import dataclass

import iptocc
import maxminddb
from geoip2.database import Reader
from geoip2.errors import AddressNotFoundError

from proj.networks import parse_address

CITY_DB_ENV = "GEOIP_CITY_DB"


class GeoIPConfigError(RuntimeError):
    """The configured city database cannot be used."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where an address is, as far as the databases know; "" and None mean unknown."""

    country: str = ""
    region: str = ""
    city: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


_NOWHERE = Location()


def locate(ip: str, *, city_db: str = "") -> Location:
    """Return the location of an IPv4 or IPv6 address.

    ``city_db`` is the path of a city ``.mmdb`` file (settings.GEOIP_CITY_DB), "" for none.
    Private, loopback, reserved and otherwise non-public
    addresses, addresses the databases do not know, and strings that are not addresses
    all give an empty Location. A city database that cannot be opened raises
    GeoIPConfigError on first use.
    """
    address = _public_address(ip)
    if address is None:
        return _NOWHERE
    if city_db:
        return _locate_in_city_db(_city_reader(city_db), address)
    return Location(country=_bundled_country(address))


def _public_address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an address that can be located, or return None for one that cannot."""
    address = parse_address(ip)
    if address is None or not address.is_global or address.is_multicast:
        return None
    return address


def _bundled_country(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Return the country the registries assigned the address to, "" when none did."""
    return (iptocc.country_code(str(address)) or "").upper()


def _locate_in_city_db(
    reader: Reader, address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> Location:
    """Read the city record of an address, falling back to the bundled country."""
    try:
        record = reader.city(address)
    # An IPv6 address looked up in an IPv4-only database raises ValueError.
    except (AddressNotFoundError, ValueError):
        return Location(country=_bundled_country(address))
    subdivisions = record.subdivisions
    return Location(
        country=(record.country.iso_code or _bundled_country(address)).upper(),
        region=(subdivisions[0].name or "") if subdivisions else "",
        city=record.city.name or "",
        postal_code=record.postal.code or "",
        latitude=record.location.latitude,
        longitude=record.location.longitude,
    )


def check_city_db(path: str) -> None:
    """Open the city database now, so that a wrong path fails at startup, not at ingest."""
    _city_reader(path)


@functools.cache
def _city_reader(path: str) -> Reader:
    """Open a city database once per path; the reader is shared and thread-safe."""
    try:
        reader = Reader(path)
    except (OSError, maxminddb.InvalidDatabaseError) as error:
        raise GeoIPConfigError(
            f"Cannot open the city database {path!r} ({error}). Point {CITY_DB_ENV} at a "
            "GeoLite2-City or DB-IP City Lite .mmdb file, or unset it."
        ) from error
    database_type = reader.metadata().database_type
    if "City" not in database_type:
        reader.close()
        raise GeoIPConfigError(
            f"{path!r} is a {database_type} database, not a city one. Point {CITY_DB_ENV} at "
            "a GeoLite2-City or DB-IP City Lite .mmdb file, or unset it."
        )
    return reader
