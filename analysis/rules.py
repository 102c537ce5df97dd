"""Rule coding: spaCy PhraseMatcher (lower case and lemmas) and Matcher over cached tokens.

Multi-label: a response gets every theme whose patterns match, with the matched span kept as
evidence. A parent theme is coded when any of its sub-themes is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab
from tqdm import tqdm

from analysis.codebook import Codebook
from analysis.corpus import Processed, process_texts
from analysis.nlp import build_pipeline


@dataclass
class RuleCoding:
    codes: pd.DataFrame  # one 0/1 column per theme, rows aligned with the input
    evidence: pd.DataFrame  # row, theme, evidence (matched span), start_token, end_token


def _pattern_doc(vocab: Vocab, processed: Processed) -> Doc:
    return Doc(vocab, words=list(processed.lower), lemmas=list(processed.lemma))


class RuleMatcher:
    """Compiled matchers for a codebook; cheap to rebuild after an edit."""

    def __init__(self, codebook: Codebook) -> None:
        # The pipeline's vocab knows how to compute LOWER; a bare Vocab() leaves it unset.
        self.vocab = build_pipeline("fast").nlp.vocab
        self.themes = codebook.theme_names()
        self.parents = codebook.parents()
        self.lower = PhraseMatcher(self.vocab, attr="LOWER")
        self.lemma = PhraseMatcher(self.vocab, attr="LEMMA")
        self.tokens = Matcher(self.vocab)
        self.first_lower: set[str] = set()
        self.first_lemma: set[str] = set()
        self.has_token_patterns = False
        for theme, _ in codebook.walk():
            lower_terms = [t for t in theme.keywords + theme.phrases if t.strip()]
            # Keywords match their inflections too ("officer" finds "officers").
            lemma_terms = [t for t in theme.lemmas + theme.keywords if t.strip()]
            lower_docs = [_pattern_doc(self.vocab, p) for p in process_texts(lower_terms)]
            lemma_docs = [_pattern_doc(self.vocab, p) for p in process_texts(lemma_terms)]
            if lower_docs:
                self.lower.add(theme.name, lower_docs)
                self.first_lower.update(d[0].lower_ for d in lower_docs if len(d))
            if lemma_docs:
                self.lemma.add(theme.name, lemma_docs)
                self.first_lemma.update(d[0].lemma_ for d in lemma_docs if len(d))
            if theme.token_patterns:
                self.tokens.add(theme.name, theme.token_patterns)
                self.has_token_patterns = True

    def _could_match(self, item: Processed) -> bool:
        # Building a Doc costs ~40 µs; most responses share no first token with any pattern.
        if self.has_token_patterns:
            return True
        return not self.first_lower.isdisjoint(item.lower) or not self.first_lemma.isdisjoint(
            item.lemma
        )

    def code(self, processed: Sequence[Processed], progress: bool = False) -> RuleCoding:
        index = {name: i for i, name in enumerate(self.themes)}
        matrix = np.zeros((len(processed), len(self.themes)), dtype=np.int8)
        evidence: list[tuple[int, str, str, int, int]] = []
        for row, item in enumerate(tqdm(processed, disable=not progress, desc="rules")):
            if not item.lower or not self._could_match(item):
                continue
            doc = _pattern_doc(self.vocab, item)
            seen: set[str] = set()
            matches = [*self.lower(doc), *self.lemma(doc)]
            if self.has_token_patterns:
                matches += self.tokens(doc)
            for match_id, start, end in sorted(matches, key=lambda m: m[1]):
                theme = self.vocab.strings[match_id]
                if theme in seen:
                    continue
                seen.add(theme)
                matrix[row, index[theme]] = 1
                evidence.append((row, theme, doc[start:end].text, start, end))
                parent = self.parents.get(theme)
                while parent is not None:
                    matrix[row, index[parent]] = 1
                    parent = self.parents.get(parent)
        codes = pd.DataFrame(matrix, columns=self.themes)
        columns = ["row", "theme", "evidence", "start_token", "end_token"]
        return RuleCoding(codes, pd.DataFrame(evidence, columns=columns))


def code_with_rules(
    texts: Sequence[str], codebook: Codebook, processed: Sequence[Processed] | None = None
) -> RuleCoding:
    """Code texts against a codebook's patterns (processing them if not given)."""
    processed = processed if processed is not None else process_texts(texts)
    return RuleMatcher(codebook).code(processed)
