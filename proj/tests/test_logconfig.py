"""Log formats and levels chosen by environment variables."""

import io
import json
import logging
import logging.config

import pytest
import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from proj.logconfig import logging_config


@pytest.fixture
def log_output():
    """Route the logger "tally.test" to a string buffer; restore Django's logging afterwards."""
    stream = io.StringIO()
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def log_event(config: dict, stream: io.StringIO) -> str:
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    structlog.get_logger("tally.test").info("site_created", site_id=7)
    return stream.getvalue()


class LoggingConfigTest:
    def test_logging_config_json_lines(self, log_output):
        config = logging_config(log_format="json", level="INFO")

        line = json.loads(log_event(config, log_output))

        assert line["event"] == "site_created"
        assert line["site_id"] == 7
        assert line["level"] == "info"
        assert line["logger"] == "tally.test"

    def test_logging_config_console(self, log_output):
        config = logging_config(log_format="console", level="INFO")

        line = log_event(config, log_output)

        assert "site_created" in line
        assert "site_id=7" in line

    def test_logging_config_level_filters(self, log_output):
        config = logging_config(log_format="console", level="WARNING")

        assert log_event(config, log_output) == ""

    def test_logging_config_unknown_format(self):
        with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
            logging_config(log_format="xml", level="INFO")

    def test_logging_config_unknown_level(self):
        with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
            logging_config(log_format="json", level="LOUD")
