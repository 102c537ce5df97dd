"""Evaluating coded output against a truth file: F1 with bootstrap 95% intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support

from analysis.errors import AnalysisError
from analysis.sources import require_columns


@dataclass
class Evaluation:
    sample_f1: float
    sample_f1_ci: tuple[float, float]
    macro_f1: float
    macro_f1_ci: tuple[float, float]
    per_theme: pd.DataFrame  # theme, precision, recall, f1, support
    n: int


def _binary(frame: pd.DataFrame, themes: list[str], name: str) -> np.ndarray:
    values = frame[themes].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any() or not values.isin([0, 1]).all().all():
        bad = values.columns[(values.isna() | ~values.isin([0, 1])).any()][0]
        raise AnalysisError(f"{name}: column '{bad}' must contain only 0 and 1")
    return values.to_numpy(dtype=int)


def evaluate(
    predicted: pd.DataFrame,
    truth: pd.DataFrame,
    id_column: str,
    resamples: int = 1000,
    seed: int = 0,
) -> Evaluation:
    require_columns(predicted, [id_column])
    require_columns(truth, [id_column])
    themes = [
        c for c in truth.columns if c != id_column and c in predicted.columns and ":" not in c
    ]
    if not themes:
        raise AnalysisError("predicted and truth files share no theme columns")
    merged = truth[[id_column, *themes]].merge(
        predicted[[id_column, *themes]], on=id_column, suffixes=("", "__pred")
    )
    if merged.empty:
        raise AnalysisError(f"no '{id_column}' values in common between predicted and truth")
    y_true = _binary(merged, themes, "truth")
    predicted_part = merged[[f"{t}__pred" for t in themes]]
    predicted_part.columns = themes
    y_pred = _binary(predicted_part, themes, "predicted")
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    per_theme = pd.DataFrame(
        {"theme": themes, "precision": p, "recall": r, "f1": f, "support": s}
    ).round(4)
    rng = np.random.default_rng(seed)
    samples, macros = [], []
    for _ in range(resamples):
        idx = rng.integers(0, len(y_true), len(y_true))
        samples.append(f1_score(y_true[idx], y_pred[idx], average="samples", zero_division=0))
        macros.append(f1_score(y_true[idx], y_pred[idx], average="macro", zero_division=0))
    return Evaluation(
        sample_f1=float(f1_score(y_true, y_pred, average="samples", zero_division=0)),
        sample_f1_ci=(float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5))),
        macro_f1=float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        macro_f1_ci=(float(np.percentile(macros, 2.5)), float(np.percentile(macros, 97.5))),
        per_theme=per_theme,
        n=len(y_true),
    )
