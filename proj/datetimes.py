"""Datetimes given as text: the UTC offsets PostgreSQL can store."""

from datetime import datetime, timedelta

# PostgreSQL refuses offsets of 16 hours or more, Python accepts them up to 24 hours; real
# zones stay within -12:00 and +14:00.
MAX_UTC_OFFSET = timedelta(hours=16)
UTC_OFFSET_MESSAGE = "UTC offsets lie between -15:59 and +15:59."


def has_storable_offset(moment: datetime) -> bool:
    """Tell whether a datetime is naive or has a UTC offset PostgreSQL accepts."""
    offset = moment.utcoffset()
    return offset is None or abs(offset) < MAX_UTC_OFFSET
