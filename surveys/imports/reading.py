"""Reading responses gathered elsewhere: a CSV or XLSX table, its columns mapped to questions,
each cell parsed by the question's own type (option codes or labels both accepted). A rating
grid takes one column per row.

Problems are reported by spreadsheet row (the header is row 1) and column heading. Nothing is
saved unless every row parses: :func:`parse_rows` returns answers *or* problems.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from analysis.spreadsheet import clean_text
from surveys.definition import Answers, Survey

MAX_ROWS = 20_000
# A survey has a few hundred answer columns at most; a mapping page per column must stay small.
MAX_COLUMNS = 500
TOO_MANY_ROWS = f"The file has more than {MAX_ROWS:,} rows; split it into smaller files"
TOO_MANY_COLUMNS = f"The file has more than {MAX_COLUMNS} columns; remove the ones not needed"
# Spreadsheets often carry blank formatted rows below the data; they are skipped, not counted.
BLANK_ROW_ALLOWANCE = 1000


class ImportProblem(ValueError):
    """The file itself cannot be read."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


def read_table(filename: str, content: bytes) -> Table:
    """The table in a CSV or XLSX file. Blocking work (seconds for a large file): call it in a
    worker thread. Sizes are checked before anything large is built: an XLSX file's declared
    dimensions first, then rows and columns as they stream, stopping at the first over a cap."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        values = _xlsx_rows(content)
    else:
        values = _csv_rows(content)
    if not values:
        raise ImportProblem("The file is empty")
    headers = [h.strip() or f"Column {n}" for n, h in enumerate(values[0], start=1)]
    width = len(headers)
    rows = [(row + [""] * width)[:width] for row in values[1:]]
    return Table(headers, rows)


def _kept(rows: Iterator[Sequence[object]]) -> list[list[str]]:
    """Non-blank rows as text, refusing at the first row or column over a cap."""
    kept: list[list[str]] = []
    for seen, row in enumerate(rows, start=1):
        if seen > MAX_ROWS + 1 + BLANK_ROW_ALLOWANCE:
            raise ImportProblem(TOO_MANY_ROWS)
        if len(row) > MAX_COLUMNS:
            # A row padded to a declared width may end in blanks; real cells beyond the cap refuse.
            if any(cell not in (None, "") for cell in row[MAX_COLUMNS:]):
                raise ImportProblem(TOO_MANY_COLUMNS)
            row = row[:MAX_COLUMNS]
        cells = ["" if cell is None else clean_text(str(cell)) for cell in row]
        if any(cell.strip() for cell in cells):
            kept.append(cells)
            if len(kept) > MAX_ROWS + 1:  # the header and MAX_ROWS answers
                raise ImportProblem(TOO_MANY_ROWS)
    return kept


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportProblem("The file could not be read as Excel (XLSX)") from exc
    try:
        sheet = book.active
        if sheet is None or not hasattr(sheet, "iter_rows"):
            raise ImportProblem("The file has no worksheet")
        # The <dimension> a file declares (A1:XFD1500 built 16,384 columns for 4.7 KB).
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ImportProblem(TOO_MANY_COLUMNS)
        if (sheet.max_row or 0) > MAX_ROWS + 1 + BLANK_ROW_ALLOWANCE:
            raise ImportProblem(TOO_MANY_ROWS)
        return _kept(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1))
    except ImportProblem:
        raise
    except Exception as exc:
        raise ImportProblem("The file could not be read as Excel (XLSX)") from exc
    finally:
        book.close()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem("The file is not UTF-8 text; save it as CSV UTF-8") from exc
    try:
        return _kept(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        # Chiefly a cell over the csv module's 128 KB field limit.
        raise ImportProblem(f"The file could not be read as CSV ({exc})") from exc


# A column answering one part of a question (a grid's row): "<question key>:<part>" (keys never
# hold a colon).
ROW = ":"


def targets(survey: Survey) -> list[tuple[str, str]]:
    """What one column can answer, as ``(value, label)`` for the mapping select lists: a
    question, or one part of one (``QuestionType.import_parts``: a rating grid's rows)."""
    return [
        (f"{question.key}{ROW}{part}" if part else question.key, label)
        for question in survey.questions()
        for part, label in question.import_parts()
    ]


def guess_targets(survey: Survey, headers: Sequence[str]) -> dict[int, str]:
    """Columns whose heading is a target's wording, key or export column name (``grid__bus``)."""
    names: dict[str, str] = {}
    for value, label in targets(survey):
        names[label.casefold()] = value
        names[value.replace(ROW, "__").casefold()] = value
    return {n: names[h.casefold()] for n, h in enumerate(headers) if h.casefold() in names}


def _duplicates(table: Table, mapping: Mapping[int, str]) -> list[str]:
    columns: dict[str, list[str]] = {}
    for column, target in mapping.items():
        columns.setdefault(target, []).append(f"'{table.headers[column]}'")
    return [
        f"columns {' and '.join(names)} answer the same question; choose one of them"
        for names in columns.values()
        if len(names) > 1
    ]


def parse_rows(
    survey: Survey, table: Table, mapping: Mapping[int, str]
) -> tuple[list[Answers], list[str]]:
    """``mapping``: column index -> target (question key, or ``key:row`` for a grid row).
    Returns (answers per row, problems)."""
    questions = {q.key: q for q in survey.questions()}
    results: list[Answers] = []
    problems = _duplicates(table, mapping)
    for number, row in enumerate(table.rows, start=2):
        answers: Answers = {}
        # Questions answered by several columns: their fields, gathered across the row.
        grids: dict[str, dict[str, list[str]]] = {}
        for column, target in mapping.items():
            cell = row[column].strip()
            key, _, part = target.partition(ROW)
            question = questions[key]
            if not cell:
                continue
            where = f"row {number}, column '{table.headers[column]}'"
            fields, problem = question.cell_fields(cell, part)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            if part:  # one column of several (a grid's row): read once all are in
                grids.setdefault(key, {}).update(fields)
                continue
            value, errors = question.parse(fields)
            problems.extend(f"{where}: '{cell[:60]}': {error}" for error in errors)
            if not errors and value is not None:
                answers[key] = value
        for key, fields in grids.items():
            value, errors = questions[key].parse(fields)
            problems.extend(f"row {number}, {questions[key].title}: {error}" for error in errors)
            if not errors and value is not None:
                answers[key] = value
        results.append(answers)
    return results, problems
