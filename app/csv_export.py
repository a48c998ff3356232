"""Writing CSV downloads: streamed row by row, and safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response, stream_with_context

# A cell starting with one of these is run as a formula by Excel and LibreOffice; a leading
# apostrophe makes it plain text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value as written to the CSV: text that looks like a formula is defused."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterable[str]:
    """The CSV text, a line at a time (so long exports never sit in memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A streamed CSV download, UTF-8 with a byte order mark so that Excel reads it right."""
    def generate():
        yield "\ufeff"
        yield from csv_lines(header, rows)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
