"""Text features for learning: TF-IDF word (1-2) and character (2-5, within words) n-grams.

The same features scikit-learn's ``TfidfVectorizer`` gives (word analyzer with its default token
pattern, and ``analyzer="char_wb"``; sublinear tf, smoothed idf, each block l2-normalised), built
without its per-text Python loops, which took ~20 s for 180,000 texts:

- words: one regular-expression pass over all texts joined by a separator, tokens looked up with
  ``pandas`` hashing, bigrams as pairs of token ids in one ``int64``;
- characters: ``char_wb`` n-grams never cross a space, so a text's character n-gram counts are
  its whitespace-token counts times a token -> n-gram count matrix built once per distinct token
  (about 10,000 of them against 2.8 million tokens in 180,000 texts).

The vocabulary and idf are fitted once on every text (labelled or not; it is unsupervised), so a
model retrained from new hand-coding keeps the same feature space and the texts' features can be
kept between retrains.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

WORD_PATTERN = r"(?u)\b\w\w+\b"
_SEPARATOR = "\x01"  # neither a word character nor whitespace (str.split splits on \x1c-\x1f)
_WORD_OR_END = re.compile(WORD_PATTERN + r"|\x01")
CHAR_RANGE = (2, 5)
# Vocabulary and idf come from at most this many texts (a seeded sample beyond it): at
# 180,000 texts, fitting on 60,000 cost 5 s of the 30 s budget; min_df 2 on 30,000 still keeps
# every word used twice in a random sixth of them.
MAX_FIT_TEXTS = 30_000


def char_wb_ngrams(token: str, low: int = CHAR_RANGE[0], high: int = CHAR_RANGE[1]) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one whitespace token (short tokens once)."""
    padded = f" {token} "
    out = []
    for n in range(low, high + 1):
        offset = 0
        out.append(padded[offset : offset + n])
        while offset + n < len(padded):
            offset += 1
            out.append(padded[offset : offset + n])
        if offset == 0:
            break
    return out


def _sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """l2-normalised sublinear tf x idf, and each row's norm before normalising. In place:
    ``counts`` (float32) is the caller's own temporary (a copy of 20,000 texts' character
    counts was 40 MB of the memory peak at 180,000 texts)."""
    data = counts.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[counts.indices]
    norms = _row_norms(counts)
    data /= np.repeat(norms, np.diff(counts.indptr))
    return counts, norms


def _row_norms(matrix: sp.csr_matrix) -> np.ndarray:
    """l2 norm of each row (1 for empty rows), without building a squared copy."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    squares = np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0])
    norms = np.sqrt(squares).astype(np.float32)
    norms[lengths == 0] = 1.0
    norms[norms == 0] = 1.0
    return norms


def _clean(texts: Sequence[str]) -> list[str]:
    out = [str(t) for t in texts]
    if any(_SEPARATOR in t for t in out):
        out = [t.replace(_SEPARATOR, " ") for t in out]
    return out


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


@dataclass
class Encoded:
    """Features of some texts as two blocks (stacking them cost seconds at 180,000 texts),
    with what explanations need: whitespace-token counts and the character block's norms."""

    words: sp.csr_matrix  # word unigrams then bigrams
    chars: sp.csr_matrix  # character n-grams
    tokens: sp.csr_matrix  # whitespace-token counts (ids in TextFeatures.token_ids)
    char_norms: np.ndarray  # l2 norm of each text's character block before normalising

    def __len__(self) -> int:
        return int(self.words.shape[0])

    def rows(self, index: np.ndarray) -> Encoded:
        return Encoded(
            self.words[index], self.chars[index], self.tokens[index], self.char_norms[index]
        )

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """``features @ weights`` for weights stacked as word rows then character rows."""
        n_words = self.words.shape[1]
        return np.asarray(self.words @ weights[:n_words] + self.chars @ weights[n_words:])

    def gram(self, other: Encoded) -> np.ndarray:
        """Linear kernel ``features @ other.T`` as a dense array."""
        out = (self.words @ other.words.T).toarray()
        out += (self.chars @ other.chars.T).toarray()
        return out

    def transpose_dot(self, coefficients: np.ndarray) -> np.ndarray:
        """``features.T @ coefficients``: primal weights from dual coefficients."""
        return np.vstack([self.words.T @ coefficients, self.chars.T @ coefficients]).astype(
            np.float32
        )

    @property
    def matrix(self) -> sp.csr_matrix:
        return sp.hstack([self.words, self.chars], format="csr", dtype=np.float32)


