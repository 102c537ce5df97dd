"""spaCy components of the project, registered under the ``consult_`` prefix.

Patterns live in ``analysis/patterns/`` as data so they can be reviewed and extended without
touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

PATTERNS_DIR = Path(__file__).parent / "patterns"
PII_SPANS_KEY = "consult_pii"


@dataclass(frozen=True)
class RegexPattern:
    type: str
    regex: re.Pattern[str]
    group: str | None


@cache
def load_regex_patterns(path: str) -> tuple[RegexPattern, ...]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(
        RegexPattern(item["type"], re.compile(item["regex"]), item.get("group", "pii"))
        for item in raw
    )


@cache
def _not_names() -> frozenset[str]:
    lines = (PATTERNS_DIR / "not_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def uk_places() -> frozenset[str]:
    """Lower-case UK place names that NER PERSON hits are checked against (not cue matches)."""
    lines = (PATTERNS_DIR / "uk_places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_titlecase_name(token: Token) -> bool:
    text = token.text
    return (
        len(text) > 1
        and text.isalpha()
        and text[0].isupper()
        and text[1:].islower()
        and not token.is_stop
        and token.lower_ not in _not_names()
    )


if not Token.has_extension("consult_titlecase_name"):
    Token.set_extension("consult_titlecase_name", getter=_is_titlecase_name)


def _add_spans(doc: Doc, spans: list[Span]) -> None:
    existing = list(doc.spans[PII_SPANS_KEY]) if PII_SPANS_KEY in doc.spans else []
    doc.spans[PII_SPANS_KEY] = existing + spans


class PiiRegexFinder:
    """Marks emails, phones, postcodes, addresses, NI/NHS numbers, dates of birth and URLs."""

    def __init__(self, patterns_path: str) -> None:
        self.patterns = load_regex_patterns(patterns_path)

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for pattern in self.patterns:
            for match in pattern.regex.finditer(doc.text):
                group = pattern.group
                if group is not None and group in match.re.groupindex:
                    start, end = match.span(group)
                else:
                    start, end = match.span()
                span = doc.char_span(start, end, label=pattern.type, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        _add_spans(doc, spans)
        return doc


class NameCueFinder:
    """Names introduced by a cue such as "my ex, Darren" or "my husband John"."""

    def __init__(self, nlp: Language, patterns_path: str) -> None:
        self.matcher = Matcher(nlp.vocab)
        for line in Path(patterns_path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry: dict[str, Any] = json.loads(line)
                self.matcher.add(entry["label"], [entry["pattern"]], greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for _match_id, start, end in self.matcher(doc):
            name_start = end
            while name_start > start and doc[name_start - 1]._.consult_titlecase_name:
                name_start -= 1
            if name_start < end:
                spans.append(Span(doc, name_start, end, label="NAME"))
        _add_spans(doc, spans)
        return doc


@Language.factory(
    "consult_pii_regex",
    default_config={"patterns_path": str(PATTERNS_DIR / "redaction.yaml")},
)
def make_pii_regex(nlp: Language, name: str, patterns_path: str) -> PiiRegexFinder:
    return PiiRegexFinder(patterns_path)


@Language.factory(
    "consult_name_cues",
    default_config={"patterns_path": str(PATTERNS_DIR / "name_cues.jsonl")},
)
def make_name_cues(nlp: Language, name: str, patterns_path: str) -> NameCueFinder:
    return NameCueFinder(nlp, patterns_path)


class LowerCaseLemmas:
    """Lower-case lemmas, looking up the lower-case form when the cased one was unknown.

    The lookup lemmatizer matches exact text, so "Schools" would stay "Schools"; coding and word
    clouds compare lower case, so "schools" -> "school" is the lemma wanted.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.table: Any = None

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            self.table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
        for token in doc:
            lemma = token.lemma_
            if lemma == token.text and not lemma.islower():
                lemma = self.table.get(token.lower_, token.lower_)
            token.lemma_ = lemma.lower()
        return doc


@Language.factory("consult_lowercase_lemmas")
def make_lowercase_lemmas(nlp: Language, name: str) -> LowerCaseLemmas:
    return LowerCaseLemmas(nlp)
