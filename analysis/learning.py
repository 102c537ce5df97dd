"""Learning codes from people: a hand-coded sample trains one linear model per theme, quickly.

Features (:mod:`analysis.features`) are TF-IDF word (1-2) and character (2-5, within words)
n-grams, fitted once on every text, labelled or not (it is unsupervised). Each theme gets an
L2-regularised logistic regression with balanced class weights, all themes fitted together in
the dual: with n hand-coded responses and far more features, the weights lie in the span of the
n feature rows, so with ``K = X X^T = L L^T`` (Cholesky) the problem is an ordinary logistic
regression on the n x n matrix ``L`` (``w = X^T L^-T beta``, ``|w| = |beta|``): the optimum
scikit-learn's ``LogisticRegression`` finds, for all themes in one L-BFGS run over n x themes
numbers instead of themes x features. Cross-validation folds are sub-matrices of ``K``: nothing
is featurised again, and each fold starts from the full model's coefficients.

Probabilities: Platt scaling fitted once on the pooled out-of-fold scores of every theme (a rare
theme has too few positives for its own), then per theme shrunk towards that shared calibration
by ``CALIBRATION_PRIOR`` pseudo-observations, so a frequent theme gets its own and a rare one
keeps the shared one. One threshold is chosen on those out-of-fold probabilities to maximise
sample-averaged F1, plus "always the top theme" when every hand-coded response had a theme.

Retraining after more hand-coding starts from the previous model (``previous=``: rows coded
before keep their dual coefficients). The objective is convex, so it reaches the same optimum as
a fit from scratch; with unchanged codes it stops at once.

The coding queue (:func:`next_batch`) asks for the responses worth coding next: uncertain ones,
diverse, with a share for rare-theme discovery. Explanations: :mod:`analysis.explain`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.linalg import cho_factor, solve_triangular
from scipy.optimize import minimize
from scipy.special import expit

from analysis.errors import AnalysisError
from analysis.features import Encoded, TextFeatures

C = 3.0  # inverse regularisation strength, as scikit-learn's C
FOLDS = 3
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)
CHUNK = 20_000  # texts featurised at a time when scoring (bounds memory at 180,000 texts)
MAX_ITER = 500
# The optimiser stops when the gradient has shrunk by this factor: looser than scikit-learn's
# default, it halves the iterations and changed no F1 by more than 0.001 in development runs.
TOLERANCE = 3e-3
# Per-theme calibration is shrunk towards the shared one by this many pseudo-observations.
CALIBRATION_PRIOR = 3.0


def _one_blas_thread() -> AbstractContextManager[object]:
    try:  # threadpoolctl comes with scikit-learn
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# ----------------------------------------------------------------------------- the optimiser
@dataclass
class _Dual:
    """A fitted dual solution: decision values for rows of a kernel are ``K_rows @ alpha + b``."""

    alpha: np.ndarray  # n x themes
    intercept: np.ndarray  # themes
    iterations: int = 0


def _class_weights(y: np.ndarray) -> np.ndarray:
    """scikit-learn's "balanced": n / (2 * count of the class), per theme."""
    n = len(y)
    pos = y.sum(axis=0)
    neg = n - pos
    w_pos = np.where(pos > 0, n / (2.0 * np.maximum(pos, 1)), 0.0)
    w_neg = np.where(neg > 0, n / (2.0 * np.maximum(neg, 1)), 0.0)
    return np.where(y == 1, w_pos, w_neg)


def _cholesky(kernel: np.ndarray) -> np.ndarray:
    # A small jitter keeps duplicate texts ("Nothing.") from making K singular.
    jitter = 1e-6 * max(float(np.trace(kernel)) / max(len(kernel), 1), 1e-12)
    factor, _ = cho_factor(kernel + jitter * np.eye(len(kernel)), lower=True)
    return np.tril(factor)


