"""Coding one question's answers a chunk at a time, so the job's memory is bounded by a chunk
of processed text, not by every answer at once.

The learned model's part (probabilities, decisions, the words behind each learned suggestion)
is computed for all answers first, because the queue's order needs every probability
(:mod:`research.coding.ranking`); it is a few numbers per answer. The rules' part (spaCy
tokens and lemmas, then the codebook's patterns) is the heavy one: each chunk is processed,
matched with one compiled matcher, turned into suggestion rows and dropped.

A suggestion's themes, best first: ``{"theme", "score", "source": "rule"|"model", "why",
"words"}``. For a rule, ``why`` is the matched words; for the model, its confidence, and
``words`` the words that pushed the score up most (:mod:`analysis.explain`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.codebook import Codebook
from analysis.coding import RULE_CONFIDENCE
from analysis.corpus import process_texts
from analysis.learning import ThemeModel
from analysis.rules import PatternMatcher, codebook_patterns, codes_from_matches
from research.coding.ranking import queue_ranks, rule_uncertainty

# Answers processed at a time: spaCy's tokens of 5,000 answers are a few tens of MB.
CHUNK = 5_000


@dataclass
class Learned:
    """The model's view of every answer, before rules raise anything."""

    model: ThemeModel
    probabilities: np.ndarray  # answers x model themes
    decided: np.ndarray  # answers x model themes, 0/1
    explanations: pd.DataFrame  # row, theme, words ("a; b; c"), sorted by row

    @classmethod
    def of(cls, model: ThemeModel, texts: Sequence[str]) -> Learned:
        probabilities, why = model.suggest(texts)
        values = probabilities.to_numpy(dtype=np.float64)
        why = why.sort_values("row", kind="stable").reset_index(drop=True)
        return cls(model, values, model.decide(values), why)

    def words(self, start: int, stop: int) -> dict[tuple[int, str], list[str]]:
        """(row, theme) -> top words, for rows start..stop-1."""
        rows = self.explanations["row"].to_numpy(dtype=np.int64)
        lo, hi = np.searchsorted(rows, [start, stop])
        part = self.explanations.iloc[lo:hi]
        return {
            (int(r), str(t)): [w for w in str(words).split("; ") if w]
            for r, t, words in zip(part["row"], part["theme"], part["words"], strict=True)
        }


class ChunkCoder:
    """Rules compiled once for the whole run; each chunk's answers coded into suggestion rows."""

    def __init__(self, book: Codebook, learned: Learned | None) -> None:
        self.book = book
        self.learned = learned
        self.rule_themes = book.theme_names()
        self.matcher = PatternMatcher(list(codebook_patterns(book).values()))
        model_themes = learned.model.themes if learned else []
        self.model_index = {t: j for j, t in enumerate(model_themes)}
        self.themes = self.rule_themes + [t for t in model_themes if t not in self.rule_themes]

    def scores(
        self, texts: list[str], start: int
    ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray]:
        """Codes (0/1) and scores for one chunk (columns ``self.themes``), the rules' evidence
        and their codes (columns ``self.rule_themes``)."""
        processed = process_texts(texts)
        rules = codes_from_matches(len(texts), self.book, self.matcher.match(processed))
        n, width = len(texts), len(self.themes)
        codes = np.zeros((n, width), dtype=np.int8)
        scores = np.zeros((n, width), dtype=np.float64)
        rule = rules.codes.to_numpy(dtype=np.int8)
        codes[:, : rule.shape[1]] = rule
        scores[:, : rule.shape[1]] = rule
        if self.learned is not None:
            probs = self.learned.probabilities[start : start + n]
            decided = self.learned.decided[start : start + n]
            for theme, j in self.model_index.items():
                k = self.themes.index(theme)
                matched = codes[:, k] == 1
                codes[:, k] = np.maximum(codes[:, k], decided[:, j])
                scores[:, k] = np.where(
                    matched, np.maximum(probs[:, j], RULE_CONFIDENCE), probs[:, j]
                )
        return codes, np.round(scores, 3), rules.evidence, rule

    def rows(
        self,
        ids: Sequence[str],
        texts: list[str],
        start: int,
        unc: np.ndarray | None,
        ranks: np.ndarray | None,
    ) -> list[dict[str, Any]]:
        """Suggestion rows for answers ``start`` .. ``start + len(texts) - 1``. Without ``unc``
        (no model) uncertainty comes from the rules alone; without ``ranks`` the queue rank is
        left at 0 for the caller to fill in (:func:`assign_ranks`)."""
        codes, scores, evidence, rule = self.scores(texts, start)
        matched: dict[tuple[int, str], str] = {}
        for r, t, e in zip(evidence["row"], evidence["theme"], evidence["evidence"], strict=True):
            matched[(int(r), str(t))] = str(e)
            # A parent theme is coded through its sub-theme's match: that is its evidence too.
            matched.setdefault((int(r), ""), str(e))
        learned = self.learned.words(start, start + len(texts)) if self.learned else {}
        out = []
        hit_rows, hit_cols = np.nonzero(codes)
        bounds = np.searchsorted(hit_rows, np.arange(len(texts) + 1))
        for i, response_id in enumerate(ids):
            themes = []
            for k in hit_cols[bounds[i] : bounds[i + 1]].tolist():
                theme = self.themes[k]
                score = float(scores[i, k])
                why = matched.get((i, theme))
                if why is None and k < rule.shape[1] and rule[i, k]:
                    why = matched.get((i, ""), "")
                if why is not None:
                    themes.append({"theme": theme, "score": score, "source": "rule", "why": why})
                else:
                    themes.append(
                        {
                            "theme": theme,
                            "score": score,
                            "source": "model",
                            "why": f"confidence {score:.2f}",
                            "words": learned.get((start + i, theme), []),
                        }
                    )
            themes.sort(key=lambda t: -float(t["score"]))
            out.append(
                {
                    "response_id": uuid.UUID(response_id),
                    "themes": themes,
                    "labels": "|" + "".join(f"{t['theme']}|" for t in themes),
                    "uncertainty": (
                        round(float(unc[start + i]), 4)
                        if unc is not None
                        else float(rule_uncertainty(np.array(bool(themes))))
                    ),
                    "queue_rank": int(ranks[start + i]) if ranks is not None else 0,
                    "received_rank": start + i,
                }
            )
        return out


def assign_ranks(chunks: list[list[dict[str, Any]]], coded: np.ndarray) -> None:
    """Fill in the queue ranks of rows coded without them, from their uncertainty."""
    unc = np.array([row["uncertainty"] for part in chunks for row in part], dtype=float)
    ranks = iter(queue_ranks(unc, coded).tolist())
    for part in chunks:
        for row in part:
            row["queue_rank"] = next(ranks)
