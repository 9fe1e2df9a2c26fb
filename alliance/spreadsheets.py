"""CSV downloads, safe to open in a spreadsheet.

A cell starting with ``= + - @``, a tab or a carriage return is a formula to Excel, WPS and
LibreOffice (``=HYPERLINK(...)`` in a member's name becomes a link that leaks data). Such text
cells get a leading apostrophe (OWASP "CSV injection"); numbers stay numbers. Every CSV the
site serves goes through `alliance.downloads.csv_response`, the XLSX exports through safe_cell.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
