"""What makes a cell safe in a file someone may open in a spreadsheet: the one rule for every
CSV, XLSX and SPSS file the platform or the ``analysis`` command line writes.

- A text cell starting ``=``, ``+``, ``-``, ``@``, tab or carriage return would be run as a
  formula (``=HYPERLINK(...)`` sends data away when clicked): it is prefixed with ``'`` so it is
  shown, never run. Numbers are left alone.
- Control characters other than tab, newline and carriage return cannot be stored in XLSX (XML
  1.0 forbids them) and have no place in an answer: :func:`clean_text` removes them, at input
  (every answer and staff text field) and again on the way out for anything stored before.

This module imports nothing from the web app, so the web app and the analysis package share it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except tab, LF and CR; DEL and the C1 controls; and the two non-characters
# XML 1.0 refuses. Lone surrogates cannot come from valid UTF-8 but can from JSON escapes.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

T = TypeVar("T")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab, newline and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def neutralise(cell: T) -> T | str:
    """A text cell made safe to open in a spreadsheet; any other value unchanged."""
    if isinstance(cell, str):
        cell_text = clean_text(cell)
        return "'" + cell_text if cell_text.startswith(FORMULA_STARTS) else cell_text
    return cell


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are neutralised."""
    from pandas.api import types

    safe = frame.copy()
    for position in range(safe.shape[1]):
        values = safe.iloc[:, position]
        if types.is_numeric_dtype(values) or types.is_datetime64_any_dtype(values):
            continue  # no text inside: numbers are left alone
        safe.isetitem(position, _neutralise_column(values))
    safe.columns = safe.columns.map(_label)
    safe.index = safe.index.map(_label)
    return safe


def _neutralise_column(values: pd.Series) -> Any:
    """The column's cells neutralised, each distinct value once.

    Evidence files repeat a few theme names and sources a million times; mapping every cell
    took 20 s of CPU for 1,000,000 rows, the distinct values well under one.
    """
    import numpy as np
    import pandas as pd

    out = values.to_numpy(dtype=object).copy()
    codes, uniques = pd.factorize(out)
    safe = np.array([neutralise(u) for u in uniques] + [None], dtype=object)
    present = codes >= 0  # missing cells (NaN, None) stay as they are
    out[present] = safe[codes[present]]
    return out


def _label(label: Any) -> Any:
    if isinstance(label, tuple):
        return tuple(neutralise(part) for part in label)
    return neutralise(label)


def write_csv(frame: pd.DataFrame, path: Path | str, **options: Any) -> None:
    """``frame.to_csv(path, **options)`` with every text cell and label neutralised."""
    neutralise_frame(frame).to_csv(path, **options)
