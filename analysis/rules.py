"""Rule coding: spaCy PhraseMatcher (lower case and lemmas) and Matcher over cached tokens.

Multi-label: a response gets every theme whose patterns match, with the earliest matched span
kept as evidence. A parent theme is coded when any of its sub-themes is.

Matches are computed and cached per pattern (one keyword, phrase, lemma or token pattern), so
after a codebook edit only new patterns are matched: adding "nurse" to a theme looks only at
responses containing "nurse".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from spacy.attrs import LEMMA
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab
from tqdm import tqdm

from analysis.codebook import Codebook, Theme
from analysis.corpus import Processed, process_texts
from analysis.nlp import build_pipeline, stop_words


@dataclass
class RuleCoding:
    codes: pd.DataFrame  # one 0/1 column per theme, rows aligned with the input
    evidence: pd.DataFrame  # row, theme, evidence (matched span), start_token, end_token


@dataclass(frozen=True)
class Pattern:
    kind: str  # "lower", "lemma" or "tokens"
    value: str  # the term, or a token pattern as JSON

    @property
    def key(self) -> str:
        text = f"{self.kind}\0{self.value}".encode()
        return hashlib.blake2b(text, digest_size=12).hexdigest()


def theme_patterns(theme: Theme) -> list[Pattern]:
    # Keywords match their inflections too ("officer" finds "officers").
    lower = [Pattern("lower", t) for t in theme.keywords + theme.phrases if t.strip()]
    lemma = [Pattern("lemma", t) for t in theme.lemmas + theme.keywords if t.strip()]
    tokens = [Pattern("tokens", json.dumps(p, sort_keys=True)) for p in theme.token_patterns]
    return lower + lemma + tokens


def _pattern_doc(vocab: Vocab, processed: Processed, hashes: dict[str, int] | None = None) -> Doc:
    # Explicit spaces and lemmas set through from_array make this ~5x quicker than
    # Doc(words=..., lemmas=...); the memo of lemma hashes saves a StringStore call per token.
    # The texts are split here, not through Processed.lower/.lemma, which keep their tuples:
    # kept for 180,000 responses they were ~450 MB of a first (cold) run's peak.
    words = processed.lower_text.split()
    doc = Doc(vocab, words=words, spaces=[True] * len(words))
    if words:
        memo = {} if hashes is None else hashes
        lemma = processed.lemma_text.split()
        ids = [memo.get(w) or memo.setdefault(w, vocab.strings.add(w)) for w in lemma]
        lemmas = np.array(ids, dtype=np.uint64).reshape(-1, 1)
        doc.from_array([LEMMA], lemmas)  # type: ignore[arg-type]  # uint64 hashes, as spaCy's
    return doc


@dataclass
class Matches:
    """First match of one pattern in each matching response, as columns."""

    rows: np.ndarray  # int32 response positions
    starts: np.ndarray  # int32 token offsets
    ends: np.ndarray
    labels: np.ndarray  # distinct evidence strings
    codes: np.ndarray  # int32 index into labels, one per match

    @classmethod
    def from_tuples(cls, found: list[tuple[int, str, int, int]]) -> Matches:
        labels: dict[str, int] = {}
        codes = [labels.setdefault(text, len(labels)) for _, text, _, _ in found]
        return cls(
            np.array([f[0] for f in found], dtype=np.int32),
            np.array([f[2] for f in found], dtype=np.int32),
            np.array([f[3] for f in found], dtype=np.int32),
            np.array(list(labels), dtype=str),
            np.array(codes, dtype=np.int32),
        )


class PatternMatcher:
    """Compiled spaCy matchers for a set of patterns; match ids are the pattern keys."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        # The pipeline's vocab knows how to compute LOWER; a bare Vocab() leaves it unset.
        self.vocab = build_pipeline("fast").nlp.vocab
        self.keys = [p.key for p in patterns]
        self.matchers = {
            "lower": PhraseMatcher(self.vocab, attr="LOWER"),
            "lemma": PhraseMatcher(self.vocab, attr="LEMMA"),
        }
        self.tokens = Matcher(self.vocab)
        self.required: dict[str, set[str]] = {"lower": set(), "lemma": set()}
        self.has_tokens = False
        self.hashes: dict[str, int] = {}
        stops = stop_words()
        for pattern in patterns:
            if pattern.kind == "tokens":
                self.tokens.add(pattern.key, [json.loads(pattern.value)])
                self.has_tokens = True
                continue
            doc = _pattern_doc(self.vocab, process_texts([pattern.value])[0])
            if len(doc):
                self.matchers[pattern.kind].add(pattern.key, [doc])
                tokens = [t.lower_ if pattern.kind == "lower" else t.lemma_ for t in doc]
                # Every token of a phrase must occur for it to match, so the least common-looking
                # one (not a stop word, longest) makes the sharpest filter: "nurse" in "the nurse".
                self.required[pattern.kind].add(max(tokens, key=lambda t: (t not in stops, len(t))))
        self.few_required = len(self.required["lower"]) + len(self.required["lemma"]) <= 20

    def _could_match(self, item: Processed) -> bool:
        # Building a Doc is the costly step; most responses lack the filter token of every pattern.
        if self.has_tokens:
            return True
        # After a small edit a substring test on the joined text spares splitting every text.
        if self.few_required and not self._substring_hit(item):
            return False
        lower, lemma = self.required["lower"], self.required["lemma"]
        return not lower.isdisjoint(item.lower_text.split()) or not lemma.isdisjoint(
            item.lemma_text.split()
        )

    def _substring_hit(self, item: Processed) -> bool:
        return any(w in item.lower_text for w in self.required["lower"]) or any(
            w in item.lemma_text for w in self.required["lemma"]
        )

    def match(self, processed: Sequence[Processed], progress: bool = False) -> dict[str, Matches]:
        found: dict[str, list[tuple[int, str, int, int]]] = {key: [] for key in self.keys}
        active = [m for m in self.matchers.values() if len(m)]
        for row, item in enumerate(tqdm(processed, disable=not progress, desc="rules")):
            if not item.lower_text or not self._could_match(item):
                continue
            doc = _pattern_doc(self.vocab, item, self.hashes)
            words = item.lower_text.split()
            matches = [m for matcher in active for m in matcher(doc)]
            if self.has_tokens:
                matches += self.tokens(doc)
            seen: set[str] = set()
            for match_id, start, end in sorted(matches, key=lambda m: m[1]):
                key = self.vocab.strings[match_id]
                if key not in seen:
                    seen.add(key)
                    found[key].append((row, " ".join(words[start:end]), start, end))
        return {key: Matches.from_tuples(items) for key, items in found.items()}


