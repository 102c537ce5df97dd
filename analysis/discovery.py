"""Inductive theme suggestions from responses no theme covers yet.

Distinctive phrases compare uncovered with covered responses (chi-square over respondent
counts); clusters group uncovered responses by TF-IDF similarity. Both come with counts and
redacted examples so a coder can propose new themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import chi2

from analysis.corpus import Processed, process_texts
from analysis.nlp import stop_words
from analysis.redaction import redact_texts


@dataclass
class ThemeSuggestions:
    phrases: pd.DataFrame  # phrase, respondents (uncovered), share_uncovered, share_covered
    clusters: pd.DataFrame  # cluster, respondents, top_terms, examples
    uncovered: int


def _lemma_text(item: Processed, stops: frozenset[str]) -> str:
    return " ".join(w for w in item.lemma if w.isalpha() and w not in stops)


def suggest_themes(
    texts: Sequence[str],
    covered: Sequence[bool],
    top: int = 20,
    clusters: int = 5,
    examples: int = 3,
    min_respondents: int = 3,
) -> ThemeSuggestions:
    """Phrases and clusters among the uncovered responses (``covered[i]`` False)."""
    stops = stop_words()
    docs = [_lemma_text(p, stops) for p in process_texts(list(texts))]
    mask = np.array([not c and bool(d) for c, d in zip(covered, docs, strict=True)])
    uncovered_docs = [d for d, m in zip(docs, mask, strict=True) if m]
    empty_clusters = pd.DataFrame(columns=["cluster", "respondents", "top_terms", "examples"])
    empty_phrases = pd.DataFrame(
        columns=["phrase", "respondents", "share_uncovered", "share_covered"]
    )
    if len(uncovered_docs) < min_respondents:
        return ThemeSuggestions(empty_phrases, empty_clusters, len(uncovered_docs))
    nonempty = [i for i, d in enumerate(docs) if d]
    counter = CountVectorizer(ngram_range=(1, 3), binary=True, min_df=min_respondents)
    try:
        x = counter.fit_transform([docs[i] for i in nonempty])
    except ValueError:
        return ThemeSuggestions(empty_phrases, empty_clusters, len(uncovered_docs))
    y = mask[nonempty]
    in_un = np.asarray(x[y].sum(axis=0)).ravel()
    in_cov = np.asarray(x[~y].sum(axis=0)).ravel()
    scores = chi2(x, y)[0] if (~y).any() else in_un.astype(float)
    share_un = in_un / max(y.sum(), 1)
    share_cov = in_cov / max((~y).sum(), 1)
    keep = (in_un >= min_respondents) & (share_un > share_cov)
    order = [i for i in np.argsort(-np.nan_to_num(scores)) if keep[i]][:top]
    terms = counter.get_feature_names_out()
    phrases = pd.DataFrame(
        {
            "phrase": terms[order],
            "respondents": in_un[order],
            "share_uncovered": np.round(share_un[order], 3),
            "share_covered": np.round(share_cov[order], 3),
        }
    )
    originals = [t for t, m in zip(texts, mask, strict=True) if m]
    return ThemeSuggestions(
        phrases, _clusters(uncovered_docs, originals, clusters, examples), int(mask.sum())
    )


def _clusters(docs: list[str], originals: list[str], k: int, examples: int) -> pd.DataFrame:
    k = max(1, min(k, len(docs) // 3))
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    x = tfidf.fit_transform(docs)
    labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
    terms = tfidf.get_feature_names_out()
    rows = []
    for cluster in range(k):
        members = np.flatnonzero(labels == cluster)
        centroid = np.asarray(x[members].mean(axis=0)).ravel()
        top_terms = ", ".join(terms[np.argsort(-centroid)[:5]])
        quotes = redact_texts([originals[i] for i in members[:examples]]).texts
        rows.append((cluster, len(members), top_terms, " | ".join(quotes)))
    frame = pd.DataFrame(rows, columns=["cluster", "respondents", "top_terms", "examples"])
    return frame.sort_values("respondents", ascending=False, kind="stable")
