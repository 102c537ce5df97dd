"""Coding responses: rules and learned suggestions combined, each with its reason.

A theme is coded when its rules match or the learned model decides so. The score is the model's
calibrated probability, raised to at least ``RULE_CONFIDENCE`` when a rule matched, so a rule
match always ranks as confident; themes with rules but no labelled data score 1.0 or 0.0. So a
theme with a good pattern but few (or no) hand-coded examples is still found by its rule.

Every code says why (the evidence table): for a rule the matched words; for the model its
confidence and the words that pushed its score up most (:mod:`analysis.explain`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.codebook import Codebook
from analysis.corpus import TextCache, process_texts
from analysis.errors import AnalysisError
from analysis.rules import MatchStore, code_processed
from analysis.sources import require_columns, text_column

if TYPE_CHECKING:
    from analysis.learning import ThemeModel

RULE_CONFIDENCE = 0.9
EVIDENCE_COLUMNS = ["id", "theme", "source", "evidence", "score", "words"]
QUEUE_SIZE = 50


@dataclass
class CodingResult:
    codes: pd.DataFrame  # id, one 0/1 column per theme, score:<theme> per theme
    evidence: pd.DataFrame  # id, theme, source (rule/model), evidence or confidence, score
    themes: list[str]
    model: ThemeModel | None = None
    texts: list[str] | None = None  # the coded texts, for the coding queue
    coded: np.ndarray | None = None  # True where a response is in the hand-coded sample
    probabilities: pd.DataFrame | None = None  # the model's, before rules raised them

    def _model_scores(self) -> pd.DataFrame:
        assert self.model is not None
        if self.probabilities is not None:
            return self.probabilities
        scores = self.codes[[f"score:{t}" for t in self.model.themes]]
        scores.columns = self.model.themes
        return scores

    def _batch(self, size: int) -> pd.DataFrame:
        from analysis.learning import next_batch

        if self.model is None or self.texts is None:
            raise AnalysisError("the coding queue needs a labelled sample")
        return next_batch(
            self.model, self.texts, self.coded, size, scores=self._model_scores().to_numpy()
        )

    def next_batch(self, size: int = QUEUE_SIZE) -> pd.DataFrame:
        """The next responses to hand-code (:func:`analysis.learning.next_batch`), with ids:
        columns id, reason, uncertainty, theme."""
        batch = self._batch(size)
        ids = self.codes.iloc[:, 0].to_numpy(dtype=object)
        batch.insert(0, self.codes.columns[0], ids[batch["row"].to_numpy(dtype=int)])
        return batch.drop(columns=["row"])

    def coding_order(self) -> pd.DataFrame:
        """Every response, most worth hand-coding first: the next batch (uncertain, diverse,
        rare-theme discovery), then the rest least certain first. Columns: id, uncertainty,
        reason. Responses already in the hand-coded sample come last."""
        from analysis.learning import uncertainty

        if self.model is None:
            raise AnalysisError("uncertain-first ordering needs a labelled sample")
        id_column = self.codes.columns[0]
        order = self.codes[[id_column]].copy()
        scores = self._model_scores()
        unc = uncertainty(
            scores, self.model.threshold, self.model.at_least_one, self.model.top
        ).to_numpy()
        order["uncertainty"] = np.round(unc, 4)
        rank = len(order) + pd.Series(-unc).rank(method="first").to_numpy()
        reason = np.full(len(order), "uncertain", dtype=object)
        if self.coded is not None:
            rank[self.coded] += len(order)
            reason[self.coded] = "hand-coded"
        if self.texts is not None:
            batch = self._batch(QUEUE_SIZE)
            rows = batch["row"].to_numpy(dtype=int)
            rank[rows] = np.arange(len(rows))
            reason[rows] = batch["reason"].to_numpy()
        order["reason"] = reason
        return order.iloc[np.argsort(rank, kind="stable")]


def learned_suggestions(model: ThemeModel, texts: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``model.suggest(texts)`` (probabilities; row, theme, words, contributions), each distinct
    text featurised, scored and explained once.

    A text's scores and words depend on the text alone, and answers repeat ("No", "Nothing to
    add"; 42% of the scale benchmark's 180,000 texts are repeats): the distinct texts' results
    are copied to every row that has them, in the order ``suggest`` gives (by row, then theme).
    """
    codes, distinct = pd.factorize(np.asarray(texts, dtype=object))
    if len(distinct) == len(texts):
        return model.suggest(texts)
    probs, why = model.suggest(distinct.tolist())
    probs = probs.iloc[codes].reset_index(drop=True)
    why = why.iloc[np.argsort(why["row"].to_numpy(dtype=np.int64), kind="stable")]
    per_text = np.bincount(why["row"].to_numpy(dtype=np.int64), minlength=len(distinct))
    first = np.cumsum(per_text) - per_text  # where each distinct text's rows start in ``why``
    counts = per_text[codes]
    ends = np.cumsum(counts)
    take = np.repeat(first[codes] - (ends - counts), counts) + np.arange(
        int(ends[-1]) if len(ends) else 0
    )
    why = why.iloc[take].reset_index(drop=True)
    why["row"] = np.repeat(np.arange(len(texts)), counts)
    return probs, why