class MatchStore:
    """Pattern matches cached per corpus in one ``.npz`` of plain arrays (no pickle).

    All patterns share five concatenated arrays plus offsets: a few large arrays load far
    quicker than thousands of small ones.
    """

    def __init__(self, directory: Path, processed: Sequence[Processed]) -> None:
        digest = hashlib.blake2b(digest_size=12)
        for item in processed:
            digest.update(item.lower_text.encode())
            digest.update(b"\n")
        self.path = directory / "rule-matches" / f"{digest.hexdigest()}.npz"
        self.entries: dict[str, Matches] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                self.entries = self._unpack({name: data[name] for name in data.files})

    @staticmethod
    def _unpack(data: dict[str, np.ndarray]) -> dict[str, Matches]:
        entries = {}
        offsets, label_offsets = data["offsets"], data["label_offsets"]
        for i, key in enumerate(data["keys"].tolist()):
            span = slice(offsets[i], offsets[i + 1])
            labels = data["labels"][label_offsets[i] : label_offsets[i + 1]]
            entries[key] = Matches(
                data["rows"][span],
                data["starts"][span],
                data["ends"][span],
                labels,
                data["codes"][span],
            )
        return entries

    def save(self, matches: dict[str, Matches]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.entries = dict(matches)
        found = list(matches.values())
        sizes = [len(m.rows) for m in found]
        label_sizes = [len(m.labels) for m in found]

        def joined(field: str, dtype: type) -> np.ndarray:
            parts = [getattr(m, field) for m in found]
            return np.concatenate(parts).astype(dtype) if parts else np.array([], dtype=dtype)

        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            keys=np.array(list(matches), dtype=str),
            offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            label_offsets=np.concatenate([[0], np.cumsum(label_sizes)]).astype(np.int64),
            rows=joined("rows", np.int32),
            starts=joined("starts", np.int32),
            ends=joined("ends", np.int32),
            codes=joined("codes", np.int32),
            labels=joined("labels", str),
        )
        tmp.replace(self.path)


