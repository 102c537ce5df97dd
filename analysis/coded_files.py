"""Writing the coding's large CSV files quickly, cell for cell as :func:`write_csv` writes them.

CODED.csv (180,000 rows x 206 columns of codes and scores) and the evidence file (a million
rows) took most of the coding budget through pandas' ``to_csv``: every cell went through
Python formatting and :func:`neutralise`. Here a column of 0/1 codes or four-decimal scores is
formatted as fixed-width bytes, and a text column's distinct values are neutralised and quoted
once each; anything else goes through :func:`write_csv`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.spreadsheet import neutralise, write_csv


def _csv_field(value: object) -> str:
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


WRITE_ROWS = 20_000  # rows formatted at a time, so a 180,000-row table never exists as text


def _fixed_width(values: np.ndarray) -> int | None:
    """Characters per cell when a column can be written fixed-width, else None.

    0/1 integer columns take one character; probabilities with at most four decimals take six
    ("0.1234", read back as the same number). Anything else takes pandas' writer.
    """
    if values.dtype.kind not in "biuf" or not len(values):
        return None
    numbers = values.astype(float)
    if not np.isfinite(numbers).all() or numbers.min() < 0 or numbers.max() > 1:
        return None
    if values.dtype.kind != "f":
        return 1
    # Exactly four decimals at the column's own precision (float32 0.8123 is 0.81230003).
    return 6 if np.array_equal(np.round(numbers, 4).astype(values.dtype), values) else None


def _format_fixed(values: np.ndarray, width: int) -> np.ndarray:
    if width == 1:
        return (values.astype(np.uint8) + ord("0")).reshape(-1, 1)
    q = np.rint(values.astype(float) * 10_000).astype(np.int64)
    out = np.empty((len(q), 6), dtype=np.uint8)
    out[:, 0] = q // 10_000 + ord("0")
    out[:, 1] = ord(".")
    for k, power in enumerate((1000, 100, 10, 1)):
        out[:, 2 + k] = (q // power) % 10 + ord("0")
    return out


def write_codes(codes: pd.DataFrame, path: Path) -> None:
    """Write CODED.csv; a table of 0/1 codes and probability scores takes a vectorised path.

    pandas' to_csv spent ~5 s on 180,000 x 100 binary cells and 23 s of CPU on 180,000 x 206
    codes and scores, most of the learned coding budget; each column is formatted as a
    fixed-width byte block instead, a chunk of rows at a time.
    """
    columns = codes.columns[1:]
    arrays = [codes[c].to_numpy() for c in columns]
    widths = [_fixed_width(a) for a in arrays]
    if not len(columns) or any(w is None for w in widths):
        write_csv(codes, path, index=False)
        return
    sizes = [int(w or 0) for w in widths]
    width = sum(w + 1 for w in sizes) + 1
    header = ",".join(_csv_field(neutralise(c)) for c in codes.columns) + "\n"
    ids = [_csv_field(neutralise(v)).encode("utf-8") for v in codes.iloc[:, 0].tolist()]
    with path.open("wb") as handle:
        handle.write(header.encode("utf-8"))
        for start in range(0, len(codes), WRITE_ROWS):
            stop = min(start + WRITE_ROWS, len(codes))
            rows = np.empty((stop - start, width), dtype=np.uint8)
            at = 0
            for values, size in zip(arrays, sizes, strict=True):
                rows[:, at] = ord(",")
                rows[:, at + 1 : at + 1 + size] = _format_fixed(values[start:stop], size)
                at += 1 + size
            rows[:, -1] = ord("\n")
            raw = rows.tobytes()
            handle.write(
                b"".join(
                    part
                    for i, key in enumerate(ids[start:stop])
                    for part in (key, raw[i * width : (i + 1) * width])
                )
            )


def _csv_cells(values: np.ndarray) -> np.ndarray | None:
    """A column's cells as CSV text, as pandas' ``to_csv`` after :func:`write_csv`'s
    neutralising writes them (None for a column kind it does not cover): text neutralised
    and quoted where needed, numbers as numpy prints them, missing cells empty. Each distinct
    value is formatted once."""
    if values.dtype.kind not in "fiuO":
        return None
    codes, uniques = pd.factorize(values)
    if values.dtype.kind == "O":
        cells = [_csv_field(neutralise(u) if isinstance(u, str) else u) for u in uniques.tolist()]
    else:
        cells = np.asarray(uniques).astype(str).tolist()
    table = np.array([*cells, ""], dtype=object)  # code -1 (missing) is the last: empty
    return table[codes]


def write_evidence(evidence: pd.DataFrame, path: Path) -> None:
    """Write the evidence file (or any table of text and number columns) as
    ``write_csv(evidence, path, index=False)`` does: 7.6 s of CPU for a million rows that way,
    about a second here."""
    cells = [_csv_cells(evidence[c].to_numpy()) for c in evidence.columns]
    if len(evidence.columns) < 2 or any(c is None for c in cells):
        # One column: the csv module quotes an empty cell ("") there; leave it to pandas.
        write_csv(evidence, path, index=False)
        return
    columns = [c for c in cells if c is not None]
    header = ",".join(_csv_field(neutralise(c)) for c in evidence.columns) + "\n"
    with path.open("wb") as handle:
        handle.write(header.encode("utf-8"))
        for start in range(0, len(evidence), 10 * WRITE_ROWS):
            part = [c[start : start + 10 * WRITE_ROWS] for c in columns]
            handle.write(("\n".join(map(",".join, zip(*part, strict=True))) + "\n").encode("utf-8"))
