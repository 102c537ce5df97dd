"""Fusing the TF-IDF learner with a learner on stored sentence vectors (optional).

The vectors (:mod:`analysis.embeddings`, 384 numbers per response) are learned from as the text
features are: balanced per-theme logistic regressions with the TF-IDF learner's calibration
(:mod:`analysis.calibration`), solved in the primal (384 dimensions, any number of rows). The two
models' probabilities are then averaged, ``EMBEDDING_WEIGHT`` on the embedding side, and decided
with the TF-IDF model's threshold. Without vectors nothing here runs: the TF-IDF path is the
default and needs none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from analysis.calibration import (
    CALIBRATION_PRIOR,
    choose_decision,
    decide_codes,
    platt,
    platt_per_theme,
)
from analysis.dual_solver import MAX_ITER, TOLERANCE, C, class_weights, lbfgs, one_blas_thread
from analysis.errors import AnalysisError
from analysis.theme_model import ThemeModel, fit_theme_model

# The weight the issue measured (+0.03 sample F1 at 10% labelled on its corpus); see
# docs/performance.md for this project's development-corpus figures at 0.3 and 0.5.
EMBEDDING_WEIGHT = 0.3


@dataclass
class VectorModel:
    """Per-theme balanced logistic regressions on sentence vectors, calibrated like the TF-IDF
    learner (one shared Platt scaling shrunk per theme, on out-of-fold decision values)."""

    themes: list[str]
    weights: np.ndarray  # dimensions x themes
    intercept: np.ndarray  # themes
    calibration: np.ndarray  # themes x 2 (a, b)
    constant: dict[int, float]  # theme column -> probability, for one-class themes
    threshold: float = 0.5
    top: int = 1

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (rows x themes)."""
        decision = np.asarray(vectors, np.float64) @ self.weights + self.intercept
        probs = expit(self.calibration[:, 0] * decision + self.calibration[:, 1])
        for j, p in self.constant.items():
            probs[:, j] = p
        return probs

    def decide(self, scores: np.ndarray) -> np.ndarray:
        return decide_codes(np.asarray(scores), self.threshold, True, self.top)


def _fit_primal(x: np.ndarray, y: np.ndarray, c: float = C) -> tuple[np.ndarray, np.ndarray]:
    """All themes' balanced L2 logistic regressions at once, in the primal: unlike the TF-IDF
    learner's dual (:mod:`analysis.dual_solver`), whose kernel is singular when the hand-coded
    responses outnumber the vectors' 384 dimensions."""
    d = x.shape[1]
    t = y.shape[1]
    weights = class_weights(y) * c
    yf = y.astype(float)

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        w = params[: d * t].reshape(d, t)
        f = x @ w + params[d * t :]
        loss = np.logaddexp(0.0, np.where(y == 1, -f, f))
        g = weights * (expit(f) - yf)
        value = float((weights * loss).sum() + 0.5 * (w * w).sum())
        return value, np.concatenate([(x.T @ g + w).ravel(), g.sum(axis=0)])

    params, _ = lbfgs(objective, np.zeros(d * t + t), MAX_ITER, TOLERANCE)
    return params[: d * t].reshape(d, t), params[d * t :]