def _fit_dual(
    kernel: np.ndarray,
    y: np.ndarray,
    c: float = C,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    max_iter: int = MAX_ITER,
    tol: float | None = None,
) -> _Dual:
    """Balanced L2 logistic regression for every column of ``y`` at once.

    ``start`` is (dual coefficients for these rows, intercepts) of a previous solution, rows it
    did not have at 0: the weights ``X^T alpha`` it stands for are where the optimiser begins.
    """
    n, t = y.shape
    lower = _cholesky(kernel)
    lower32 = lower.astype(np.float32)
    weights = _class_weights(y) * c
    yf = y.astype(float)

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        beta = params[: n * t].reshape(n, t)
        b = params[n * t :]
        f = (lower32 @ beta.astype(np.float32)).astype(float) + b
        # log(1 + exp(-s f)) with s = +-1, written stably.
        loss = np.logaddexp(0.0, np.where(y == 1, -f, f))
        g = weights * (expit(f) - yf)
        value = float((weights * loss).sum() + 0.5 * (beta * beta).sum())
        grad = np.concatenate([(lower32.T @ g.astype(np.float32) + beta).ravel(), g.sum(axis=0)])
        return value, grad

    if start is not None:
        alpha0, b0 = start
        # f = K alpha = L (L^T alpha): beta = L^T alpha gives the same weights, stably.
        x0 = np.concatenate([(lower.T @ alpha0).ravel(), b0])
    else:
        x0 = np.zeros(n * t + t)
    # The stopping rule is relative to the gradient at zero, warm start or not.
    scale = float(np.abs(objective(np.zeros(n * t + t))[1]).max()) if start is not None else None
    x, iterations = _lbfgs(objective, x0, max_iter, TOLERANCE if tol is None else tol, scale=scale)
    beta = x[: n * t].reshape(n, t)
    alpha = solve_triangular(lower.T, beta, lower=False)
    return _Dual(alpha, x[n * t :], iterations)


def _lbfgs(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    max_iter: int,
    tol: float,
    memory: int = 10,
    scale: float | None = None,
) -> tuple[np.ndarray, int]:
    """Minimise a smooth convex function: L-BFGS with a backtracking (Armijo) line search.

    Written out because scipy's L-BFGS-B spent ~90 ms per iteration in its own bookkeeping
    here (and more with BLAS threads on busy cores) against ~5 ms for the objective itself.
    Stops when the gradient's largest entry falls under ``tol`` times ``scale`` (by default its
    starting value; a warm start passes the cold start's, so it is held to the same standard).
    """
    value, grad = objective(x)
    if scale is None:
        scale = float(np.abs(grad).max())
    stop = tol * max(scale, 1e-12)
    if float(np.abs(grad).max()) <= stop:
        return x, 0
    s_list: list[np.ndarray] = []
    y_list: list[np.ndarray] = []
    rho: list[float] = []
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007
        q = grad.copy()
        alphas = []
        for s_k, y_k, r_k in zip(reversed(s_list), reversed(y_list), reversed(rho), strict=True):
            a = r_k * float(s_k @ q)
            alphas.append(a)
            q -= a * y_k
        if s_list:
            q *= float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1])
        else:
            q /= max(float(np.abs(grad).max()), 1.0)
        for s_k, y_k, r_k, a in zip(s_list, y_list, rho, reversed(alphas), strict=True):
            q += (a - r_k * float(y_k @ q)) * s_k
        direction = -q
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_list, y_list, rho = [], [], []
            direction = -grad / max(float(np.abs(grad).max()), 1.0)
            slope = float(grad @ direction)
        step = 1.0
        while True:
            new_x = x + step * direction
            new_value, new_grad = objective(new_x)
            if new_value <= value + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_k, y_k = new_x - x, new_grad - grad
        sy = float(s_k @ y_k)
        if sy > 1e-12:
            s_list.append(s_k)
            y_list.append(y_k)
            rho.append(1.0 / sy)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
                rho.pop(0)
        x, value, grad = new_x, new_value, new_grad
        if float(np.abs(grad).max()) <= stop:
            break
    return x, iterations


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One sigmoid ``p = 1 / (1 + exp(-(a s + b)))`` fitted to pooled (score, label) pairs."""
    s, t = scores.ravel(), y.ravel().astype(float)
    # Platt's targets keep the fit finite when the pooled scores separate perfectly.
    pos = t.sum()
    neg = len(t) - pos
    t = np.where(t == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))

    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        z = p[0] * s + p[1]
        loss = np.logaddexp(0.0, z) - t * z
        g = expit(z) - t
        return float(loss.sum()), np.array([(g * s).sum(), g.sum()])

    result = minimize(objective, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def _platt_per_theme(
    scores: np.ndarray, y: np.ndarray, shared: tuple[float, float], prior: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-theme Platt scaling shrunk towards the shared one (``prior`` pseudo-observations).

    Newton's method on all themes at once: each theme has two parameters and a 2 x 2 Hessian.
    A theme with few hand-coded examples keeps (nearly) the shared calibration.
    """
    n, t = scores.shape
    a = np.full(t, shared[0])
    b = np.full(t, shared[1])
    pos = y.sum(axis=0)
    neg = n - pos
    target = np.where(y == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))
    for _ in range(25):
        z = a * scores + b
        p = expit(z)
        g = p - target
        w = p * (1 - p)
        ga = (g * scores).sum(axis=0) + prior * (a - shared[0])
        gb = g.sum(axis=0) + prior * (b - shared[1])
        haa = (w * scores * scores).sum(axis=0) + prior
        hab = (w * scores).sum(axis=0)
        hbb = w.sum(axis=0) + prior
        det = haa * hbb - hab * hab
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a -= da
        b -= db
        if max(np.abs(da).max(), np.abs(db).max()) < 1e-6:
            break
    return a, b


