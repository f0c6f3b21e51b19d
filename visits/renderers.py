"""CSV export of the visits collection, streamed row by row."""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from rest_framework.renderers import BaseRenderer

# A cell a spreadsheet would run as a formula; visitors control paths and props.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """Selects ``?format=csv``; it renders nothing itself.

    The view streams the rows, and errors are rendered as JSON whatever the format asked for
    (proj/api/errors.py).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class _Line:
    """A file-like object whose write() returns the line csv.writer produced."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        text = ""
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime):
        text = value.isoformat()
    elif not isinstance(value, str):  # numbers and booleans: no formula, keep them numeric
        return str(value)
    else:
        text = value
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield the CSV lines of a header and rows, one at a time."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])
