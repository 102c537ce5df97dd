"""Why the learned model suggested a theme: the words that pushed its score up most.

A suggestion's decision value is a sum over the text's features of value x weight. Word
features (unigrams, bigrams) are named by themselves. Character n-grams are credited to the
whitespace token they came from: a token's share is its count times the sum of its n-grams'
idf x weight, over the text's character-block norm (exact when no n-gram repeats within the
text, the usual case; sublinear tf is not apportioned). A token and the unigram of the same
word ("police," and "police") are summed into one entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.features import Encoded

if TYPE_CHECKING:
    from analysis.theme_model import ThemeModel

EXPLAIN_COLUMNS = ["row", "theme", "words", "contributions"]
_EDGES = re.compile(r"^\W+|\W+$")
PAIRS_AT_A_TIME = 8_192


class Explainer:
    """Explains pairs of (encoded row, theme); caches per-token weights between chunks."""

    def __init__(self, model: ThemeModel) -> None:
        self.model = model
        names = model.features.word_names()
        self.space: dict[str, int] = {}
        self.strings: list[str] = []
        self._array = np.zeros(0, dtype=object)
        self.word_ids = np.array([self._id(str(w)) for w in names], dtype=np.int64)
        self.token_ids = np.zeros(0, dtype=np.int64)
        self.per_token = np.zeros((0, len(model.themes)), np.float32)
        self.char_weights = (
            model.weights[model.features.n_word_features :] * model.features.char_idf[:, None]
        )

    def _id(self, text: str) -> int:
        found = self.space.get(text)
        if found is None:
            found = self.space[text] = len(self.strings)
            self.strings.append(text)
        return found

    def _extend_tokens(self) -> None:
        grams = self.model.features.token_gram_matrix()
        have = len(self.token_ids)
        if grams.shape[0] == have:
            return
        tokens = list(self.model.features.token_ids)[have:]
        new_ids = [self._id(_EDGES.sub("", t)) for t in tokens]
        self.token_ids = np.concatenate([self.token_ids, np.array(new_ids, dtype=np.int64)])
        added = np.asarray(grams[have:] @ self.char_weights, dtype=np.float32)
        self.per_token = np.vstack([self.per_token, added])

    def _strings(self) -> np.ndarray:
        if len(self._array) != len(self.strings):
            self._array = np.array(self.strings, dtype=object)
            self._blank = self._array == ""
        return self._array

    def explain(
        self, encoded: Encoded, rows: np.ndarray, cols: np.ndarray, top: int = 3
    ) -> tuple[np.ndarray, np.ndarray]:
        """For pairs (row of ``encoded``, theme column): top words and their contributions."""
        words = np.full(len(rows), "", dtype=object)
        amounts = np.full(len(rows), "", dtype=object)
        if len(rows) == 0:
            return words, amounts
        self._extend_tokens()
        # A batch of pairs at a time: every (pair, word) of 40,000 pairs at once held ~110 MB.
        for start in range(0, len(rows), PAIRS_AT_A_TIME):
            part = slice(start, start + PAIRS_AT_A_TIME)
            words[part], amounts[part] = self._explain(encoded, rows[part], cols[part], top)
        return words, amounts

    def _explain(
        self, encoded: Encoded, rows: np.ndarray, cols: np.ndarray, top: int
    ) -> tuple[np.ndarray, np.ndarray]:
        words = np.full(len(rows), "", dtype=object)
        amounts = np.full(len(rows), "", dtype=object)
        weights = self.model.weights
        sub = encoded.words[rows]
        pair_w = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
        word_values = sub.data * weights[sub.indices, cols[pair_w]]
        tok = encoded.tokens[rows]
        width = len(self.token_ids)
        tok = sp.csr_matrix((tok.data, tok.indices, tok.indptr), shape=(len(rows), width))
        pair_t = np.repeat(np.arange(len(rows)), np.diff(tok.indptr))
        norms = encoded.char_norms[rows]
        token_values = tok.data * self.per_token[tok.indices, cols[pair_t]] / norms[pair_t]
        pairs = np.concatenate([pair_w, pair_t])
        items = np.concatenate([self.word_ids[sub.indices], self.token_ids[tok.indices]])
        values = np.concatenate([word_values, token_values]).astype(float)
        strings = self._strings()
        keep = (values > 0) & ~self._blank[items]
        pairs, items, values = pairs[keep], items[keep], values[keep]
        size = len(strings)
        keys = pairs * size + items
        by_key = np.argsort(keys)
        keys, values = keys[by_key], values[by_key]
        heads = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        sums = np.add.reduceat(values, heads) if len(heads) else values[:0]
        upair, uitem = np.divmod(keys[heads], size)
        upair, uitem, sums = _top_per_pair(upair, uitem, sums, top)
        bounds = np.flatnonzero(np.r_[True, upair[1:] != upair[:-1], True])
        names = strings[uitem].tolist()
        shown = [f"{v:.2f}" for v in sums.tolist()]
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            words[upair[lo]] = "; ".join(names[lo:hi])
            amounts[upair[lo]] = "; ".join(shown[lo:hi])
        return words, amounts


def _top_per_pair(
    pairs: np.ndarray, items: np.ndarray, sums: np.ndarray, top: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``top`` largest (positive) ``sums`` of each pair, largest first, ties to the smaller
    item; ``pairs`` sorted and ``items`` ascending within a pair.

    ``top`` rounds of "largest left in each pair": sorting every (pair, word) by its sum was
    most of the cost of explaining 200,000 suggestions.
    """
    if not len(pairs) or top < 1:
        return pairs[:0], items[:0], sums[:0]
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(pairs)]))
    left = sums.copy()
    picked = []
    for _ in range(top):
        best = np.maximum.reduceat(left, starts)
        hits = np.flatnonzero((left == best[segment]) & (left > 0))
        first = hits[np.r_[True, segment[hits[1:]] != segment[hits[:-1]]]] if len(hits) else hits
        picked.append(first)
        left[first] = 0  # sums are positive: 0 marks "taken"
    # Grouped by pair, each pair's picks in the order they were picked (largest first).
    chosen = np.concatenate(picked)
    chosen = chosen[np.argsort(segment[chosen], kind="stable")]
    return pairs[chosen], items[chosen], sums[chosen]


