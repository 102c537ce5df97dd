"""Tables of counts as the workspace shows them and as they leave it.

Every count table goes through :func:`analysis.disclosure.suppress`: in the workspace with
``k=1`` (raw counts, marked "not for publication"), in every download with the consultation's
``k`` (primary and secondary suppression). Both views are made by the same functions from the
same counts, so a download differs from the screen only in what suppression hides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.disclosure import TOTAL, SuppressedTable, suppress

NOT_ANSWERED = "Not answered"
HIDDEN = "[c]"  # the ONS mark for a value withheld to protect confidentiality
RAW = 1  # k for the workspace's own view: no count is under 1, so nothing is hidden


@dataclass
class Table:
    """A table ready to render: header cells, then rows whose first cell is the row label."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def count_table(counts: pd.DataFrame, k: int, check_columns: bool | None = None) -> SuppressedTable:
    """``counts`` with totals, suppressed at ``k`` (``RAW`` hides nothing)."""
    if check_columns is None:
        check_columns = len(counts) > 1
    return suppress(counts, k, check_columns=check_columns)


def answered_percentages(table: SuppressedTable) -> pd.DataFrame:
    """Row percentages of those who answered (the total less "Not answered"), hidden where a
    cell or the number answering is hidden."""
    counts = table.counts.astype("Float64")
    hidden = table.hidden
    if NOT_ANSWERED in counts.columns:
        answered = counts[TOTAL] - counts[NOT_ANSWERED]
        unknown = hidden[TOTAL] | hidden[NOT_ANSWERED]
        body = counts.drop(columns=[NOT_ANSWERED, TOTAL])
        body_hidden = hidden.drop(columns=[NOT_ANSWERED, TOTAL])
    else:
        answered, unknown = counts[TOTAL], hidden[TOTAL]
        body, body_hidden = counts.drop(columns=[TOTAL]), hidden.drop(columns=[TOTAL])
    pct = body.div(answered.where(answered > 0), axis=0).mul(100).round(1)
    return pct.mask(body_hidden | unknown.to_numpy()[:, None])


def net_scores(table: SuppressedTable, scale: Sequence[str], size: int = 2) -> pd.DataFrame:
    """Net good (the best ``size`` levels of ``scale``, listed best first) and net poor (the
    worst ``size``) per row, of those giving a rating on the scale. A net is shown only when
    every part of it is shown: otherwise it would reveal a hidden part."""
    counts = table.counts
    levels = list(scale)
    rated = counts[levels].sum(axis=1, skipna=False)
    out = pd.DataFrame(index=counts.index)
    out["rated"] = rated
    for name, chosen in (("good", levels[:size]), ("poor", levels[-size:])):
        hidden = table.hidden[chosen].any(axis=1)
        count = counts[chosen].sum(axis=1, skipna=False).mask(hidden)
        out[f"{name}_n"] = count
        out[f"{name}_pct"] = (count / rated.where(rated > 0) * 100).astype("Float64").round(1)
    return out


def missing(value: Any) -> bool:
    """A hidden or undefined cell (None, NaN or pandas' NA)."""
    return value is None or bool(pd.isna(value))


def number(value: Any) -> str:
    return HIDDEN if missing(value) else f"{int(value):,}"


def percent(value: Any) -> str:
    return "–" if missing(value) else f"{float(value):.1f}%"


def counts_and_percent(
    caption: str, table: SuppressedTable, pct: pd.DataFrame, row_title: str
) -> Table:
    """Each cell as "count (percent)"; the total column last."""
    header = [row_title, *[str(c) for c in table.counts.columns]]
    rows = []
    for label in table.counts.index:
        cells = [str(label)]
        for column in table.counts.columns:
            cell = number(table.counts.loc[label, column])
            if column in pct.columns and label in pct.index:
                share = pct.loc[label, column]
                if not pd.isna(share):
                    cell += f" ({percent(share)})"
            cells.append(cell)
        rows.append(cells)
    return Table(caption, header, rows)


def net_table(caption: str, nets: pd.DataFrame, row_title: str) -> Table:
    header = [row_title, "Gave a rating", "Net good", "Net poor"]
    rows = [
        [
            str(label),
            number(row["rated"]),
            f"{number(row['good_n'])} ({percent(row['good_pct'])})",
            f"{number(row['poor_n'])} ({percent(row['poor_pct'])})",
        ]
        for label, row in nets.iterrows()
    ]
    return Table(caption, header, rows)


def tidy(table: SuppressedTable, pct: pd.DataFrame) -> pd.DataFrame:
    """group, category, percent, count for charting, without hidden cells or totals."""
    rows = []
    for group in pct.index:
        if group == TOTAL:
            continue
        for category in pct.columns:
            share, count = pct.loc[group, category], table.counts.loc[group, category]
            if pd.isna(share) or pd.isna(count):
                continue
            rows.append((str(group), str(category), float(share), int(count)))
    return pd.DataFrame(rows, columns=["group", "category", "percent", "count"])


def csv_text(sections: Sequence[tuple[str, pd.DataFrame]], notes: Sequence[str]) -> str:
    """Several titled tables in one CSV; hidden cells written as ``[c]``; notes at the end."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for title, frame in sections:
        writer.writerow([title])
        writer.writerow(["", *[str(c) for c in frame.columns]])
        # itertuples keeps each column's type (iterrows would turn a row of ints into floats).
        for label, *cells in frame.itertuples(index=True, name=None):
            writer.writerow([str(label), *[_csv_cell(v) for v in cells]])
        writer.writerow([])
    for note in notes:
        writer.writerow([f"Note: {note}"])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if missing(value):
        return HIDDEN
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
