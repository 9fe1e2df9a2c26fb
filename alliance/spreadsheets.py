"""CSV downloads, safe to open in a spreadsheet.

A cell starting with ``= + - @``, a tab or a carriage return is a formula to Excel, WPS and
LibreOffice (``=HYPERLINK(...)`` in a member's name becomes a link that leaks data). Such text
cells get a leading apostrophe (OWASP "CSV injection"); numbers stay numbers. Every CSV the
site serves goes through :func:`csv_response`.
"""

import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable], header: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
