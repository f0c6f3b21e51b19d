"""Tally: the Django project package (settings, URLs, logging and API plumbing)."""
