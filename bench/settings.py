"""Settings of the service under bench/ingest: the product's, plus a constant baseline view.

bench/ingest serves with ``DJANGO_SETTINGS_MODULE=bench.settings``; the product itself has no
bench endpoint.
"""

from proj.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
