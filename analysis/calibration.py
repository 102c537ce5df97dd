"""From decision values to probabilities and codes, chosen on out-of-fold scores.

Platt scaling is fitted once on the pooled out-of-fold scores of every theme (a rare theme has
too few positives for its own), then per theme shrunk towards that shared calibration by
``CALIBRATION_PRIOR`` pseudo-observations, so a frequent theme gets its own and a rare one keeps
the shared one.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)
# Per-theme calibration is shrunk towards the shared one by this many pseudo-observations.
CALIBRATION_PRIOR = 3.0


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One sigmoid ``p = 1 / (1 + exp(-(a s + b)))`` fitted to pooled (score, label) pairs."""
    s, t = scores.ravel(), y.ravel().astype(float)
    # Platt's targets keep the fit finite when the pooled scores separate perfectly.
    pos = t.sum()
    neg = len(t) - pos
    t = np.where(t == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))

    # Newton's method with step halving: two parameters, and scipy.optimize's import alone
    # cost a second or more of every `code` run's start.
    def loss(a: float, b: float) -> float:
        z = a * s + b
        return float((np.logaddexp(0.0, z) - t * z).sum())

    a, b = 1.0, 0.0
    value = loss(a, b)
    for _ in range(50):
        z = a * s + b
        p = expit(z)
        g = p - t
        w = p * (1 - p) + 1e-12
        ga, gb = float((g * s).sum()), float(g.sum())
        haa, hab, hbb = float((w * s * s).sum()), float((w * s).sum()), float(w.sum())
        det = haa * hbb - hab * hab
        if det <= 1e-18:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        step = 1.0
        while step > 1e-6 and loss(a - step * da, b - step * db) > value:
            step /= 2
        a, b = a - step * da, b - step * db
        value = loss(a, b)
        if max(abs(step * da), abs(step * db)) < 1e-8:
            break
    return a, b


def platt_per_theme(
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
    # With two or three positives, the out-of-fold scores of a theme can slope the wrong way
    # (a positive held out of the only fold that had it scores -10): a higher decision value
    # must never mean a lower probability, so such a theme keeps the shared calibration.
    wrong = ~np.isfinite(a) | ~np.isfinite(b) | (a < 0.25 * shared[0])
    a[wrong], b[wrong] = shared[0], shared[1]
    return a, b


def decide_codes(
    scores: np.ndarray, threshold: float, at_least_one: bool, top: int = 1
) -> np.ndarray:
    """Codes: every theme at or over ``threshold``; with ``at_least_one`` also the ``top``
    highest-scoring themes of each response."""
    codes = (scores >= threshold).astype(np.int8)
    if at_least_one and scores.shape[1]:
        top = max(1, min(top, scores.shape[1]))
        best = np.argpartition(-scores, top - 1, axis=1)[:, :top] if top > 1 else None
        if best is None:
            codes[np.arange(len(scores)), scores.argmax(axis=1)] = 1
        else:
            codes[np.arange(len(scores))[:, None], best] = 1
    return codes


def choose_decision(
    probs: np.ndarray, y: np.ndarray, at_least_one: bool, max_top: int
) -> tuple[float, int]:
    """(threshold, top) maximising sample-averaged F1 on out-of-fold probabilities.

    ``top`` ranges up to ``max_top``, the fewest themes any hand-coded response had: when every
    response had two themes, "always the best two" is a candidate rule, chosen only if the
    held-out folds say it codes better.
    """
    best = (-1.0, 0.5, 1)
    for top in range(1, max(1, max_top) + 1 if at_least_one else 2):
        for t in THRESHOLDS:
            f1 = sample_f1(y, decide_codes(probs, float(t), at_least_one, top))
            if f1 > best[0] + 1e-9:
                best = (f1, float(t), top)
    return best[1], best[2]


def pooled_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The threshold best for every theme's decisions pooled: F1 over all (response, theme)
    pairs at once. What a theme with too few examples for its own threshold should fall back on.
    """
    positives = int(y.sum())
    best, best_f1 = 0.5, -1.0
    for t in THRESHOLDS:
        hit = probs >= t
        f1 = 2 * int((hit & (y == 1)).sum()) / max(int(hit.sum()) + positives, 1)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def theme_threshold_shifts(
    probs: np.ndarray, y: np.ndarray, threshold: float, prior: float
) -> np.ndarray:
    """Per theme, how far (in log-odds) its own threshold should lie from the shared one.

    Each theme's F1-best threshold on the out-of-fold probabilities is shrunk by ``prior``
    pseudo-positives towards the pooled threshold (:func:`pooled_threshold`), so a theme with 3
    examples gets (nearly) the pooled one and a frequent one its own. Not towards the shared
    threshold: that one is chosen for sample F1 with the best two themes always coded, where it
    can sit at 0.93 (only the top two and near-certain extras), far above any one theme's best
    (a calibrated theme's F1-best threshold is at most 0.5); shrinking towards it made a rare
    theme all but impossible to code. Returned as the shift to add to the theme's calibration
    intercept, so that the shared threshold then decides as the theme's own would.
    """
    pos = y.sum(axis=0)
    shifts = np.zeros(y.shape[1])
    shared = float(logit(threshold))
    target = float(logit(pooled_threshold(probs, y)))
    for j in range(y.shape[1]):
        if pos[j] == 0:
            continue
        hit = probs[:, j][None, :] >= THRESHOLDS[:, None]
        tp = (hit & (y[:, j] == 1)[None, :]).sum(axis=1)
        f1 = 2 * tp / np.maximum(hit.sum(axis=1) + pos[j], 1)
        own = float(logit(THRESHOLDS[int(np.argmax(f1))]))
        weight = pos[j] / (pos[j] + prior)
        shifts[j] = shared - (weight * own + (1 - weight) * target)
    return shifts


def choose_top(
    probs: np.ndarray, y: np.ndarray, threshold: float, at_least_one: bool, max_top: int
) -> int:
    """How many top themes to always code, given the threshold (see :func:`choose_decision`)."""
    if not at_least_one:
        return 1
    scored = [
        (sample_f1(y, decide_codes(probs, threshold, True, top)), -top)
        for top in range(1, max(1, max_top) + 1)
    ]
    return -max(scored)[1]


def logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def sample_f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = (y & pred).sum(axis=1)
    denom = y.sum(axis=1) + pred.sum(axis=1)
    return float(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0).mean())
