"""Rule coding: spaCy PhraseMatcher (lower case and lemmas) and Matcher over cached tokens.

Multi-label: a response gets every theme whose patterns match, with the matched span kept as
evidence. A parent theme is coded when any of its sub-themes is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy
import numpy as np
import pandas as pd
from spacy.attrs import LEMMA
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab
from tqdm import tqdm

from analysis.codebook import Codebook, Theme
from analysis.corpus import Processed, process_texts
from analysis.nlp import build_pipeline


@dataclass
class RuleCoding:
    codes: pd.DataFrame  # one 0/1 column per theme, rows aligned with the input
    evidence: pd.DataFrame  # row, theme, evidence (matched span), start_token, end_token


def _pattern_doc(vocab: Vocab, processed: Processed) -> Doc:
    # Explicit spaces and lemmas set through from_array make this ~5x quicker than
    # Doc(words=..., lemmas=...), which dominated re-coding time on large surveys.
    words = list(processed.lower)
    doc = Doc(vocab, words=words, spaces=[True] * len(words))
    if words:
        lemmas = numpy.fromiter(
            (vocab.strings.add(lemma) for lemma in processed.lemma), dtype=numpy.uint64
        )
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]  # uint64 hashes, as spaCy stores them
    return doc


@dataclass
class ThemeMatches:
    """First matched span of one theme in each matching response, as columns."""

    rows: np.ndarray  # int32 response positions
    starts: np.ndarray  # int32 token offsets
    ends: np.ndarray
    labels: np.ndarray  # distinct evidence strings
    codes: np.ndarray  # int32 index into labels, one per match

    @classmethod
    def from_tuples(cls, found: list[tuple[int, str, int, int]]) -> ThemeMatches:
        labels: dict[str, int] = {}
        codes = [labels.setdefault(text, len(labels)) for _, text, _, _ in found]
        return cls(
            np.array([f[0] for f in found], dtype=np.int32),
            np.array([f[2] for f in found], dtype=np.int32),
            np.array([f[3] for f in found], dtype=np.int32),
            np.array(list(labels), dtype=str),
            np.array(codes, dtype=np.int32),
        )


def theme_key(theme: Theme) -> str:
    """Hash of a theme's patterns: unchanged patterns mean unchanged matches."""
    payload = [theme.keywords, theme.phrases, theme.lemmas, theme.token_patterns]
    return hashlib.blake2b(json.dumps(payload).encode(), digest_size=12).hexdigest()


class RuleMatcher:
    """Compiled matchers for some or all themes of a codebook; cheap to rebuild after an edit."""

    def __init__(self, codebook: Codebook, only: set[str] | None = None) -> None:
        # The pipeline's vocab knows how to compute LOWER; a bare Vocab() leaves it unset.
        self.vocab = build_pipeline("fast").nlp.vocab
        self.lower = PhraseMatcher(self.vocab, attr="LOWER")
        self.lemma = PhraseMatcher(self.vocab, attr="LEMMA")
        self.tokens = Matcher(self.vocab)
        self.first_lower: set[str] = set()
        self.first_lemma: set[str] = set()
        self.has_token_patterns = False
        self.themes = [t.name for t, _ in codebook.walk() if only is None or t.name in only]
        for theme, _ in codebook.walk():
            if only is not None and theme.name not in only:
                continue
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
        # Building a Doc is the costly step; most responses share no first token with a pattern.
        if self.has_token_patterns:
            return True
        return not self.first_lower.isdisjoint(item.lower) or not self.first_lemma.isdisjoint(
            item.lemma
        )

    def match(
        self, processed: Sequence[Processed], progress: bool = False
    ) -> dict[str, ThemeMatches]:
        """Direct matches per theme: the first matched span of each theme in each response."""
        found: dict[str, list[tuple[int, str, int, int]]] = {name: [] for name in self.themes}
        for row, item in enumerate(tqdm(processed, disable=not progress, desc="rules")):
            if not item.lower or not self._could_match(item):
                continue
            doc = _pattern_doc(self.vocab, item)
            matches = [*self.lower(doc), *self.lemma(doc)]
            if self.has_token_patterns:
                matches += self.tokens(doc)
            seen: set[str] = set()
            for match_id, start, end in sorted(matches, key=lambda m: m[1]):
                theme = self.vocab.strings[match_id]
                if theme not in seen:
                    seen.add(theme)
                    found[theme].append((row, " ".join(item.lower[start:end]), start, end))
        return {name: ThemeMatches.from_tuples(items) for name, items in found.items()}


class MatchStore:
    """Rule matches cached per (corpus, theme patterns), so an edit re-matches edited themes only.

    Stored as one ``.npz`` of plain arrays per corpus (no pickle), which loads in well under a
    second even with millions of matches.
    """

    FIELDS = ("rows", "starts", "ends", "labels", "codes")

    def __init__(self, directory: Path, processed: Sequence[Processed]) -> None:
        digest = hashlib.blake2b(digest_size=12)
        for item in processed:
            digest.update(" ".join(item.lower).encode())
            digest.update(b"\n")
        self.path = directory / "rule-matches" / f"{digest.hexdigest()}.npz"
        self.entries: dict[str, ThemeMatches] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                keys = {name.split("/")[0] for name in data.files}
                self.entries = {
                    key: ThemeMatches(*(data[f"{key}/{f}"] for f in self.FIELDS)) for key in keys
                }

    def get(self, key: str) -> ThemeMatches | None:
        return self.entries.get(key)

    def save(self, matches: dict[str, ThemeMatches]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.entries = dict(matches)
        arrays = {
            f"{key}/{field}": getattr(found, field)
            for key, found in matches.items()
            for field in self.FIELDS
        }
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(self.path)


def code_processed(
    processed: Sequence[Processed],
    codebook: Codebook,
    store: MatchStore | None = None,
    progress: bool = False,
) -> RuleCoding:
    """Code processed texts; with a store, only themes whose patterns changed are matched."""
    keys = {theme.name: theme_key(theme) for theme, _ in codebook.walk()}
    matches: dict[str, ThemeMatches] = {}
    if store is not None:
        for theme_name, key in keys.items():
            cached = store.get(key)
            if cached is not None:
                matches[theme_name] = cached
    todo = {name for name in keys if name not in matches}
    if todo:
        matches.update(RuleMatcher(codebook, todo).match(processed, progress))
        if store is not None:
            store.save({keys[name]: found for name, found in matches.items()})
    themes = codebook.theme_names()
    index = {name: i for i, name in enumerate(themes)}
    parents = codebook.parents()
    matrix = np.zeros((len(processed), len(themes)), dtype=np.int8)
    parts = []
    for theme in themes:
        found = matches[theme]
        target: str | None = theme
        while target is not None:
            matrix[found.rows, index[target]] = 1
            target = parents.get(target)
        parts.append(
            pd.DataFrame(
                {
                    "row": found.rows,
                    "theme": theme,
                    "evidence": found.labels[found.codes] if len(found.codes) else [],
                    "start_token": found.starts,
                    "end_token": found.ends,
                }
            )
        )
    evidence = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return RuleCoding(pd.DataFrame(matrix, columns=themes), evidence)


def code_with_rules(
    texts: Sequence[str], codebook: Codebook, processed: Sequence[Processed] | None = None
) -> RuleCoding:
    """Code texts against a codebook's patterns (processing them if not given)."""
    processed = processed if processed is not None else process_texts(texts)
    return code_processed(processed, codebook)
