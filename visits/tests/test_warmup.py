"""Loading the enrichment data when a server process starts."""

import runpy

import pytest

import proj.wsgi
from visits.enrichment import useragent
from visits.enrichment.geoip import _city_reader
from visits.enrichment.warmup import warm_up
from visits.tests.test_geoip import LONDON, write_db


@pytest.fixture
def cold_parser():
    """Forget the loaded user-agent rules and crawler list, as in a fresh process."""
    useragent._parser.cache_clear()
    useragent._crawler_detect.cache_clear()
    useragent._parse.cache_clear()


class WarmUpTest:
    def test_warm_up_loads_user_agent_rules(self, cold_parser):
        warm_up(city_db="")

        assert useragent._parser.cache_info().currsize == 1
        assert useragent._crawler_detect.cache_info().currsize == 1

    def test_warm_up_opens_city_db(self, tmp_path):
        city_db = write_db(tmp_path / "City.mmdb", {"81.2.69.0/24": LONDON})
        _city_reader.cache_clear()

        warm_up(city_db=city_db)

        assert _city_reader.cache_info().currsize == 1

    def test_warm_up_logs_seconds(self, cold_parser, caplog):
        warm_up(city_db="")

        assert [record.msg["event"] for record in caplog.records] == ["enrichment_loaded"]


class WsgiTest:
    def test_wsgi_loads_user_agent_rules(self, cold_parser):
        runpy.run_path(proj.wsgi.__file__)

        assert useragent._parser.cache_info().currsize == 1
