"""Sentry starts only with a DSN, and never sends personal data."""

import sentry_sdk

from proj.sentry import init_sentry


class InitSentryTest:
    def test_init_sentry_without_dsn(self):
        started = init_sentry(dsn="")

        assert started is False
        assert not sentry_sdk.get_client().is_active()

    def test_init_sentry_with_dsn(self):
        try:
            started = init_sentry(dsn="https://public@sentry.example.invalid/1")

            client = sentry_sdk.get_client()
            assert started is True
            assert client.is_active()
            assert client.options["send_default_pii"] is False
        finally:
            sentry_sdk.get_client().close(timeout=0)
            sentry_sdk.get_global_scope().set_client(None)