def _decide(scores: np.ndarray, threshold: float, at_least_one: bool) -> np.ndarray:
    codes = (scores >= threshold).astype(np.int8)
    if at_least_one and scores.shape[1]:
        codes[np.arange(len(scores)), scores.argmax(axis=1)] = 1
    return codes


def _sample_f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = (y & pred).sum(axis=1)
    denom = y.sum(axis=1) + pred.sum(axis=1)
    return float(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0).mean())


# ----------------------------------------------------------------------------- the model
@dataclass
class ThemeModel:
    themes: list[str]
    threshold: float = 0.5
    at_least_one: bool = True
    features: TextFeatures = field(default_factory=TextFeatures)
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    intercept: np.ndarray = field(default_factory=lambda: np.zeros(0))
    calibration: tuple[float, float] = (1.0, 0.0)
    theme_calibration: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    constant: dict[str, float] = field(default_factory=dict)  # themes with one class only
    labelled_counts: dict[str, int] = field(default_factory=dict)
    iterations: int = 0  # L-BFGS iterations of the final fit
    keys: list[str] = field(default_factory=list)  # the hand-coded texts, for warm starts
    dual: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # their coefficients

    # -- scoring
    def decision_function(self, encoded: Encoded) -> np.ndarray:
        return encoded.dot(self.weights) + self.intercept

    def _probabilities(self, decision: np.ndarray) -> np.ndarray:
        a, b = self.theme_calibration[:, 0], self.theme_calibration[:, 1]
        probs = expit(a * decision + b)
        for j, theme in enumerate(self.themes):
            if theme in self.constant:
                probs[:, j] = self.constant[theme]
        return probs

    def scores(self, encoded: Encoded) -> np.ndarray:
        """Calibrated probabilities for already featurised texts (rows x themes)."""
        return self._probabilities(self.decision_function(encoded))

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        texts = list(texts)
        parts = [
            self.scores(self.features.encode(texts[i : i + CHUNK]))
            for i in range(0, len(texts), CHUNK)
        ]
        scores = np.vstack(parts) if parts else np.zeros((0, len(self.themes)))
        return pd.DataFrame(scores, columns=self.themes)

    def decide(self, scores: np.ndarray, threshold: float | None = None) -> np.ndarray:
        threshold = self.threshold if threshold is None else threshold
        return _decide(np.asarray(scores), threshold, self.at_least_one)

    # -- explaining
    def explain(
        self, texts: Sequence[str], pairs: pd.DataFrame | None = None, top: int = 3
    ) -> pd.DataFrame:
        """The words that pushed each suggestion's score up most (see :mod:`analysis.explain`).

        ``pairs`` has columns ``row`` (position in ``texts``) and ``theme``; by default every
        theme the model decides for each text.
        """
        from analysis.explain import explain_suggestions

        return explain_suggestions(self, texts, pairs, top)

    def suggest(self, texts: Sequence[str], top: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Probabilities and, for every decided theme, its top words: one pass over ``texts``.

        Returns (probabilities: one column per theme; explanations: row, theme, words,
        contributions), featurising ``CHUNK`` texts at a time.
        """
        from analysis.explain import EXPLAIN_COLUMNS, Explainer

        texts = list(texts)
        explainer = Explainer(self)
        probs, why = [], []
        for start in range(0, len(texts), CHUNK):
            encoded = self.features.encode(texts[start : start + CHUNK])
            scores = self.scores(encoded)
            rows, cols = np.nonzero(self.decide(scores))
            words, amounts = explainer.explain(encoded, rows, cols, top)
            probs.append(scores)
            why.append(
                pd.DataFrame(
                    {
                        "row": rows + start,
                        "theme": np.asarray(self.themes, dtype=object)[cols],
                        "words": words,
                        "contributions": amounts,
                    }
                )
            )
        scores_all = np.vstack(probs) if probs else np.zeros((0, len(self.themes)))
        explanations = (
            pd.concat(why, ignore_index=True) if why else pd.DataFrame(columns=EXPLAIN_COLUMNS)
        )
        return pd.DataFrame(scores_all, columns=self.themes), explanations

    # -- fitting
    def _trainable(self, y: np.ndarray) -> np.ndarray:
        pos = y.sum(axis=0)
        return np.flatnonzero((pos > 0) & (pos < len(y)))

    def fit_encoded(
        self,
        encoded: Encoded,
        y: np.ndarray,
        folds: int = FOLDS,
        previous: ThemeModel | None = None,
        c: float = C,
        keys: Sequence[str] | None = None,
    ) -> ThemeModel:
        """Fit on featurised hand-coded texts (``y``: rows x themes, 0/1).

        BLAS runs on one thread here: the optimiser's many small vector and matrix products
        lost more to thread hand-offs than they gained (with two threads on a busy 2-core
        machine, 132 s wall for 16 s of CPU; one thread: CPU = wall).
        """
        with _one_blas_thread():
            return self._fit_encoded(encoded, y, folds, previous, c, keys)

    def _fit_encoded(
        self,
        encoded: Encoded,
        y: np.ndarray,
        folds: int = FOLDS,
        previous: ThemeModel | None = None,
        c: float = C,
        keys: Sequence[str] | None = None,
    ) -> ThemeModel:
        n = len(y)
        if n < 2 * folds:
            raise AnalysisError(f"labelled file has {n} rows; need at least {2 * folds}")
        y = y.astype(np.int8)
        self.at_least_one = bool((y.sum(axis=1) > 0).all())
        self.labelled_counts = {t: int(v) for t, v in zip(self.themes, y.sum(axis=0), strict=True)}
        live = self._trainable(y)
        self.constant = {
            t: float(y[:, j].mean()) for j, t in enumerate(self.themes) if j not in set(live)
        }
        kernel = encoded.gram(encoded)
        start = None
        if previous is not None and previous.themes == self.themes and len(previous.dual):
            # Rows coded before keep their dual coefficients; new rows start at 0.
            where = {key: i for i, key in reversed(list(enumerate(previous.keys)))}
            alpha0 = np.zeros((n, len(live)))
            for i, key in enumerate(keys or []):
                j = where.get(key)
                if j is not None:
                    alpha0[i] = previous.dual[j, live]
            start = (alpha0, previous.intercept[live])
        dual = _fit_dual(kernel, y[:, live], c, start)
        self.iterations = dual.iterations
        # Out-of-fold decision values for the shared calibration and the threshold. Each fold
        # starts from the full model's decision values on its training rows (convex: the same
        # optimum as a cold start, reached in a third of the iterations).
        oof = np.zeros((n, len(live)))
        order = np.random.default_rng(0).permutation(n)
        for k in range(folds):
            test = np.sort(order[k::folds])
            train = np.setdiff1d(np.arange(n), test)
            yk = y[np.ix_(train, live)]
            counts = yk.sum(axis=0)
            fold_live = np.flatnonzero((counts > 0) & (counts < len(train)))
            fold_start = (dual.alpha[np.ix_(train, fold_live)], dual.intercept[fold_live])
            fold = _fit_dual(kernel[np.ix_(train, train)], yk[:, fold_live], c, fold_start)
            oof[np.ix_(test, fold_live)] = kernel[np.ix_(test, train)] @ fold.alpha + fold.intercept
            # A theme with no positive (or no negative) in this fold's training part scores as
            # far from its class as the calibration allows.
            missing = np.setdiff1d(np.arange(len(live)), fold_live)
            oof[np.ix_(test, missing)] = np.where(counts[missing] > 0, 10.0, -10.0)
        self.calibration = _platt(oof, y[:, live]) if len(live) else (1.0, 0.0)
        self.theme_calibration = np.tile(np.array(self.calibration, float), (len(self.themes), 1))
        if len(live):
            a_t, b_t = _platt_per_theme(oof, y[:, live], self.calibration, CALIBRATION_PRIOR)
            self.theme_calibration[live, 0] = a_t
            self.theme_calibration[live, 1] = b_t
        scores = np.zeros((n, len(self.themes)))
        scores[:, live] = oof
        probs = self._probabilities(scores)
        self.threshold = float(
            max(
                THRESHOLDS, key=lambda t: _sample_f1(y, _decide(probs, float(t), self.at_least_one))
            )
        )
        self.keys = list(keys or [])
        self.dual = np.zeros((n, len(self.themes)))
        self.dual[:, live] = dual.alpha
        width = encoded.words.shape[1] + encoded.chars.shape[1]
        self.weights = np.zeros((width, len(self.themes)), np.float32)
        self.weights[:, live] = encoded.transpose_dot(dual.alpha)
        self.intercept = np.zeros(len(self.themes))
        self.intercept[live] = dual.intercept
        return self

    def fit(
        self,
        texts: Sequence[str],
        labels: pd.DataFrame,
        folds: int = FOLDS,
        previous: ThemeModel | None = None,
    ) -> ThemeModel:
        y = labels[self.themes].to_numpy(dtype=np.int8)
        if len(texts) < 2 * folds:
            raise AnalysisError(f"labelled file has {len(texts)} rows; need at least {2 * folds}")
        if not self.features.n_features:
            self.features.fit(list(texts))
        texts = [str(t) for t in texts]
        return self.fit_encoded(self.features.encode(texts), y, folds, previous, keys=texts)


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def uncertainty(scores: pd.DataFrame, threshold: float, at_least_one: bool = False) -> pd.Series:
    """How close a response's least certain decision is to flipping (1 = on the threshold).

    Distances are in log-odds, ``exp(-min |logit p - logit threshold|)``: with a low threshold,
    0.05 against 0.13 is a clear "no", not as uncertain as 0.24 against 0.13. With
    ``at_least_one`` (the model always codes its top theme) the top theme's own distance does
    not count - it is coded either way - but when it is under the threshold, its margin over the
    second theme does: three themes at 0.3 each is a toss-up.
    """
    values = scores.to_numpy(dtype=float) if isinstance(scores, pd.DataFrame) else scores
    index = getattr(scores, "index", None)
    if values.shape[1] == 0:
        return pd.Series(np.zeros(len(values)), index=index)
    logits = _logit(values)
    distance = np.abs(logits - _logit(threshold))
    if at_least_one and values.shape[1] > 1:
        rows = np.arange(len(values))
        order = np.argsort(-values, axis=1)
        top, second = order[:, 0], order[:, 1]
        margin = logits[rows, top] - logits[rows, second]
        distance[rows, top] = np.where(values[rows, top] < threshold, margin, np.inf)
    return pd.Series(np.exp(-distance.min(axis=1)), index=index)


RARE_EXAMPLES = 5  # a theme with fewer hand-coded positives than this is "rare"
QUEUE_COLUMNS = ["row", "reason", "uncertainty", "theme"]


def _cosine_rows(encoded: Encoded, index: np.ndarray, other: Encoded) -> np.ndarray:
    """Cosine similarity of rows ``index`` of ``encoded`` with every row of ``other``."""
    if len(index) == 0 or len(other) == 0:
        return np.zeros((len(index), len(other)))
    # Each block is l2-normalised, so a full row has norm sqrt(2) (1 if a block is empty).
    return encoded.rows(index).gram(other) / 2.0


def next_batch(
    model: ThemeModel,
    texts: Sequence[str],
    coded: Sequence[bool] | np.ndarray | None = None,
    size: int = 50,
    *,
    scores: np.ndarray | pd.DataFrame | None = None,
    discovery: float = 0.25,
    diversity: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """The next ``size`` responses worth hand-coding, in the order to code them.

    - Uncertain first: closest to the decision threshold (:func:`uncertainty`), picked greedily
      with a penalty for similarity to responses already picked (maximal marginal relevance:
      ``uncertainty - diversity * max cosine``), so a batch is not 50 near-identical texts.
    - Discovery (about ``discovery`` of the batch, every fourth place): for each rare theme
      (fewer than ``RARE_EXAMPLES`` hand-coded positives) the uncoded response it scores highest,
      in turn; then responses least like anything coded so far (new content, maybe a new theme).

    ``coded`` marks responses already hand-coded (never proposed). ``scores``: the model's
    probabilities for ``texts`` if already computed. Returns a DataFrame: row (position in
    ``texts``), reason ("uncertain", "rare theme", "unlike coded"), uncertainty, theme (for rare).
    """
    texts = list(texts)
    n = len(texts)
    done = np.zeros(n, dtype=bool) if coded is None else np.asarray(coded, dtype=bool)
    probs = model.predict_proba(texts).to_numpy() if scores is None else np.asarray(scores)
    unc = uncertainty(pd.DataFrame(probs), model.threshold, model.at_least_one).to_numpy()
    open_rows = np.flatnonzero(~done)
    size = min(size, len(open_rows))
    if size <= 0:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    n_discover = round(size * discovery) if size >= 4 else 0
    picked: list[int] = []
    reasons: dict[int, tuple[str, str]] = {}
    # Rare themes: their most likely positives, one theme at a time.
    rare = [
        j
        for j, t in enumerate(model.themes)
        if t not in model.constant and model.labelled_counts.get(t, 0) < RARE_EXAMPLES
    ]
    rare.sort(key=lambda j: model.labelled_counts.get(model.themes[j], 0))
    discover: list[int] = []
    ranked = {j: open_rows[np.argsort(-probs[open_rows, j], kind="stable")][:size] for j in rare}
    depth = 0
    while rare and len(discover) < n_discover and depth < size:
        for j in rare:
            if len(discover) >= n_discover:
                break
            if depth < len(ranked[j]):
                row = int(ranked[j][depth])
                if row not in reasons:
                    discover.append(row)
                    reasons[row] = ("rare theme", model.themes[j])
        depth += 1
    # Unlike anything coded: lowest similarity to the coded rows, among a sample.
    rng = np.random.default_rng(seed)
    want_new = n_discover - len(discover)
    if want_new > 0 and done.any():
        sample = open_rows if len(open_rows) <= 2000 else rng.choice(open_rows, 2000, False)
        sample = np.array([r for r in sample if r not in reasons], dtype=np.int64)
        coded_rows = np.flatnonzero(done)
        if len(coded_rows) > 3000:
            coded_rows = rng.choice(coded_rows, 3000, False)
        enc = model.features.encode([texts[i] for i in sample])
        ref = model.features.encode([texts[i] for i in coded_rows])
        nearest = np.zeros(len(sample))
        for start in range(0, len(sample), 500):
            part = np.arange(start, min(start + 500, len(sample)))
            nearest[part] = _cosine_rows(enc, part, ref).max(axis=1)
        for i in np.argsort(nearest, kind="stable")[:want_new]:
            row = int(sample[i])
            discover.append(row)
            reasons[row] = ("unlike coded", "")
    # Uncertain, diverse: maximal marginal relevance over the most uncertain candidates.
    want = size - len(discover)
    pool = open_rows[np.argsort(-unc[open_rows], kind="stable")]
    pool = np.array([r for r in pool[: max(10 * want, 200)] if r not in reasons], np.int64)
    chosen: list[int] = []
    if want > 0 and len(pool):
        enc = model.features.encode([texts[i] for i in pool])
        best_sim = np.zeros(len(pool))
        if discover:
            taken = model.features.encode([texts[i] for i in discover])
            best_sim = _cosine_rows(enc, np.arange(len(pool)), taken).max(axis=1)
        value = unc[pool].astype(float)
        free = np.ones(len(pool), dtype=bool)
        for _ in range(min(want, len(pool))):
            gain = np.where(free, value - diversity * best_sim, -np.inf)
            k = int(np.argmax(gain))
            free[k] = False
            chosen.append(int(pool[k]))
            reasons[int(pool[k])] = ("uncertain", "")
            sim = _cosine_rows(enc, np.array([k]), enc)[0]
            best_sim = np.maximum(best_sim, sim)
    # Interleave: every fourth place goes to discovery while it lasts.
    queue: list[int] = []
    d, c = iter(discover), iter(chosen)
    for place in range(len(discover) + len(chosen)):
        source = (d, c) if place % 4 == 3 else (c, d)
        item = next(source[0], None)
        if item is None:
            item = next(source[1])
        queue.append(item)
    picked = queue
    return pd.DataFrame(
        {
            "row": picked,
            "reason": [reasons[r][0] for r in picked],
            "uncertainty": np.round(unc[picked], 4),
            "theme": [reasons[r][1] for r in picked],
        }
    )


def fit_theme_model(
    texts: Sequence[str],
    labels: pd.DataFrame,
    *,
    unlabelled: Sequence[str] | None = None,
    features: TextFeatures | None = None,
    previous: ThemeModel | None = None,
) -> ThemeModel:
    """Train on a hand-coded sample; ``labels`` holds one 0/1 column per theme.

    ``unlabelled``: the texts to be coded, so the (unsupervised) vocabulary and idf see them too.
    ``features``: an already fitted :class:`TextFeatures` to reuse (retraining on the same texts).
    ``previous``: a model to start from (its features are reused unless ``features`` is given);
    the result is the same as a fresh fit, reached in fewer iterations.
    """
    if features is None and previous is not None:
        features = previous.features
    if features is None:
        features = TextFeatures().fit(list(texts) + list(unlabelled or []))
    model = ThemeModel(themes=[str(c) for c in labels.columns], features=features)
    return model.fit(texts, labels, previous=previous)
