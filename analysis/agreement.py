"""Agreement between coders: who coded what, Cohen's kappa per theme, Krippendorff's alpha.

Codings are stored long: one row per (response id, coder, theme, value 0/1).
"""

from __future__ import annotations

from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from analysis.errors import AnalysisError

CODING_COLUMNS = ["id", "coder", "theme", "value"]


def codings_from_wide(frame: pd.DataFrame, id_column: str, coder_column: str) -> pd.DataFrame:
    """Long codings from a table with id, coder and one 0/1 column per theme."""
    for column in (id_column, coder_column):
        if column not in frame.columns:
            present = ", ".join(map(str, frame.columns))
            raise AnalysisError(f"column '{column}' not found (columns: {present})")
    long = frame.melt(id_vars=[id_column, coder_column], var_name="theme", value_name="value")
    long = long.rename(columns={id_column: "id", coder_column: "coder"})
    values = pd.to_numeric(long["value"], errors="coerce")
    bad = long.loc[values.isna() & long["value"].notna(), "theme"]
    if len(bad):
        raise AnalysisError(f"codings: column '{bad.iloc[0]}' must contain only 0, 1 or blank")
    long["value"] = values
    return long.dropna(subset=["value"])[CODING_COLUMNS].reset_index(drop=True)


@dataclass
class Agreement:
    kappa: pd.DataFrame  # theme, coder_a, coder_b, kappa, n
    alpha: float
    alpha_units: int
    disagreements: pd.DataFrame  # id, theme, one column per coder


def cohen_kappa_by_theme(codings: pd.DataFrame, coder_a: str, coder_b: str) -> pd.DataFrame:
    rows = []
    for theme, group in codings.groupby("theme", sort=True):
        table = group.pivot_table(index="id", columns="coder", values="value", aggfunc="first")
        if coder_a not in table or coder_b not in table:
            continue
        both = table[[coder_a, coder_b]].dropna()
        a, b = both[coder_a].astype(int), both[coder_b].astype(int)
        # Kappa is undefined when both coders used one value only; report NaN, not a crash.
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else float("nan")
        rows.append((theme, coder_a, coder_b, kappa, len(both)))
    return pd.DataFrame(rows, columns=["theme", "coder_a", "coder_b", "kappa", "n"])


def krippendorff_alpha(codings: pd.DataFrame) -> tuple[float, int]:
    """Nominal alpha over all (response, theme) units, coders as observers."""
    matrix = codings.pivot_table(
        index="coder", columns=["id", "theme"], values="value", aggfunc="first"
    )
    data = matrix.to_numpy(dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if pairable.sum() == 0 or len(np.unique(data[~np.isnan(data)])) < 2:
        return float("nan"), int(pairable.sum())
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return float(alpha), int(pairable.sum())


def agreement(codings: pd.DataFrame) -> Agreement:
    coders = sorted(codings["coder"].unique().tolist())
    if len(coders) < 2:
        raise AnalysisError(f"agreement needs at least two coders (found {len(coders)})")
    kappas = [
        cohen_kappa_by_theme(codings, a, b) for i, a in enumerate(coders) for b in coders[i + 1 :]
    ]
    alpha, units = krippendorff_alpha(codings)
    wide = codings.pivot_table(
        index=["id", "theme"], columns="coder", values="value", aggfunc="first"
    )
    differ = wide.nunique(axis=1, dropna=True) > 1
    disagreements = wide[differ].reset_index()
    disagreements.columns.name = None
    return Agreement(pd.concat(kappas, ignore_index=True), alpha, units, disagreements)
