"""App configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, sessions and API keys."""

    name = "accounts"
