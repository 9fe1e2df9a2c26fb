"""Writing an export: its rows read in batches (`yield_per`) and neutralised by
alliance.spreadsheets.safe_cell, as a streamed CSV or a streamed write-only XLSX workbook."""

import csv
import io
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook

from alliance.dashboard.exports import Export
from alliance.extensions import db
from alliance.spreadsheets import safe_cell

BATCH = 1000
CHUNK = 64 * 1024  # bytes of a streamed XLSX sent at a time
SPOOL = 1024 * 1024  # an XLSX up to this size stays in memory, a larger one goes to disk


def _neutral(export: Export, result) -> Iterator[list]:
    for row in result:
        yield [safe_cell("" if v is None else v) for v in export.row(row)]


def rows(export: Export, community_ids) -> Iterator[list]:
    """The export's rows, neutralised, read from the database in batches."""
    stmt = export.query(community_ids).execution_options(yield_per=BATCH)
    yield from _neutral(export, db.session.execute(stmt))


def csv_chunks(export: Export, row_iter: Iterator[list]) -> Iterator[str]:
    """A CSV a few hundred rows at a time (UTF-8 with BOM: Excel opens it with Chinese intact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(h) for h in export.headers])
    for n, row in enumerate(row_iter, start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def streamed(engine, export: Export, community_ids) -> Iterator[str]:
    """The CSV for a streamed response: it is read after the request's context is gone, so it
    reads on a connection of its own (taken from `engine` only once the first chunk is asked
    for, given back when the download ends or is abandoned)."""
    stmt = export.query(community_ids)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
        yield from csv_chunks(export, _neutral(export, result))


def xlsx_file(export: Export, community_ids):
    """The workbook written to a spooled temporary file, rewound. openpyxl's write-only sheet
    keeps no rows in memory and the rows are read in batches, so neither the database result
    nor the workbook grows in memory with the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(export.title)[:31])
    sheet.append([safe_cell(h) for h in export.headers])
    for row in rows(export, community_ids):
        sheet.append(row)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (closed by file_chunks)
    try:
        workbook.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def file_chunks(out) -> Iterator[bytes]:
    """A file's bytes `CHUNK` at a time, closing it when the download ends or is abandoned."""
    try:
        while chunk := out.read(CHUNK):
            yield chunk
    finally:
        out.close()
