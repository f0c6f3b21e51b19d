"""Tests for locating addresses, in the bundled country data and in a tiny city database."""

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from visits.enrichment.geoip import GeoIPConfigError, Location, check_city_db, locate

LONDON = {
    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
    "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}],
    "city": {"names": {"en": "London"}},
    "postal": {"code": "EC1A"},
    "location": {"latitude": 51.5142, "longitude": -0.0931},
}
# The registries file this Google block under Ireland; the city database knows better.
FRANKFURT = {
    "country": {"iso_code": "DE", "names": {"en": "Germany"}},
    "subdivisions": [{"iso_code": "HE", "names": {"en": "Hesse"}}],
    "city": {"names": {"en": "Frankfurt am Main"}},
    "postal": {"code": "60313"},
    "location": {"latitude": 50.1109, "longitude": 8.6821},
}
# DB-IP and GeoLite2 both hold records with a city but no country or subdivision.
CITY_ONLY = {"city": {"names": {"en": "Mountain View"}}}
# And records that name a country only, with a subdivision code but no subdivision name.
COUNTRY_ONLY = {"country": {"iso_code": "GB"}, "subdivisions": [{"iso_code": "ENG"}]}


def write_db(path, networks, *, ip_version=6, database_type="GeoLite2-City"):
    """Write a MaxMind DB file holding the given records, keyed by network."""
    writer = MMDBWriter(
        ip_version=ip_version,
        ipv4_compatible=ip_version == 6,
        database_type=database_type,
        languages=["en"],
        description="Test database",
    )
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return str(path)


@pytest.fixture(scope="module")
def city_db(tmp_path_factory):
    """A city database with one IPv4 and one IPv6 city, and records without a country or city."""
    path = tmp_path_factory.mktemp("geoip") / "City.mmdb"
    networks = {
        "81.2.69.0/24": LONDON,
        "2a00:1450:4001::/48": FRANKFURT,
        "8.8.4.0/24": CITY_ONLY,
        "81.2.70.0/24": COUNTRY_ONLY,
    }
    return write_db(path, networks)


@pytest.fixture(scope="module")
def ipv4_city_db(tmp_path_factory):
    """A city database that holds IPv4 networks only."""
    path = tmp_path_factory.mktemp("geoip") / "City-IPv4.mmdb"
    return write_db(path, {"81.2.69.0/24": LONDON}, ip_version=4)


class CheckCityDbTest:
    def test_check_city_db_valid(self, city_db):
        check_city_db(city_db)

        assert locate("81.2.69.142", city_db=city_db).city == "London"

    def test_check_city_db_missing(self, tmp_path):
        path = str(tmp_path / "missing.mmdb")

        with pytest.raises(GeoIPConfigError) as raised:
            check_city_db(path)

        assert str(raised.value) == (
            f"Cannot open the city database {path!r} ([Errno 2] No such file or directory: "
            f"{path.encode()!r}). Point GEOIP_CITY_DB at a GeoLite2-City or DB-IP City Lite "
            ".mmdb file, or unset it."
        )

    def test_check_city_db_country_db(self, tmp_path):
        path = write_db(
            tmp_path / "Country.mmdb",
            {"81.2.69.0/24": {"country": {"iso_code": "GB"}}},
            database_type="GeoLite2-Country",
        )

        with pytest.raises(GeoIPConfigError) as raised:
            check_city_db(path)

        assert str(raised.value) == (
            f"{path!r} is a GeoLite2-Country database, not a city one. Point GEOIP_CITY_DB at "
            "a GeoLite2-City or DB-IP City Lite .mmdb file, or unset it."
        )