def explain_suggestions(
    model: ThemeModel, texts: Sequence[str], pairs: pd.DataFrame | None = None, top: int = 3
) -> pd.DataFrame:
    """The words behind learned suggestions: DataFrame row, theme, words, contributions.

    ``pairs`` (columns ``row``: position in ``texts``, ``theme``) says which suggestions to
    explain; by default every theme the model decides for each text. ``words`` lists the top
    words, most first, joined by "; "; ``contributions`` their shares of the decision value.
    """
    texts = list(texts)
    explainer = Explainer(model)
    index = {t: j for j, t in enumerate(model.themes)}
    out = []
    step = 20_000
    for start in range(0, len(texts), step):
        chunk = texts[start : start + step]
        encoded = model.features.encode(chunk)
        if pairs is None:
            decided = model.decide(model.scores(encoded))
            rows, cols = np.nonzero(decided)
        else:
            mine = pairs[(pairs["row"] >= start) & (pairs["row"] < start + len(chunk))]
            rows = mine["row"].to_numpy(dtype=np.int64) - start
            cols = np.array([index[t] for t in mine["theme"]], dtype=np.int64)
        words, amounts = explainer.explain(encoded, rows, cols, top)
        out.append(
            pd.DataFrame(
                {
                    "row": rows + start,
                    "theme": np.asarray(model.themes, dtype=object)[cols],
                    "words": words,
                    "contributions": amounts,
                }
            )
        )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=EXPLAIN_COLUMNS)
