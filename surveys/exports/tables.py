"""CSV and XLSX writers, fed batch by batch, each with its data dictionary.

Headers (``header``): ``names`` (the default) - one row of variable names (``colour``,
``fruits__apple``), which is what the analysis reads; ``wording`` - one row of question
wording; ``both`` - names, then wording, as two header rows. Codes and labels are both always
present: a choice question exports its code column (``colour``) and its label column
(``colour_label``).

The data dictionary (:func:`surveys.exports.layout.data_dictionary`) travels with every export:
the CSV download is a ZIP holding ``<name>.csv`` and ``<name>-dictionary.json`` side by side
(:func:`zip_chunks`, streamed), and the XLSX has a second sheet, "Dictionary".

Every cell goes through :func:`analysis.spreadsheet.neutralise` (the one rule for every file a
spreadsheet may open): a text cell that would run as a formula is prefixed with ``'``, and control
characters XLSX cannot hold are dropped, so an answer stored before input was cleaned can never
make an export fail. Numbers are left alone.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from analysis.spreadsheet import neutralise
from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout, data_dictionary

HEADER_MODES = ("names", "wording", "both")
DICTIONARY_SHEET = "Dictionary"
DICTIONARY_HEADINGS = ["variable", "question", "kind", "wording", "value", "value_label"]


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


def dictionary_rows(dictionary: dict[str, Any]) -> list[list[Any]]:
    """The data dictionary as a table: one row per column, then one per coded value."""
    rows: list[list[Any]] = [list(DICTIONARY_HEADINGS)]
    for column in dictionary["columns"]:
        rows.append(
            [column["name"], column.get("question"), column["kind"], column["label"], None, None]
        )
        for value in column.get("values", []):
            rows.append([column["name"], column.get("question"), None, None, value["value"],
                         value["label"]])  # fmt: skip
    return [[neutralise(cell) for cell in row] for row in rows]


async def write_xlsx(
    path: Path,
    layout: ExportLayout,
    batches: AsyncIterator[list[list[ExportCell]]],
    header: str = "names",
) -> int:
    """Write an XLSX file in openpyxl's write-only mode (rows stream to disk); returns rows.
    The first sheet holds the responses, the second ("Dictionary") the data dictionary."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    for row in header_rows(layout, header):
        sheet.append([neutralise(cell) for cell in row])
    count = 0
    async for batch in batches:
        for row in batch:
            sheet.append([neutralise(cell) for cell in row])
        count += len(batch)
    described = workbook.create_sheet(DICTIONARY_SHEET)
    for row in dictionary_rows(data_dictionary(layout, path.name)):
        described.append(row)
    workbook.save(path)
    return count


class _Sink(io.RawIOBase):
    """Where a streamed ZIP is written: bytes are taken out after each batch. Not seekable,
    so :mod:`zipfile` writes each member's sizes after its data (data descriptors)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


async def zip_chunks(
    name: str,
    layout: ExportLayout,
    batches: AsyncIterator[list[list[ExportCell]]],
    header: str = "names",
) -> AsyncIterator[bytes]:
    """A ZIP of ``<name>.csv`` and ``<name>-dictionary.json``, as bytes chunks: the dictionary,
    then the CSV batch by batch, so an export of any size holds one batch at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        dictionary = data_dictionary(layout, f"{name}.csv")
        archive.writestr(
            f"{name}-dictionary.json", json.dumps(dictionary, indent=1, ensure_ascii=False) + "\n"
        )
        yield sink.take()
        with archive.open(f"{name}.csv", "w", force_zip64=True) as member:
            async for chunk in csv_chunks(layout, batches, header):
                member.write(chunk.encode("utf-8"))
                yield sink.take()
    yield sink.take()