class LocateTest:
    @pytest.mark.parametrize(
        ("ip", "country"),
        [
            ("8.8.8.8", "US"),
            ("193.0.6.139", "NL"),
            ("202.12.29.205", "AU"),
            ("200.160.2.3", "BR"),
            ("2001:4860:4860::8888", "US"),
            ("2001:67c:2e8:22::c100:68b", "NL"),
            ("2001:12ff:0:4::3", "BR"),
            ("::ffff:193.0.6.139", "NL"),
            (" 8.8.8.8 ", "US"),
        ],
    )
    def test_locate_bundled_country(self, ip, country):
        location = locate(ip, city_db="")

        assert location == Location(country=country)

    @pytest.mark.parametrize(
        "ip",
        [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "0.0.0.0",  # noqa: S104 - the unspecified address, looked up, not bound
            "100.64.0.1",
            "169.254.1.1",
            "192.0.2.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "2001:db8::1",
            "ff02::1",
            "::ffff:192.168.1.1",
        ],
    )
    def test_locate_private_address(self, ip):
        location = locate(ip, city_db="")

        assert location == Location()

    @pytest.mark.parametrize(
        "ip",
        ["", "   ", "not-an-ip", "999.1.1.1", "1.2.3", "8.8.8.8/32", "2001:4860::8888::1"],
    )
    def test_locate_malformed_address(self, ip):
        location = locate(ip, city_db="")

        assert location == Location()

    def test_locate_unknown_address(self):
        location = locate("4000::1", city_db="")

        assert location == Location()

    def test_locate_private_address_with_city_db(self, city_db):
        location = locate("192.168.1.1", city_db=city_db)

        assert location == Location()

    def test_locate_ipv4_in_city_db(self, city_db):
        location = locate("81.2.69.142", city_db=city_db)

        assert location == Location(
            country="GB",
            region="England",
            city="London",
            postal_code="EC1A",
            latitude=51.5142,
            longitude=-0.0931,
        )

    def test_locate_ipv6_in_city_db(self, city_db):
        location = locate("2a00:1450:4001:80b::200e", city_db=city_db)

        assert location == Location(
            country="DE",
            region="Hesse",
            city="Frankfurt am Main",
            postal_code="60313",
            latitude=50.1109,
            longitude=8.6821,
        )

    def test_locate_city_record_without_country(self, city_db):
        location = locate("8.8.4.4", city_db=city_db)

        assert location == Location(country="US", city="Mountain View")

    def test_locate_record_without_city_or_subdivision_name(self, city_db):
        location = locate("81.2.70.1", city_db=city_db)

        assert location == Location(country="GB")

    def test_locate_private_address_fields(self):
        location = locate("10.0.0.1", city_db="")

        assert (
            location.country,
            location.region,
            location.city,
            location.postal_code,
            location.latitude,
            location.longitude,
        ) == ("", "", "", "", None, None)

    def test_locate_address_missing_from_city_db(self, city_db):
        location = locate("193.0.6.139", city_db=city_db)

        assert location == Location(country="NL")

    def test_locate_ipv6_in_ipv4_city_db(self, ipv4_city_db):
        location = locate("2001:67c:2e8:22::c100:68b", city_db=ipv4_city_db)

        assert location == Location(country="NL")

    def test_locate_without_city_db(self):
        location = locate("81.2.69.142")

        assert location == Location(country="GB")

    def test_locate_reuses_open_city_db(self, tmp_path):
        path = write_db(tmp_path / "City.mmdb", {"81.2.69.0/24": LONDON})
        locate("81.2.69.142", city_db=path)
        (tmp_path / "City.mmdb").unlink()

        location = locate("81.2.69.142", city_db=path)

        assert location.city == "London"

    def test_locate_missing_city_db(self, tmp_path):
        with pytest.raises(GeoIPConfigError, match="GEOIP_CITY_DB"):
            locate("8.8.8.8", city_db=str(tmp_path / "missing.mmdb"))

    def test_locate_corrupt_city_db(self, tmp_path):
        path = tmp_path / "corrupt.mmdb"
        path.write_bytes(b"not a MaxMind database")

        with pytest.raises(GeoIPConfigError, match="Cannot open"):
            locate("8.8.8.8", city_db=str(path))

    def test_locate_country_db_as_city_db(self, tmp_path):
        path = write_db(
            tmp_path / "Country.mmdb",
            {"81.2.69.0/24": {"country": {"iso_code": "GB"}}},
            database_type="GeoLite2-Country",
        )

        with pytest.raises(GeoIPConfigError, match="not a city one"):
            locate("81.2.69.142", city_db=path)