def fit_embedding_model(
    themes: Sequence[str], vectors: np.ndarray, y: np.ndarray, folds: int = 3
) -> VectorModel:
    """A theme model trained on hand-coded responses' vectors (``y``: rows x themes, 0/1)."""
    x = np.asarray(vectors, np.float64)
    if x.ndim != 2 or len(x) != len(y):
        raise AnalysisError(f"{len(x)} vectors for {len(y)} hand-coded responses")
    y = np.asarray(y, np.int8)
    n = len(y)
    if n < 2 * folds:
        raise AnalysisError(f"{n} hand-coded responses; need at least {2 * folds}")
    pos = y.sum(axis=0)
    live = np.flatnonzero((pos > 0) & (pos < n))
    constant = {int(j): float(y[:, j].mean()) for j in range(y.shape[1]) if j not in set(live)}
    weights = np.zeros((x.shape[1], y.shape[1]))
    intercept = np.zeros(y.shape[1])
    calibration = np.tile([1.0, 0.0], (y.shape[1], 1))
    if len(live):
        with one_blas_thread():
            weights[:, live], intercept[live] = _fit_primal(x, y[:, live])
            oof = np.zeros((n, len(live)))
            order = np.random.default_rng(0).permutation(n)
            for k in range(folds):
                test = np.sort(order[k::folds])
                train = np.setdiff1d(np.arange(n), test)
                w, b = _fit_primal(x[train], y[np.ix_(train, live)])
                oof[test] = x[test] @ w + b
        shared = platt(oof, y[:, live])
        a_t, b_t = platt_per_theme(oof, y[:, live], shared, CALIBRATION_PRIOR)
        calibration[:] = shared
        calibration[live, 0], calibration[live, 1] = a_t, b_t
    model = VectorModel([str(t) for t in themes], weights, intercept, calibration, constant)
    if len(live):
        probs = np.zeros((n, y.shape[1]))
        probs[:, live] = expit(calibration[live, 0] * oof + calibration[live, 1])
        for j, p in constant.items():
            probs[:, j] = p
        model.threshold, model.top = choose_decision(probs, y, True, int(y.sum(axis=1).min()))
    return model


def embedding_probabilities(model: VectorModel, vectors: np.ndarray) -> np.ndarray:
    return model.scores(vectors)


def fuse(
    text_probs: np.ndarray, embedding_probs: np.ndarray, weight: float = EMBEDDING_WEIGHT
) -> np.ndarray:
    """Weighted mean of the two models' probabilities (same rows and theme columns)."""
    if text_probs.shape != embedding_probs.shape:
        raise AnalysisError("text and embedding probabilities differ in shape")
    if not 0.0 <= weight <= 1.0:
        raise AnalysisError(f"embedding weight {weight} is not between 0 and 1")
    return (1.0 - weight) * np.asarray(text_probs) + weight * np.asarray(embedding_probs)


@dataclass
class FusedModel:
    """The TF-IDF theme model and a model on sentence vectors, decided together."""

    text: ThemeModel
    vectors: VectorModel
    weight: float = EMBEDDING_WEIGHT

    @property
    def themes(self) -> list[str]:
        return self.text.themes

    def predict_proba(self, texts: Sequence[str], vectors: np.ndarray) -> pd.DataFrame:
        """Fused probabilities; ``vectors`` holds one row per text, in the same order."""
        if len(vectors) != len(texts):
            raise AnalysisError(f"{len(vectors)} vectors for {len(texts)} texts")
        p_text = self.text.predict_proba(texts).to_numpy()
        p_vec = embedding_probabilities(self.vectors, vectors) if len(texts) else p_text
        return pd.DataFrame(fuse(p_text, p_vec, self.weight), columns=self.themes)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Codes from fused probabilities, with the TF-IDF model's threshold (as measured)."""
        return self.text.decide(scores)


def fit_fused_model(
    texts: Sequence[str],
    labels: pd.DataFrame,
    vectors: np.ndarray,
    *,
    unlabelled: Sequence[str] | None = None,
    weight: float = EMBEDDING_WEIGHT,
) -> FusedModel:
    """:func:`analysis.learning.fit_theme_model` plus a model on the hand-coded texts' vectors
    (``vectors``: one row per text in ``texts``)."""
    if not 0.0 <= weight <= 1.0:
        raise AnalysisError(f"embedding weight {weight} is not between 0 and 1")
    text = fit_theme_model(texts, labels, unlabelled=unlabelled)
    y = labels[text.themes].to_numpy(dtype=np.int8)
    return FusedModel(text, fit_embedding_model(text.themes, vectors, y), weight)
