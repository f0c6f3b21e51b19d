"""Error reporting to Sentry, switched on by SENTRY_DSN."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration


def init_sentry(*, dsn: str) -> bool:
    """Start Sentry when a DSN is given; report unhandled exceptions and ERROR logs."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        send_default_pii=False,
        integrations=[DjangoIntegration(), LoggingIntegration(event_level="ERROR")],
    )
    return True
