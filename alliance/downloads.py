"""Files people download: CSV reports that open in Excel with Chinese text intact."""

import csv
import io

from flask import Response

from alliance.spreadsheets import safe_cell
from alliance.templating import fen_to_yuan


def csv_response(rows, header, filename):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly
    writer = csv.writer(buffer)
    # Formula-looking cells are neutralised (a member named "=HYPERLINK(...)"): see spreadsheets.
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def yuan(fen) -> str:
    return fen_to_yuan(fen)
