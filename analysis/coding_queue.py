"""The coding queue: which responses a person should hand-code next, and in what order.

Uncertain first (closest to flipping a decision), diverse (not 50 near-identical texts), with a
share of the batch for rare-theme discovery.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.calibration import logit
from analysis.features import Encoded
from analysis.theme_model import ThemeModel


def uncertainty(
    scores: pd.DataFrame, threshold: float, at_least_one: bool = False, top: int = 1
) -> pd.Series:
    """How close a response's least certain decision is to flipping (1 = on the threshold).

    Distances are in log-odds, ``exp(-min |logit p - logit threshold|)``: with a low threshold,
    0.05 against 0.13 is a clear "no", not as uncertain as 0.24 against 0.13. With
    ``at_least_one`` (the model always codes its ``top`` best themes) their own distances do
    not count - they are coded either way - but when the last of them is under the threshold,
    its margin over the next theme does: three themes at 0.3 each is a toss-up.
    """
    values = scores.to_numpy(dtype=float) if isinstance(scores, pd.DataFrame) else scores
    index = getattr(scores, "index", None)
    if values.shape[1] == 0:
        return pd.Series(np.zeros(len(values)), index=index)
    logits = logit(values)
    distance = np.abs(logits - logit(threshold))
    top = max(1, min(top, values.shape[1] - 1))
    if at_least_one and values.shape[1] > 1:
        rows = np.arange(len(values))
        order = np.argsort(-values, axis=1)
        for rank in range(top):
            distance[rows, order[:, rank]] = np.inf
        last, after = order[:, top - 1], order[:, top]
        margin = logits[rows, last] - logits[rows, after]
        distance[rows, last] = np.where(values[rows, last] < threshold, margin, np.inf)
    return pd.Series(np.exp(-distance.min(axis=1)), index=index)


NEAR_COPY = 0.9  # cosine similarity at which two responses count as the same text
RARE_EXAMPLES = 5  # a theme with fewer hand-coded positives than this is "rare"
QUEUE_COLUMNS = ["row", "reason", "uncertainty", "theme"]


def _norms(encoded: Encoded) -> np.ndarray:
    squares = np.asarray(encoded.words.multiply(encoded.words).sum(axis=1)).ravel()
    squares += np.asarray(encoded.chars.multiply(encoded.chars).sum(axis=1)).ravel()
    return np.sqrt(np.maximum(squares, 1e-12))


def cosine_rows(encoded: Encoded, index: np.ndarray, other: Encoded) -> np.ndarray:
    """Cosine similarity of rows ``index`` of ``encoded`` with every row of ``other``."""
    if len(index) == 0 or len(other) == 0:
        return np.zeros((len(index), len(other)))
    # Each block is l2-normalised, but a block can be empty (no known word): divide by the
    # true norms, or two copies of an unknown-word text would count as only half alike.
    part = encoded.rows(index)
    return part.gram(other) / np.outer(_norms(part), _norms(other))


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
    unc = uncertainty(
        pd.DataFrame(probs), model.threshold, model.at_least_one, model.top
    ).to_numpy()
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
            nearest[part] = cosine_rows(enc, part, ref).max(axis=1)
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
            best_sim = cosine_rows(enc, np.arange(len(pool)), taken).max(axis=1)
        value = unc[pool].astype(float)
        free = np.ones(len(pool), dtype=bool)
        for _ in range(min(want, len(pool))):
            if not free.any():
                break  # argmax of nothing but -inf would pick the first candidate once more
            gain = np.where(free, value - diversity * best_sim, -np.inf)
            k = int(np.argmax(gain))
            free[k] = False
            chosen.append(int(pool[k]))
            reasons[int(pool[k])] = ("uncertain", "")
            sim = cosine_rows(enc, np.array([k]), enc)[0]
            best_sim = np.maximum(best_sim, sim)
            # A near-copy of a response already in the batch teaches nothing new, however
            # uncertain: the similarity penalty alone let copies at uncertainty 0.99 through.
            free &= sim < NEAR_COPY
    # Every candidate left was a near-copy of one picked: the batch is filled from the rest in
    # order of uncertainty (copies too - each is a response still to be coded).
    if len(chosen) < want:
        for row in open_rows[np.argsort(-unc[open_rows], kind="stable")]:
            if len(chosen) >= want:
                break
            if int(row) not in reasons:
                chosen.append(int(row))
                reasons[int(row)] = ("uncertain", "")
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