class TextFeatures:
    """Fit once on all texts; ``transform`` any texts into the same space."""

    def __init__(self, min_df: int = 2, word_min_df: int | None = None) -> None:
        self.min_df = min_df
        self.word_min_df = min_df if word_min_df is None else word_min_df
        self.words: pd.Index = pd.Index([], dtype=object)  # unigram vocabulary
        self.bigram_keys = np.zeros(0, dtype=np.int64)  # sorted a * V + b over unigram ids
        self.word_idf = np.zeros(0, dtype=np.float32)  # unigrams then bigrams
        self.grams: dict[str, int] = {}
        self.char_idf = np.zeros(0, dtype=np.float32)
        self.token_ids: dict[str, int] = {}
        self._token_grams: list[sp.csr_matrix] = []
        self._token_gram_rows = 0

    # ----- words
    @staticmethod
    def _word_tokens(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        joined = f" {_SEPARATOR} ".join(texts).lower() + f" {_SEPARATOR}"
        found = np.array(_WORD_OR_END.findall(joined), dtype=object)
        ends = found == _SEPARATOR
        docs = np.cumsum(ends)[~ends]
        return found[~ends], docs

    def _fit_words(self, texts: Sequence[str]) -> None:
        tokens, docs = self._word_tokens(texts)
        codes, uniques = pd.factorize(tokens)
        v = max(len(uniques), 1)
        uni_df = np.bincount(np.unique(docs * v + codes) % v, minlength=len(uniques))
        keep = np.flatnonzero(uni_df >= self.word_min_df)
        remap = np.full(len(uniques) + 1, -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        self.words = pd.Index(np.asarray(uniques, dtype=object)[keep])
        ids = remap[codes]
        pairs = (docs[1:] == docs[:-1]) & (ids[1:] >= 0) & (ids[:-1] >= 0)
        nv = max(len(keep), 1)
        keys = ids[:-1][pairs] * nv + ids[1:][pairs]
        bdocs = docs[:-1][pairs]
        doc_keys = np.unique(np.stack([bdocs, keys], axis=1), axis=0) if len(keys) else None
        if doc_keys is not None:
            bkeys, bdf = np.unique(doc_keys[:, 1], return_counts=True)
            self.bigram_keys = bkeys[bdf >= self.word_min_df]
            bigram_df = bdf[bdf >= self.word_min_df]
        else:
            bigram_df = np.zeros(0, dtype=np.int64)
        self.word_idf = _idf(np.concatenate([uni_df[keep], bigram_df]), len(texts))

    def _transform_words(self, texts: Sequence[str]) -> sp.csr_matrix:
        tokens, docs = self._word_tokens(texts)
        ids = self.words.get_indexer(pd.Index(tokens)).astype(np.int64)
        n_uni = len(self.words)
        pairs = (docs[1:] == docs[:-1]) & (ids[1:] >= 0) & (ids[:-1] >= 0)
        keys = ids[:-1][pairs] * max(n_uni, 1) + ids[1:][pairs]
        pos = np.searchsorted(self.bigram_keys, keys)
        pos = np.minimum(pos, max(len(self.bigram_keys) - 1, 0))
        hit = self.bigram_keys[pos] == keys if len(self.bigram_keys) else np.zeros(0, dtype=bool)
        known = ids >= 0
        rows = np.concatenate([docs[known], docs[:-1][pairs][hit]]).astype(np.int64)
        cols = np.concatenate([ids[known], n_uni + pos[hit]])
        shape = (len(texts), len(self.word_idf))
        counts = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
        counts.sum_duplicates()
        return _sublinear_tfidf(counts, self.word_idf)[0]

    def word_names(self) -> np.ndarray:
        """Names of the word block's columns: unigrams, then bigrams as "a b"."""
        n = max(len(self.words), 1)
        first, second = np.divmod(self.bigram_keys, n)
        words = self.words.to_numpy(dtype=object)
        bigrams = words[first] + " " + words[second] if len(first) else np.zeros(0, object)
        return np.concatenate([words, bigrams])

    # ----- characters
    def _token_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        joined = f" {_SEPARATOR} ".join(texts).lower().split()
        found = np.array([*joined, _SEPARATOR], dtype=object)
        ends = found == _SEPARATOR
        docs = np.cumsum(ends)[~ends]
        tokens = found[~ends]
        codes, uniques = pd.factorize(tokens)
        ids = np.empty(len(uniques), dtype=np.int64)
        for i, token in enumerate(uniques):
            ids[i] = self.token_ids.setdefault(token, len(self.token_ids))
        shape = (len(texts), len(self.token_ids))
        counts = sp.csr_matrix((np.ones(len(codes), np.float32), (docs, ids[codes])), shape=shape)
        counts.sum_duplicates()
        return counts

    def _token_gram_matrix(self, grow: bool = False) -> sp.csr_matrix:
        """Token -> character n-gram counts, extended for tokens not seen before."""
        tokens = list(self.token_ids)[self._token_gram_rows :]
        if tokens:
            indptr: list[int] = [0]
            indices: list[int] = []
            data: list[int] = []
            for token in tokens:
                counts: dict[int, int] = {}
                for gram in char_wb_ngrams(token):
                    j = self.grams.get(gram)
                    if j is None:
                        if not grow:
                            continue
                        j = self.grams[gram] = len(self.grams)
                    counts[j] = counts.get(j, 0) + 1
                indices.extend(counts)
                data.extend(counts.values())
                indptr.append(len(indices))
            self._token_grams.append(
                sp.csr_matrix(
                    (np.array(data, np.float32), np.array(indices, np.int64), np.array(indptr)),
                    shape=(len(tokens), len(self.grams)),
                )
            )
            self._token_gram_rows += len(tokens)
        width = len(self.grams)
        parts = [
            sp.csr_matrix((p.data, p.indices, p.indptr), shape=(p.shape[0], width))
            for p in self._token_grams
        ]
        merged = sp.vstack(parts).tocsr() if len(parts) > 1 else parts[0]
        self._token_grams = [merged]
        return merged

    def _fit_chars(self, texts: Sequence[str]) -> None:
        counts = self._token_counts(texts)
        grams = self._token_gram_matrix(grow=True)
        per_text = (counts @ grams).tocsr()
        df = np.bincount(per_text.indices, minlength=per_text.shape[1])
        keep = np.flatnonzero(df >= self.min_df)
        names = np.array(list(self.grams), dtype=object)[keep]
        self.grams = {g: i for i, g in enumerate(names.tolist())}
        self._token_grams = [grams[:, keep].tocsr()]
        self.char_idf = _idf(df[keep], len(texts))

    def _transform_chars(
        self, texts: Sequence[str]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
        counts = self._token_counts(texts)
        values, norms = _sublinear_tfidf(
            (counts @ self._token_gram_matrix()).tocsr(), self.char_idf
        )
        return values, counts, norms

    def token_gram_matrix(self) -> sp.csr_matrix:
        return self._token_gram_matrix()

    # ----- public
    @property
    def n_word_features(self) -> int:
        return len(self.word_idf)

    @property
    def n_features(self) -> int:
        return len(self.word_idf) + len(self.char_idf)

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        texts = _clean(texts)
        if len(texts) > MAX_FIT_TEXTS:
            pick = np.sort(np.random.default_rng(0).choice(len(texts), MAX_FIT_TEXTS, False))
            texts = [texts[i] for i in pick]
        self._fit_words(texts)
        self._fit_chars(texts)
        return self

    def encode(self, texts: Sequence[str]) -> Encoded:
        texts = _clean(texts)
        words = self._transform_words(texts)
        chars, tokens, norms = self._transform_chars(texts)
        return Encoded(words, chars, tokens, norms)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.encode(texts).matrix
