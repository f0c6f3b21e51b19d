"""Settings read from the environment, and the refusal to start without a secret key."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import proj.settings

SETTINGS_FILE = Path(proj.settings.__file__)


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://tally@db.example:5432/tally")
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("HTTPS_ONLY", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 60)


def load_settings() -> dict:
    return runpy.run_path(str(SETTINGS_FILE))


class SettingsTest:
    def test_secret_key_missing_debug_off(self, production_env, monkeypatch):
        monkeypatch.delenv("SECRET_KEY")

        with pytest.raises(ImproperlyConfigured) as raised:
            load_settings()

        assert str(raised.value) == (
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string, or set DEBUG=1 for local development; manage.py also finds the key that "
            "`make run` keeps in .data/secret_key."
        )

    def test_secret_key_missing_debug_on(self, production_env, monkeypatch):
        monkeypatch.delenv("SECRET_KEY")
        monkeypatch.setenv("DEBUG", "1")

        settings = load_settings()

        assert settings["DEBUG"] is True
        assert settings["SECRET_KEY"]

    def test_defaults_production(self, production_env):
        settings = load_settings()

        assert settings["DEBUG"] is False
        assert settings["SESSION_COOKIE_SECURE"] is True
        assert settings["SECURE_SSL_REDIRECT"] is True
        assert settings["SENTRY_DSN"] == ""

    def test_database_url(self, production_env):
        settings = load_settings()

        database = settings["DATABASES"]["default"]
        assert database["HOST"] == "db.example"
        assert database["NAME"] == "tally"
        assert database["USER"] == "tally"

    def test_https_only_off(self, production_env, monkeypatch):
        monkeypatch.setenv("HTTPS_ONLY", "0")

        settings = load_settings()

        assert settings["SECURE_SSL_REDIRECT"] is False
        assert settings["SESSION_COOKIE_SECURE"] is False
        assert settings["SECURE_HSTS_SECONDS"] == 0

    def test_allowed_hosts_list(self, production_env, monkeypatch):
        monkeypatch.setenv("ALLOWED_HOSTS", "tally.example.com, api.example.com,")

        settings = load_settings()

        assert settings["ALLOWED_HOSTS"] == ["tally.example.com", "api.example.com"]

    def test_cookie_samesite_invalid(self, production_env, monkeypatch):
        monkeypatch.setenv("COOKIE_SAMESITE", "Sometimes")

        with pytest.raises(ImproperlyConfigured, match="COOKIE_SAMESITE"):
            load_settings()

    def test_trusted_proxies_invalid(self, production_env, monkeypatch):
        monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,not-a-network")

        with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
            load_settings()

    def test_cors_origins_trusted_for_csrf(self, production_env, monkeypatch):
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://app.example.com")

        settings = load_settings()

        assert settings["CORS_ALLOWED_ORIGINS"] == ["https://app.example.com"]
        assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://app.example.com"]