def _earliest_per_row(parts: list[Matches]) -> pd.DataFrame:
    columns = ["row", "evidence", "start_token", "end_token"]
    parts = [p for p in parts if len(p.rows)]
    if not parts:
        return pd.DataFrame(columns=columns)
    rows = np.concatenate([p.rows for p in parts])
    starts = np.concatenate([p.starts for p in parts])
    ends = np.concatenate([p.ends for p in parts])
    evidence = np.concatenate([p.labels[p.codes].astype(object) for p in parts])
    order = np.lexsort((-ends, starts, rows))
    sorted_rows = rows[order]
    first = order[np.r_[True, sorted_rows[1:] != sorted_rows[:-1]]]
    return pd.DataFrame(
        {
            "row": rows[first],
            "evidence": evidence[first],
            "start_token": starts[first],
            "end_token": ends[first],
        }
    )


def code_processed(
    processed: Sequence[Processed],
    codebook: Codebook,
    store: MatchStore | None = None,
    progress: bool = False,
) -> RuleCoding:
    """Code processed texts; with a store, only patterns not seen before are matched."""
    patterns = codebook_patterns(codebook)
    cached = store.entries if store is not None else {}
    matches = {key: cached[key] for key in patterns if key in cached}
    todo = [p for key, p in patterns.items() if key not in matches]
    if todo:
        matches.update(PatternMatcher(todo).match(processed, progress))
        if store is not None:
            store.save(matches)
    return codes_from_matches(len(processed), codebook, matches)


def codebook_patterns(codebook: Codebook) -> dict[str, Pattern]:
    """Every pattern of the codebook's themes, by key."""
    return {p.key: p for theme, _ in codebook.walk() for p in theme_patterns(theme)}


def codes_from_matches(n_rows: int, codebook: Codebook, matches: dict[str, Matches]) -> RuleCoding:
    """Theme codes and evidence of ``n_rows`` texts from their matches (every pattern's key).

    Apart from :func:`code_processed`, so a caller coding a large corpus a chunk at a time can
    compile one :class:`PatternMatcher` and match each chunk with it.
    """
    per_theme = {theme.name: theme_patterns(theme) for theme, _ in codebook.walk()}
    themes = codebook.theme_names()
    index = {name: i for i, name in enumerate(themes)}
    parents = codebook.parents()
    matrix = np.zeros((n_rows, len(themes)), dtype=np.int8)
    parts = []
    for theme in themes:
        found = _earliest_per_row([matches[p.key] for p in per_theme[theme]])
        rows = found["row"].to_numpy(dtype=np.int64)
        target: str | None = theme
        while target is not None:
            matrix[rows, index[target]] = 1
            target = parents.get(target)
        parts.append(found.assign(theme=theme))
    evidence = pd.concat(parts, ignore_index=True)
    evidence = evidence[["row", "theme", "evidence", "start_token", "end_token"]]
    return RuleCoding(pd.DataFrame(matrix, columns=themes), evidence)


def code_with_rules(
    texts: Sequence[str], codebook: Codebook, processed: Sequence[Processed] | None = None
) -> RuleCoding:
    """Code texts against a codebook's patterns (processing them if not given)."""
    processed = processed if processed is not None else process_texts(texts)
    return code_processed(processed, codebook)
