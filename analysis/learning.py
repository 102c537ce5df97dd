"""Learning codes from people: a hand-coded sample trains one linear model per theme, quickly.

The public entry points, kept here so callers import them from one place:

- :class:`ThemeModel` and :func:`fit_theme_model` (:mod:`analysis.theme_model`): TF-IDF word
  and character n-grams fitted once on every text, all themes' balanced logistic regressions in
  one dual L-BFGS run (:mod:`analysis.dual_solver`), one shared calibration shrunk per theme and
  thresholds chosen on out-of-fold scores (:mod:`analysis.calibration`), warm retraining;
- :func:`uncertainty` and :func:`next_batch` (:mod:`analysis.coding_queue`): the order in which
  to ask a person to code;
- explanations of suggestions: :mod:`analysis.explain`.
"""

from analysis.calibration import THRESHOLDS
from analysis.coding_queue import QUEUE_COLUMNS, RARE_EXAMPLES, next_batch, uncertainty
from analysis.dual_solver import C
from analysis.theme_model import CHUNK, FOLDS, ThemeModel, fit_theme_model

__all__ = [
    "CHUNK",
    "FOLDS",
    "QUEUE_COLUMNS",
    "RARE_EXAMPLES",
    "THRESHOLDS",
    "C",
    "ThemeModel",
    "fit_theme_model",
    "next_batch",
    "uncertainty",
]
