"""CSV and XLSX writers, fed batch by batch.

Headers (``header``): ``names`` - one row of variable names (``colour``, ``fruits__apple``),
which is what the analysis reads; ``wording`` - one row of question wording; ``both`` - names,
then wording, as two header rows. Codes and labels are both always present: a choice question
exports its code column (``colour``) and its label column (``colour_label``).

Every cell goes through :func:`analysis.spreadsheet.neutralise` (the one rule for every file a
spreadsheet may open): a text cell that would run as a formula is prefixed with ``'``, and control
characters XLSX cannot hold are dropped, so an answer stored before input was cleaned can never
make an export fail. Numbers are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from openpyxl import Workbook

from analysis.spreadsheet import neutralise
from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout

HEADER_MODES = ("names", "wording", "both")


def header_rows(layout: ExportLayout, mode: str) -> list[list[ExportCell]]:
    if mode not in HEADER_MODES:
        raise ValueError(f"header must be one of {', '.join(HEADER_MODES)}")
    rows: list[list[ExportCell]] = []
    if mode in ("names", "both"):
        rows.append([neutralise(name) for name in layout.names])
    if mode in ("wording", "both"):
        rows.append([neutralise(label) for label in layout.labels])
    return rows


def _csv_text(rows: Iterable[list[ExportCell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


async def csv_chunks(
    layout: ExportLayout, batches: AsyncIterator[list[list[ExportCell]]], header: str = "names"
) -> AsyncIterator[str]:
    """The CSV as text chunks: the header, then one chunk per batch of responses."""
    yield _csv_text(header_rows(layout, header))
    async for batch in batches:
        yield _csv_text(batch)


async def write_csv(
    path: Path,
    layout: ExportLayout,
    batches: AsyncIterator[list[list[ExportCell]]],
    header: str = "names",
) -> int:
    """Write a UTF-8 CSV file; returns the number of responses written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(_csv_text(header_rows(layout, header)))
        async for batch in batches:
            handle.write(_csv_text(batch))
            count += len(batch)
    return count


async def write_xlsx(
    path: Path,
    layout: ExportLayout,
    batches: AsyncIterator[list[list[ExportCell]]],
    header: str = "both",
) -> int:
    """Write an XLSX file in openpyxl's write-only mode (rows stream to disk); returns rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    for row in header_rows(layout, header):
        sheet.append([neutralise(cell) for cell in row])
    count = 0
    async for batch in batches:
        for row in batch:
            sheet.append([neutralise(cell) for cell in row])
        count += len(batch)
    workbook.save(path)
    return count
