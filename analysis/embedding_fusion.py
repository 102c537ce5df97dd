"""Fusing the TF-IDF learner with a learner on stored sentence vectors (optional).

The vectors (:mod:`analysis.embeddings`, 384 numbers per response) are learned from exactly as
the text features are: the same per-theme logistic regressions, calibration and thresholds of
:class:`analysis.theme_model.ThemeModel`, with the vectors as its one feature block. The two
models' probabilities are then averaged, ``EMBEDDING_WEIGHT`` on the embedding side, and decided
with the TF-IDF model's threshold. Without vectors nothing here runs: the TF-IDF path is the
default and needs none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.errors import AnalysisError
from analysis.features import Encoded
from analysis.theme_model import ThemeModel, fit_theme_model

# The weight the issue measured (+0.03 sample F1 at 10% labelled on its corpus); see
# docs/performance.md for this project's development-corpus figures at 0.3 and 0.5.
EMBEDDING_WEIGHT = 0.3


def vector_features(vectors: np.ndarray) -> Encoded:
    """Sentence vectors as the learner's feature blocks: one dense block, no character block."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise AnalysisError("sentence vectors must be a rows x dimensions array")
    n = vectors.shape[0]
    empty = sp.csr_matrix((n, 0), dtype=np.float32)
    return Encoded(sp.csr_matrix(vectors), empty, empty, np.ones(n, np.float32))


def fit_embedding_model(themes: Sequence[str], vectors: np.ndarray, y: np.ndarray) -> ThemeModel:
    """A theme model trained on hand-coded responses' vectors (``y``: rows x themes, 0/1)."""
    if len(vectors) != len(y):
        raise AnalysisError(f"{len(vectors)} vectors for {len(y)} hand-coded responses")
    return ThemeModel(themes=[str(t) for t in themes]).fit_encoded(vector_features(vectors), y)


def embedding_probabilities(model: ThemeModel, vectors: np.ndarray) -> np.ndarray:
    return model.scores(vector_features(vectors))


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
    vectors: ThemeModel
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
