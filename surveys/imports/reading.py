"""Reading responses gathered elsewhere: a CSV or XLSX table, its columns mapped to questions,
each cell parsed by the question's own type (option codes or labels both accepted). A rating
grid takes one column per row.

Problems are reported by spreadsheet row (the header is row 1) and column heading. Nothing is
saved unless every row parses: :func:`parse_rows` returns answers *or* problems.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from analysis.spreadsheet import clean_text
from surveys.definition import Answers, Option, QuestionType, Survey
from surveys.definition.questions.rating import RatingGrid

MAX_ROWS = 20_000
# A survey has a few hundred answer columns at most; a mapping page per column must stay small.
MAX_COLUMNS = 500
TOO_MANY_ROWS = f"The file has more than {MAX_ROWS:,} rows; split it into smaller files"
TOO_MANY_COLUMNS = f"The file has more than {MAX_COLUMNS} columns; remove the ones not needed"
# Spreadsheets often carry blank formatted rows below the data; they are skipped, not counted.
BLANK_ROW_ALLOWANCE = 1000
SEPARATORS = re.compile(r"\s*[;\n|]\s*")


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


def _match(options: Sequence[Option], cell: str) -> str | None:
    wanted = cell.strip().casefold()
    for option in options:
        if wanted in (option.value.casefold(), option.label.casefold()):
            return option.value
    return None


def cell_to_fields(question: QuestionType, cell: str) -> tuple[dict[str, list[str]], str | None]:
    """The form fields the question would have received, or a problem with the cell."""
    name = question.field_name
    options: tuple[Option, ...] | None = getattr(question, "all_options", None)
    kind = question.type_name
    if kind in ("single_choice", "rating") and options is not None:
        code = _match(options, cell)
        if code is None:
            return {}, f"'{cell}' is not one of the options ({_listed(options)})"
        return {name: [code]}, None
    if kind == "multiple_choice" and options is not None:
        codes = []
        for part in SEPARATORS.split(cell.strip()):
            code = _match(options, part)
            if code is None:
                listed = _listed(options)
                return {}, f"'{part}' is not one of the options ({listed}); separate answers with ;"
            codes.append(code)
        return {name: codes}, None
    if kind == "three_words":
        words = [*SEPARATORS.split(cell.strip()), "", "", ""][:3]
        return {f"{name}-{n}": [w] for n, w in enumerate(words, start=1)}, None
    if kind == "month_year":
        match = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})", cell.strip())
        if not match:
            return {}, f"'{cell}' is not a month and year like 2024-05 or 5/2024"
        year, month = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        )
        return {f"{name}-month": [month], f"{name}-year": [year]}, None
    if kind == "consent":
        yes = cell.strip().casefold() in {"yes", "y", "1", "true", "agreed", "ticked"}
        return ({name: ["yes"]} if yes else {}), None
    return {name: [cell]}, None


ROW = ":"  # a grid row's target: "<question key>:<row value>" (keys never hold a colon)


def targets(survey: Survey) -> list[tuple[str, str]]:
    """What one column can answer, as ``(value, label)`` for the mapping select lists: a
    question, or one row of a rating grid (one column per row)."""
    found: list[tuple[str, str]] = []
    for question in survey.questions():
        if isinstance(question, RatingGrid):
            found += [
                (f"{question.key}{ROW}{row.value}", f"{question.title}: {row.label}")
                for row in question.rows
            ]
        else:
            found.append((question.key, question.title))
    return found


def guess_targets(survey: Survey, headers: Sequence[str]) -> dict[int, str]:
    """Columns whose heading is a target's wording, key or export column name (``grid__bus``)."""
    names: dict[str, str] = {}
    for value, label in targets(survey):
        names[label.casefold()] = value
        names[value.replace(ROW, "__").casefold()] = value
    return {n: names[h.casefold()] for n, h in enumerate(headers) if h.casefold() in names}


def _listed(options: Sequence[Option]) -> str:
    return ", ".join(o.label for o in options)


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
        grids: dict[str, dict[str, list[str]]] = {}
        for column, target in mapping.items():
            cell = row[column].strip()
            key, _, grid_row = target.partition(ROW)
            question = questions[key]
            if not cell:
                continue
            where = f"row {number}, column '{table.headers[column]}'"
            if isinstance(question, RatingGrid):
                code = _match(question.all_options, cell)
                if code is None:
                    listed = _listed(question.all_options)
                    problems.append(f"{where}: '{cell[:60]}' is not one of the ratings ({listed})")
                else:
                    grids.setdefault(key, {})[f"{question.field_name}-{grid_row}"] = [code]
                continue
            fields, problem = cell_to_fields(question, cell)
            if problem:
                problems.append(f"{where}: {problem}")
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