def labelled_themes(labelled: pd.DataFrame, id_column: str, text_column_name: str) -> list[str]:
    """Theme columns of a labelled file: everything but id/text, each must be 0/1."""
    themes = [c for c in labelled.columns if c not in (id_column, text_column_name)]
    if not themes:
        raise AnalysisError("labelled file has no theme columns (one 0/1 column per theme)")
    for theme in themes:
        values = pd.to_numeric(labelled[theme], errors="coerce")
        if values.isna().any() or not values.isin([0, 1]).all():
            raise AnalysisError(f"labelled file: column '{theme}' must contain only 0 and 1")
    return themes


def _code_with_rules(
    texts: list[str],
    ids: list[object],
    codebook: Codebook,
    cache: TextCache | None,
    progress: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rules' codes and evidence rows. A function of its own so the processed texts, the
    text cache and the matches are freed before learning starts (~150 MB at 180,000 texts)."""
    cache = cache or TextCache()
    processed = process_texts(texts, cache, progress=progress)
    cache.save()
    store = MatchStore(cache.directory, processed) if cache.directory else None
    rules = code_processed(processed, codebook, store, progress=progress)
    found = rules.evidence
    evidence = pd.DataFrame(
        {
            "id": np.asarray(ids, dtype=object)[found["row"].to_numpy(dtype=int)],
            "theme": found["theme"],
            "source": "rule",
            "evidence": found["evidence"],
            "score": RULE_CONFIDENCE,
            "words": found["evidence"],
        }
    )
    return rules.codes, evidence


def code_responses(
    responses: pd.DataFrame,
    id_column: str,
    text_column_name: str,
    codebook: Codebook | None = None,
    labelled: pd.DataFrame | None = None,
    cache: TextCache | None = None,
    progress: bool = False,
) -> CodingResult:
    """Code every response with a codebook's rules and/or a model learned from ``labelled``."""
    require_columns(responses, [id_column, text_column_name])
    if codebook is None and labelled is None:
        raise AnalysisError("give a codebook, a labelled sample, or both")
    texts = text_column(responses, text_column_name)
    ids = responses[id_column].tolist()
    themes: list[str] = []
    rule_codes = pd.DataFrame(index=range(len(texts)))
    evidence_parts: list[pd.DataFrame] = []
    if codebook is not None:
        rule_codes, rule_evidence = _code_with_rules(texts, ids, codebook, cache, progress)
        cache = None  # every text's tokens: not needed for learning, so freed before it
        themes += list(rule_codes.columns)
        evidence_parts.append(rule_evidence)
    model = None
    probs = pd.DataFrame(index=range(len(texts)))
    decided = pd.DataFrame(index=range(len(texts)))
    why = pd.DataFrame(columns=["row", "theme", "words"])
    coded = None
    if labelled is not None:
        # scikit-learn and scipy are imported only when there is something to learn from.
        from analysis.learning import fit_theme_model

        require_columns(labelled, [id_column, text_column_name])
        label_themes = labelled_themes(labelled, id_column, text_column_name)
        y = labelled[label_themes].apply(pd.to_numeric).astype(int)
        sample = text_column(labelled, text_column_name)
        # The vocabulary is fitted on every text (unsupervised), then learning uses the sample.
        model = fit_theme_model(sample, y, unlabelled=texts)
        probs, why = learned_suggestions(model, texts)
        decided = pd.DataFrame(model.decide(probs.to_numpy()), columns=label_themes)
        themes += [t for t in label_themes if t not in themes]
        coded = responses[id_column].isin(set(labelled[id_column].tolist())).to_numpy()
    columns: dict[str, object] = {id_column: ids}
    for theme in themes:
        rule = rule_codes[theme].to_numpy() if theme in rule_codes else np.zeros(len(texts))
        if theme in probs:
            prob = probs[theme].to_numpy()
            code = np.maximum(rule, decided[theme].to_numpy())
            score = np.where(rule == 1, np.maximum(prob, RULE_CONFIDENCE), prob)
        else:
            code, score = rule, rule.astype(float)
        # int8 codes and float32 scores: 180,000 x 200 columns of int64/float64 (and the
        # DataFrame's copy of them) were 600 MB of the 1 GB budget.
        columns[theme] = code.astype(np.int8)
        columns[f"score:{theme}"] = np.round(score, 4).astype(np.float32)
    codes = pd.DataFrame(columns)
    if len(why):
        rows = why["row"].to_numpy(dtype=int)
        position = {t: j for j, t in enumerate(probs.columns)}
        cols = np.array([position[t] for t in why["theme"]], dtype=int)
        conf = probs.to_numpy()[rows, cols]
        evidence_parts.append(
            pd.DataFrame(
                {
                    "id": np.asarray(ids, dtype=object)[rows],
                    "theme": why["theme"].to_numpy(),
                    "source": "model",
                    "evidence": [f"confidence {c:.2f}" for c in conf.tolist()],
                    "score": np.round(conf, 4),
                    "words": why["words"].to_numpy(),
                }
            )
        )
    evidence_parts.append(pd.DataFrame(columns=EVIDENCE_COLUMNS))
    evidence = pd.concat([p for p in evidence_parts if len(p)] or evidence_parts[-1:])
    evidence = evidence[EVIDENCE_COLUMNS].reset_index(drop=True)
    return CodingResult(
        codes,
        evidence,
        themes,
        model,
        texts=list(texts) if model is not None else None,
        coded=coded,
        probabilities=probs if model is not None else None,
    )
