"""Learning codes from people: a hand-coded sample trains one-vs-rest linear models.

Features are TF-IDF word (1-2) and character (2-5, within words) n-grams. Each theme gets a
logistic regression with sigmoid-calibrated probabilities when it has enough positives. Which
themes to output per response is decided by a probability threshold chosen by cross-validation
on the hand-coded sample itself (maximising sample-averaged F1), plus "always the top theme"
when every hand-coded response had at least one theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import spmatrix
from sklearn.base import ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.pipeline import FeatureUnion

from analysis.errors import AnalysisError

MIN_POSITIVES_TO_CALIBRATE = 6
THRESHOLDS = np.round(np.arange(0.15, 0.91, 0.05), 2)


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )


def _classifier(positives: int, negatives: int) -> ClassifierMixin | None:
    base = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    if positives == 0 or negatives == 0:
        return None
    if min(positives, negatives) >= MIN_POSITIVES_TO_CALIBRATE:
        return CalibratedClassifierCV(base, method="sigmoid", cv=3)
    return base


@dataclass
class ThemeModel:
    themes: list[str]
    threshold: float = 0.5
    at_least_one: bool = True
    features: FeatureUnion = field(default_factory=_features)
    models: dict[str, ClassifierMixin | float] = field(default_factory=dict)

    def _fit_models(self, x: spmatrix, labels: np.ndarray) -> dict[str, ClassifierMixin | float]:
        models: dict[str, ClassifierMixin | float] = {}
        for j, theme in enumerate(self.themes):
            y = labels[:, j]
            clf = _classifier(int(y.sum()), int(len(y) - y.sum()))
            # A theme nobody (or everybody) used gets its base rate as a constant score.
            models[theme] = float(y.mean()) if clf is None else clone(clf).fit(x, y)
        return models

    def _scores(self, x: spmatrix, models: dict[str, ClassifierMixin | float]) -> np.ndarray:
        out = np.zeros((x.shape[0], len(self.themes)))
        for j, theme in enumerate(self.themes):
            model = models[theme]
            out[:, j] = model if isinstance(model, float) else model.predict_proba(x)[:, 1]
        return out

    def fit(self, texts: Sequence[str], labels: pd.DataFrame, folds: int = 3) -> ThemeModel:
        y = labels[self.themes].to_numpy(dtype=int)
        if len(texts) < 2 * folds:
            raise AnalysisError(f"labelled file has {len(texts)} rows; need at least {2 * folds}")
        self.at_least_one = bool((y.sum(axis=1) > 0).all())
        texts = list(texts)
        oof = np.zeros(y.shape)
        for train, test in KFold(folds, shuffle=True, random_state=0).split(texts):
            feats = clone(self.features)
            x_train = feats.fit_transform([texts[i] for i in train])
            models = self._fit_models(x_train, y[train])
            oof[test] = self._scores(feats.transform([texts[i] for i in test]), models)
        self.threshold = max(
            THRESHOLDS,
            key=lambda t: f1_score(
                y, self.decide(oof, float(t)), average="samples", zero_division=0
            ),
        )
        self.models = self._fit_models(self.features.fit_transform(texts), y)
        return self

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        scores = self._scores(self.features.transform(list(texts)), self.models)
        return pd.DataFrame(scores, columns=self.themes)

    def decide(self, scores: np.ndarray, threshold: float | None = None) -> np.ndarray:
        threshold = self.threshold if threshold is None else threshold
        codes = (scores >= threshold).astype(np.int8)
        if self.at_least_one and scores.shape[1]:
            codes[np.arange(len(scores)), scores.argmax(axis=1)] = 1
        return codes


def uncertainty(scores: pd.DataFrame, threshold: float) -> pd.Series:
    """How close a response's least certain theme is to the decision threshold (1 = on it)."""
    distance = (scores - threshold).abs().min(axis=1)
    return 1.0 - distance / max(threshold, 1 - threshold)


def fit_theme_model(texts: Sequence[str], labels: pd.DataFrame) -> ThemeModel:
    """Train on a hand-coded sample; ``labels`` holds one 0/1 column per theme."""
    return ThemeModel(themes=[str(c) for c in labels.columns]).fit(texts, labels)
