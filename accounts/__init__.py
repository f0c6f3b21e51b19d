"""Accounts: users, sessions and API keys."""
