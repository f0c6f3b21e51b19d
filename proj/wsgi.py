"""WSGI entry point, served by gunicorn; each worker loads the enrichment data as it starts."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from visits.enrichment.warmup import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

application = get_wsgi_application()
warm_up(city_db=settings.GEOIP_CITY_DB)
