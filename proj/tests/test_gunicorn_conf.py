"""gunicorn.conf.py, the server settings of `make run` and bench/ingest.

bench/slow_clients.py shows the behaviour these settings give: slow clients hold threads, not
workers. These tests keep the settings that give it.
"""

import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONFIG_FILE = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load_config() -> Config:
    """Read gunicorn.conf.py as gunicorn does: each setting it defines, validated."""
    config = Config()
    for name, value in runpy.run_path(str(CONFIG_FILE)).items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.fixture(autouse=True)
def _default_env(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)


class GunicornConfTest:
    def test_gunicorn_conf_threaded_workers(self):
        config = load_config()

        assert config.worker_class_str == "gthread"
        assert (config.workers, config.threads) == (2, 8)
        assert config.wsgi_app == "proj.wsgi"

    def test_gunicorn_conf_counts_from_environment(self, monkeypatch):
        monkeypatch.setenv("WEB_CONCURRENCY", "3")
        monkeypatch.setenv("WEB_THREADS", "4")

        config = load_config()

        assert (config.workers, config.threads) == (3, 4)

    @pytest.mark.parametrize("value", ["0", "many", "-2"])
    def test_gunicorn_conf_bad_count(self, monkeypatch, value):
        monkeypatch.setenv("WEB_THREADS", value)

        with pytest.raises(SystemExit) as raised:
            load_config()

        assert (
            str(raised.value) == f"WEB_THREADS must be a whole number of at least 1, not {value!r}."
        )
