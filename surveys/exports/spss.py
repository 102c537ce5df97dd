"""SPSS ``.sav`` export with variable labels (the question wording) and value labels.

SPSS wants numeric codes with value labels rather than text codes, so a coded column
(``colour``: ``red``/``blue``) becomes 1..n in option order with the option labels as value
labels, and its text twin (``colour_label``) is dropped. Text values, value labels and variable
labels are neutralised like every other export (:mod:`analysis.spreadsheet`). 0/1 flag columns
and rating scores (``mood_score``: 5 = the best level) are labelled too; variable labels are the
wording. The file is its own data dictionary.
Variable names follow SPSS rules (see :func:`spss_names`). pyreadstat writes from one DataFrame,
so unlike CSV/XLSX the whole table is held in memory while the file is written.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from analysis.spreadsheet import neutralise
from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout, LayoutColumn

MAX_NAME_BYTES = 64
MAX_LABEL_CHARS = 256
RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def spss_name(raw: str) -> str:
    """A letter first; then letters, digits, ``_`` or ``.``; at most 64 bytes; not ending in
    ``.`` or ``_`` (SPSS reserves those endings); not a reserved word."""
    name = re.sub(r"[^A-Za-z0-9_.]", "_", raw)
    if not name or not name[0].isalpha():
        name = "v" + name
    name = name[:MAX_NAME_BYTES].rstrip("._") or "v"
    if name.upper() in RESERVED:
        name = name + "v"
    return name


def spss_names(raws: list[str]) -> list[str]:
    """Sanitised names, made unique ignoring case (SPSS names are case-insensitive)."""
    used: set[str] = set()
    names = []
    for raw in raws:
        base = spss_name(raw)
        name, n = base, 1
        while name.upper() in used:
            n += 1
            suffix = f"v{n}"
            name = base[: MAX_NAME_BYTES - len(suffix)].rstrip("._") + suffix
        used.add(name.upper())
        names.append(name)
    return names


def _kept(layout: ExportLayout) -> list[tuple[int, LayoutColumn]]:
    return [(i, column) for i, column in enumerate(layout.columns) if column.label_of is None]


def _cell(column: LayoutColumn, cell: ExportCell) -> Any:
    if column.options is not None:
        codes = [option.value for option in column.options]
        return float(codes.index(cell) + 1) if cell in codes else None
    return cell


async def write_sav(
    path: Path, layout: ExportLayout, batches: AsyncIterator[list[list[ExportCell]]]
) -> int:
    import pandas as pd
    import pyreadstat

    kept = _kept(layout)
    names = spss_names([column.name for _, column in kept])
    data: list[list[Any]] = []
    async for batch in batches:
        data.extend([_cell(column, row[i]) for i, column in kept] for row in batch)
    frame = pd.DataFrame(data, columns=names)
    value_labels: dict[str, dict[int | float, str]] = {}
    measures: dict[str, str] = {}
    for name, (_, column) in zip(names, kept, strict=True):
        if column.measure is not None:  # the question type's level (nominal, ordinal, scale)
            measures[name] = column.measure
        if column.options is not None:
            value_labels[name] = {
                float(n): neutralise(option.label)[:120]
                for n, option in enumerate(column.options, start=1)
            }
            frame[name] = frame[name].astype("float64")
        elif column.flag_label is not None:
            value_labels[name] = {1.0: neutralise(column.flag_label)[:120], 0.0: "Not selected"}
            frame[name] = frame[name].astype("float64")
        elif column.scores is not None:
            # A rating's score (best = highest) labelled with the level it stands for.
            value_labels[name] = {float(score): label[:120] for score, label in column.scores}
            frame[name] = frame[name].astype("float64")
        elif column.name == "survey_version" or frame[name].map(_numeric).all():
            frame[name] = pd.to_numeric(frame[name])
        else:
            frame[name] = frame[name].map(lambda v: "" if v is None else neutralise(str(v)))
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[neutralise(column.label)[:MAX_LABEL_CHARS] for _, column in kept],
        variable_value_labels=value_labels,
        variable_measure=measures,
    )
    return len(data)


def _numeric(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
