"""Cookieless visitor ids: a keyed hash of a secret daily salt, the site, the IP and the UA.

Salts are random, one per UTC day, and deleted once their day is more than a day old, so
nobody (not even with the database and SECRET_KEY) can recompute an id from an IP later, and a
visitor cannot be followed from one day to the next.
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.db import models

KEEP_DAYS = 2
# visitor_of_day() mixes the day's ordinal into bits 42 to 61 of the key, within 63 bits.
DAY_BITS, DAY_SHIFT = 1 << 20, 42
_salts: dict[date, bytes] = {}


class VisitorSalt(models.Model):
    """The secret salt of one UTC day."""

    day = models.DateField(primary_key=True)
    salt = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"salt of {self.day}"


def salt_for(day: date) -> bytes:
    """Return the day's salt, creating it once across all workers; forget expired salts."""
    salt = _salts.get(day)
    if salt is None:
        VisitorSalt.objects.bulk_create(
            [VisitorSalt(day=day, salt=secrets.token_bytes(32))], ignore_conflicts=True
        )
        salt = bytes(VisitorSalt.objects.get(day=day).salt)
        expired = day - timedelta(days=KEEP_DAYS - 1)
        VisitorSalt.objects.filter(day__lt=expired).delete()
        # list() copies at once: another thread of the worker may change the dict meanwhile.
        for old_day in [d for d in list(_salts) if d < expired]:
            _salts.pop(old_day, None)
        _salts[day] = salt
    return salt


def visitor_id(*, salt: bytes, site_id: int, ip: str, user_agent: str) -> int:
    """Return the visitor's 63-bit id under a salt."""
    digest = hashlib.blake2b(
        f"{site_id}|{ip}|{user_agent}".encode(), key=salt, digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") >> 1  # fits a signed bigint


def visitor_of_day(key: int, day: date) -> int:
    """Return the visitor as counted: the key of the visitor on one local day of the site.

    Every visit of a counted visitor starts on that day, so visitor counts of different days
    add up (see visits.stats.rollups).
    """
    return key ^ ((day.toordinal() % DAY_BITS) << DAY_SHIFT)


def visitor_ids(*, site_id: int, ip: str, user_agent: str, day: date) -> tuple[int, int]:
    """Return the visitor's id under the day's salt and under the previous day's salt.

    The previous id lets a visit that spans midnight continue as one session.
    """
    return tuple(
        visitor_id(salt=salt_for(d), site_id=site_id, ip=ip, user_agent=user_agent)
        for d in (day, day - timedelta(days=1))
    )
