"""spaCy components of the project, registered under the ``consult_`` prefix.

Patterns live in ``analysis/patterns/`` as data so they can be reviewed and extended without
touching code:

* ``redaction.yaml``: regular expressions per personal-data type (``consult_pii_regex``);
* ``first_names.txt``, ``name_words.txt``, ``surnames.txt``, ``surname_words.txt``,
  ``common_words.txt``, ``places.txt``: generated once by ``tools/make_name_lists.py`` (sources
  and licences there), ``names_supplement.txt`` and ``not_names.txt`` hand-written; with
  ``name_context.yaml`` (cue words) they drive ``consult_names``;
* ``vawg_services.txt``: services, roles and acronyms that are never redacted;
* ``uk_places.txt``: the consultation's own area (never taken for a person by NER).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from spacy.attrs import SPACY
from spacy.lang.en import English
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

PATTERNS_DIR = Path(__file__).parent / "patterns"
PII_SPANS_KEY = "consult_pii"
PROTECTED_SPANS_KEY = "consult_protected"
UNSURE_SPANS_KEY = "consult_unsure"


# --- Word lists ----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents, curly apostrophes made straight: "Siobhán" -> "siobhan"."""
    text = text.replace("’", "'").lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _lines(filename: str) -> list[str]:
    path = PATTERNS_DIR / filename
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def word_set(filename: str) -> frozenset[str]:
    """A one-entry-a-line list from ``patterns/``, folded."""
    return frozenset(fold(line) for line in _lines(filename))


@cache
def uk_places() -> frozenset[str]:
    """Lower-case place names of the consultation's area (``patterns/uk_places.txt``)."""
    return frozenset(line.lower() for line in _lines("uk_places.txt"))


@cache
def name_words() -> dict[str, float]:
    """Names that are also words, with the log probability of the lower-case word."""
    words = {}
    for line in _lines("name_words.txt"):
        word, _, logprob = line.partition("\t")
        words[fold(word)] = float(logprob or -30.0)
    return words


@cache
def name_context() -> dict[str, frozenset[str]]:
    raw = yaml.safe_load((PATTERNS_DIR / "name_context.yaml").read_text(encoding="utf-8"))
    return {key: frozenset(fold(str(v)) for v in values) for key, values in raw.items()}


@cache
def service_phrases() -> tuple[str, ...]:
    """Published VAWG services, roles and acronyms (``patterns/vawg_services.txt``)."""
    return tuple(_lines("vawg_services.txt"))


@cache
def place_phrases() -> tuple[str, ...]:
    """UK places, countries and large cities (``places.txt``) and the area (``uk_places.txt``)."""
    return tuple(sorted(set(_lines("places.txt")) | set(_lines("uk_places.txt"))))


@cache
def _phrase_tokenizer() -> Any:
    return English().tokenizer


class _Matchers:
    """A case-insensitive phrase matcher and, optionally, a case-sensitive one, called as one."""

    def __init__(self, *matchers: PhraseMatcher) -> None:
        self.matchers = matchers

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        return [m for matcher in self.matchers for m in matcher(doc)]


def phrase_matcher(vocab: Any, phrases: Iterable[str], exact: Iterable[str] = ()) -> Any:
    """Whole-word matcher ignoring case ("'s" and "’s" the same), plus ``exact`` phrases
    matched only as written. Called on a doc, it gives (id, start, end) matches."""
    tokenizer = _phrase_tokenizer()
    matchers = []
    for attr, items in (("NORM", phrases), ("ORTH", exact)):
        docs = [tokenizer(p) for p in sorted({p.strip() for p in items if p and p.strip()})]
        if docs:
            matcher = PhraseMatcher(vocab, attr=attr)
            matcher.add("KEEP", docs)
            matchers.append(matcher)
    return _Matchers(*matchers)


# --- Regular expressions ---------------------------------------------------------------------------

_HAS_DIGIT = re.compile(r"\d")
# Top-level domains that are also words: "useless.info", "tell.me" are missing spaces.
_WORD_TLDS = frozenset({"info", "me"})


@dataclass(frozen=True)
class RegexPattern:
    type: str
    regex: re.Pattern[str]
    group: str | None
    requires: str | re.Pattern[str] | None = None
    unless_word_domain: bool = False

    def applies_to(self, text: str) -> bool:
        """A quick test that the text may hold a match, so most texts skip the full pattern."""
        if self.requires is None:
            return True
        if isinstance(self.requires, re.Pattern):
            return self.requires.search(text) is not None
        return self.requires in text


@cache
def load_regex_patterns(path: str) -> tuple[RegexPattern, ...]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(
        RegexPattern(
            item["type"],
            re.compile(item["regex"]),
            item.get("group", "pii"),
            _requirement(item.get("requires")),
            bool(item.get("unless_word_domain", False)),
        )
        for item in raw
    )


def _requirement(value: str | None) -> str | re.Pattern[str] | None:
    if value == "digit":
        return _HAS_DIGIT
    if value is not None and value.startswith("re:"):
        return re.compile(value[3:])
    return value


def _is_word_domain(text: str) -> bool:
    parts = text.split(".")
    return (
        "/" not in text
        and len(parts) == 2
        and parts[1] in _WORD_TLDS
        and parts[0] in word_set("common_words.txt")
    )


def _add_spans(doc: Doc, spans: list[Span]) -> None:
    existing = list(doc.spans[PII_SPANS_KEY]) if PII_SPANS_KEY in doc.spans else []
    doc.spans[PII_SPANS_KEY] = existing + spans


class PiiRegexFinder:
    """Marks emails, phones, postcodes, addresses, NI/NHS numbers, dates of birth and URLs."""

    def __init__(self, patterns_path: str) -> None:
        self.patterns = load_regex_patterns(patterns_path)

    def __call__(self, doc: Doc) -> Doc:
        _add_spans(doc, self.find(doc, doc.text))
        return doc

    def find(self, doc: Doc, text: str) -> list[Span]:
        """Spans of ``doc``, whose text is ``text`` (passed so it is not rebuilt from tokens)."""
        spans: list[Span] = []
        for pattern in self.patterns:
            if not pattern.applies_to(text):
                continue
            for match in pattern.regex.finditer(text):
                if pattern.unless_word_domain and _is_word_domain(match.group()):
                    continue
                group = pattern.group
                if group is not None and group in match.re.groupindex:
                    start, end = match.span(group)
                else:
                    start, end = match.span()
                span = doc.char_span(start, end, label=pattern.type, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        return spans


@Language.factory(
    "consult_pii_regex",
    default_config={"patterns_path": str(PATTERNS_DIR / "redaction.yaml")},
)
def make_pii_regex(nlp: Language, name: str, patterns_path: str) -> PiiRegexFinder:
    return PiiRegexFinder(patterns_path)


# --- Names ---------------------------------------------------------------------------------------

# Token classes: a given name that is not a word, a given name that is also a word, a surname, an
# ordinary word, never a name, unknown; SKIP for tokens no rule can use (punctuation, numbers,
# lower-case ordinary words).
FIRST, WORDNAME, SURNAME, COMMON, NOT, UNKNOWN, SKIP = range(7)
TITLE, UPPER, LOWER = "title", "upper", "lower"
# A name that is also a word this common or more ("Hope", "Will") needs more than "was" or "is"
# after it at the start of a sentence: "Hope is all I had" is no name, "Grace was lovely" is.
FREQUENT_WORD = -11.5
# ... and in lower case after "my ex" or "my friend" one this common is read as the word.
VERY_FREQUENT_WORD = -9.5
_SENTENCE_END = frozenset(
    {".", "!", "?", ":", ";", "...", "…", '"', "“", "”", "(", "-", "–", "—", "*", "•"}
)
_OPENERS = frozenset({"'", '"', "“", "‘", "(", "["})
_POSSESSIVE = frozenset({"'s", "'", "’s", "’"})
_HYPHENS = frozenset({"-", "‐", "‑"})
_CUE_PUNCT = frozenset({",", ":", "-", "–"})
_POLICE_RANKS = frozenset({"pc", "dc", "ds", "di", "dci", "dcs", "dsgt"})
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "binti", "bint",
     "ibn", "al", "el", "abu", "ben", "ap"}
)  # fmt: skip
_TITLE_PREFIX = re.compile(r"^(?:Mc|Mac|O'|O’|D'|D’)[A-Z][a-z]")


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> Iterator[str]:
    """Words one deletion, transposition, substitution or insertion away."""
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        if right:
            yield left + right[1:]
            if len(right) > 1:
                yield left + right[1] + right[0] + right[2:]
            for c in _LETTERS:
                yield left + c + right[1:]
        for c in _LETTERS:
            yield left + c + right


def _shape(text: str) -> str:
    """TITLE ("Grace", "McAllister", "O'Neill"), UPPER ("MARAC"), LOWER or ""."""
    if not text[:1].isalpha():
        return ""
    if text.islower():
        return LOWER
    if text[0].isupper() and (len(text) == 1 or text[1].islower() or _TITLE_PREFIX.match(text)):
        return TITLE
    if text.isupper():
        return UPPER
    return ""


class NameFinder:
    """Person names from name lists, cues and context, without a statistical model.

    * a given name that is not an ordinary word ("Siobhan", "kerry") is a name in any case and
      position, unless it is part of a place, a service or a building ("Clare's Law", "St Mary's",
      "in Chester", "George Eliot Hospital");
    * a name that is also a word ("Will", "Grace", "Mo") is one only in context: after a relation
      or role ("my ex Will"), capitalised mid-sentence but not after "the"/"a" ("The Bill"), or at
      the start of a sentence before "from", "at", "who", "'s" or a verb such as "said";
    * a capitalised word that is neither a known word nor a place is a name mid-sentence, or at the
      start of a sentence in the same contexts; a lower-case unknown word only after a cue;
    * honorifics ("Dr", "PC", "Mrs") are kept in the span; surnames, hyphenated parts and
      particles after a name are added to it ("Sophie Marsh-Hall", "Nguyen Van Minh").

    Published services and roles (``vawg_services.txt``) are never names; their spans are kept
    in ``doc.spans["consult_protected"]`` so other finders' spans can be checked against them.
    Capitalised unknown words and names that are also words at the start of a sentence with no
    context either way ("Jo actually listens", "Hope is all I had") go to
    ``doc.spans["consult_unsure"]``: a trained NER model, where there is one, decides those.
    """

    def __init__(self, nlp: Language) -> None:
        self.first = word_set("first_names.txt")
        self.words = name_words()
        self.surnames = word_set("surnames.txt")
        self.surname_words = word_set("surname_words.txt")
        self.common = word_set("common_words.txt") | nlp.Defaults.stop_words
        self.not_names = word_set("not_names.txt")
        self.common_stop = frozenset(nlp.Defaults.stop_words)
        self.ctx = name_context()
        self.services = phrase_matcher(
            nlp.vocab, self._any_case_services(), exact=self._capital_services()
        )
        self.places = phrase_matcher(nlp.vocab, place_phrases())
        self._classes: dict[str, tuple[int, str]] = {}
        self._typos: dict[str, bool] = {}

    def misspelt_word(self, text: str) -> bool:
        """One letter away from an ordinary word ("Treatement", "Excellant"): at the start of
        a sentence such a word is taken for a typo, not a name. Only from seven letters: shorter
        names are too often one letter from a word ("Thanh", "Morag", "Cerys")."""
        key = fold(text)
        found = self._typos.get(key)
        if found is None:
            found = len(key) >= 7 and key.isalpha() and any(c in self.common for c in _edits(key))
            if len(self._typos) < 100_000:
                self._typos[key] = found
        return found

    def _is_name_or_word(self, phrase: str) -> bool:
        key = fold(phrase)
        return key in self.first or key in self.words or key in self.surnames

    def _capital_services(self) -> list[str]:
        """Acronyms that are also names ("IRIS"): matched only as written."""
        return [p for p in service_phrases() if p.isupper() and self._is_name_or_word(p)]

    def _any_case_services(self) -> list[str]:
        return [p for p in service_phrases() if not (p.isupper() and self._is_name_or_word(p))]

    def classify(self, text: str) -> tuple[int, str]:
        """(class, shape) of a token's text, cached."""
        found = self._classes.get(text)
        if found is not None:
            return found
        shape = _shape(text)
        bare = text.replace("'", "").replace("’", "").replace("-", "")
        key = fold(text.strip("-'’"))
        if not shape or not bare.isalpha() or len(bare) < 2 or key in self.not_names:
            cls = SKIP
        elif key in self.first:
            cls = FIRST
        elif key in self.words:
            cls = WORDNAME
        elif key in self.surnames:
            cls = SURNAME
        elif key in self.common:
            cls = SKIP if shape == LOWER else COMMON
        else:
            cls = UNKNOWN
        if len(self._classes) < 500_000:
            self._classes[text] = (cls, shape)
        return cls, shape

    def __call__(self, doc: Doc) -> Doc:
        names, protected, unsure = self.find(doc)
        _add_spans(doc, names)
        doc.spans[PROTECTED_SPANS_KEY] = protected
        doc.spans[UNSURE_SPANS_KEY] = unsure
        return doc

    def find(self, doc: Doc) -> tuple[list[Span], list[Span], list[Span]]:
        """(names, protected services, undecided words) of a tokenised doc."""
        n = len(doc)
        if n == 0:
            return [], [], []
        kept = [Span(doc, start, end, label="KEEP") for _, start, end in self.services(doc)]
        texts = [t.text for t in doc]
        info = [self.classify(t) for t in texts]
        if all(cls == SKIP for cls, _ in info) and "-" not in texts:
            return [], kept, []
        protected = [False] * n
        for span in kept:
            for i in range(span.start, span.end):
                protected[i] = True
        place = [False] * n
        for _, start, end in self.places(doc):
            for i in range(start, end):
                place[i] = True
        finder = _DocNames(self, doc, texts, info, protected, place)
        names = [Span(doc, start, end, label="NAME") for start, end in finder.names()]
        unsure = [Span(doc, i, i + 1, label="NAME") for i in finder.unsure]
        return names, kept, unsure


class _DocNames:
    """The name rules applied to one tokenised text (see :class:`NameFinder`)."""

    def __init__(
        self,
        finder: NameFinder,
        doc: Doc,
        texts: list[str],
        info: list[tuple[int, str]],
        protected: list[bool],
        place: list[bool],
    ) -> None:
        self.f = finder
        self.doc = doc
        self.ctx = finder.ctx
        self.texts = texts
        self.lowers = [t.lower().replace("’", "'") for t in texts]
        self.info = info
        self.protected = protected
        self.place = place
        self._spaced: list[int] | None = None
        self.n = len(texts)
        self.unsure: list[int] = []

    def names(self) -> list[tuple[int, int]]:
        seeds = []
        for i, (cls, shape) in enumerate(self.info):
            if self.protected[i]:
                continue
            if self.hyphenated_first_name(i):  # "Ji-yeon", "Min-jun"
                seeds.append((i, i + 3))
                continue
            if cls == SKIP:
                continue
            honorific = self.honorific(i)
            if honorific >= 0 and (shape != LOWER or cls in (FIRST, SURNAME, UNKNOWN)):
                seeds.append((honorific, i + 1))
            elif self.is_name(i, cls, shape) and not self.dated(i):
                seeds.append((i, i + 1))
            elif (
                cls in (WORDNAME, SURNAME, UNKNOWN)
                and shape == TITLE
                and not self.place[i]
                and self.sentence_start(i)
                and not self.blocked(i)
                and not (cls == UNKNOWN and self.f.misspelt_word(self.texts[i]))
            ):
                self.unsure.append(i)
        seeds += self.coordinated(seeds)
        seeds.sort()
        found: list[tuple[int, int]] = []
        covered = [False] * self.n
        for start, end in seeds:
            if covered[end - 1]:
                continue
            start, end = self.extend(start, end)
            for i in range(start, end):
                covered[i] = True
            found.append((start, end))
        return found

    def hyphenated_first_name(self, i: int) -> bool:
        if not self.hyphen_after(i) or self.info[i][1] not in (TITLE, LOWER):
            return False
        joined = fold(f"{self.texts[i]}-{self.texts[i + 2]}")
        return joined in self.f.first and not self.protected[i + 2]

    def coordinated(self, seeds: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Names that are also words, listed with a name: "nasreen and rob", "Sam, Will and Jo"."""
        found: list[tuple[int, int]] = []
        ends = {end for _, end in seeds}
        starts = {start for start, _ in seeds}
        for k in sorted(ends):
            while k + 1 < self.n and self.lowers[k] in (",", "and", "&"):
                cls, shape = self.info[k + 1]
                if k + 1 in starts or cls != WORDNAME or shape not in (TITLE, LOWER):
                    break
                if self.protected[k + 1]:
                    break
                found.append((k + 1, k + 2))
                k += 2
        return found

    def is_name(self, i: int, cls: int, shape: str) -> bool:
        ctx = self.ctx
        cue = self.left_cue(i)
        if cls == FIRST:
            if shape == UPPER and len(self.texts[i]) < 4:
                return False
            if cue:
                return True
            if self.blocked(i):
                return False
            if self.lowers[i] in ctx["months"] and self.sentence_start(i):
                return self.right_context(i, weak=True)  # "April is when I left"
            if self.place[i]:
                return self.place_is_person(i)
            return True
        if shape == LOWER:
            if cue and cls == WORDNAME:  # "my friend mo", "my idva grace"; not "my ex will"
                return self.f.words[fold(self.texts[i])] < VERY_FREQUENT_WORD
            return cue and cls == UNKNOWN and len(self.texts[i]) > 2 and self.texts[i].isalpha()
        if shape != TITLE and not (shape == UPPER and cue):
            return False
        if cls == COMMON:
            # "a woman called Faith", "my ex Gaz"; not "my ex Husband", "I told Everyone"
            if not cue:
                return False
            j = self.prev_word(i)
            if self.lowers[j] in ("called", "named"):
                return True
            word = self.lowers[i]
            return (
                self.lowers[j] not in ctx["cue_verbs"]
                and word not in ctx["relations"]
                and word not in ctx["institutions"]
                and word not in ctx["honorifics"]
                and word not in self.f.common_stop
                and not self.blocked(i)
            )
        if cls == WORDNAME:
            if cue:
                return True
            if self.blocked(i) or (self.place[i] and self.located(i)):
                return False
            if self.sentence_start(i):
                weak = self.f.words[fold(self.texts[i])] >= FREQUENT_WORD
                return self.right_context(i, weak) or self.surname_follows(i)
            j = self.prev_word(i, skip_punct=False)
            return j < 0 or self.lowers[j] not in ctx["determiners"]
        # SURNAME or UNKNOWN, capitalised
        if cue:
            return True
        if self.blocked(i) or self.place[i]:
            return False
        if self.sentence_start(i):
            if cls == UNKNOWN and self.f.misspelt_word(self.texts[i]):
                return False
            return self.right_context(i, weak=False) or self.surname_follows(i)
        return True

    # context
    def sentence_start(self, i: int) -> bool:
        j = i - 1
        while j >= 0 and self.texts[j] in _OPENERS:
            j -= 1
        return j < 0 or self.texts[j] in _SENTENCE_END or self.texts[j].isspace()

    def prev_word(self, i: int, skip_punct: bool = True) -> int:
        j = i - 1
        while skip_punct and j >= 0 and self.texts[j] in _CUE_PUNCT:
            j -= 1
        return j

    def left_cue(self, i: int) -> bool:
        j = self.prev_word(i)
        if j < 0 or self.protected[j]:
            return False
        if self.lowers[j] in self.ctx["relations"]:
            return True
        if j >= 1 and self.lowers[j] == "to" and self.lowers[j - 1] in ("thanks", "grateful"):
            return True  # "thanks to olu"
        return j >= 1 and self.lowers[j] == "is" and self.lowers[j - 1] == "name"

    def honorific(self, i: int) -> int:
        """Index of an honorific just before ``i`` ("Dr Patel", "PC Hughes", "Mrs. Okafor"), or -1."""
        j = i - 1
        if j >= 1 and self.texts[j] == ".":
            j -= 1
        if j < 0 or self.lowers[j].rstrip(".") not in self.ctx["honorifics"]:
            return -1
        word = self.texts[j].rstrip(".")
        low = word.lower()
        if low in _POLICE_RANKS and not word.isupper():
            return -1
        if low in self.ctx["capital_honorifics"] and not word[:1].isupper():
            return -1
        return j

    def right_context(self, i: int, weak: bool) -> bool:
        if self.hyphen_after(i):  # look past "-yeon" in "Ji-yeon from the university"
            i += 2
        k = i + 1
        if k >= self.n:
            return False
        nxt = self.lowers[k]
        if nxt in _POSSESSIVE or nxt == "(" or nxt in self.ctx["after"]:
            return True
        if nxt == "," and k + 1 < self.n:
            return self.lowers[k + 1] in ("my", "our", "the", "his", "her", "a", "an", "who")
        if (
            nxt in self.ctx["weak_verbs"]
            and k + 1 < self.n
            and self.lowers[k + 1] in ("my", "his", "her", "our")
        ):
            return True  # "Devon is my son's dad"
        if not weak and nxt in ("my", "our"):
            return True  # "Dafydd my probation contact"
        return nxt in self.ctx["verbs"] and not (weak and nxt in self.ctx["weak_verbs"])

    def surname_follows(self, i: int) -> bool:
        k = i + 1
        return (
            k < self.n and self.info[k][1] == TITLE and self.info[k][0] in (FIRST, SURNAME, UNKNOWN)
        )

    def blocked(self, i: int) -> bool:
        """Part of a place, building or title: "St Mary's", "Clare's Law", "George Eliot Hospital"."""
        j = i - 1
        if (
            j >= 0
            and self.lowers[j] in self.ctx["not_before"]
            and self.info[j][1] in (TITLE, UPPER)
        ):
            return True
        k = i + 1
        while (
            k < self.n and self.info[k][1] == TITLE and self.info[k][0] in (FIRST, SURNAME, UNKNOWN)
        ):
            k += 1
        possessive = k < self.n and self.lowers[k] in _POSSESSIVE
        if possessive:
            k += 1
        if k < self.n and self.lowers[k] in self.ctx["institutions"]:
            if self.info[k][1] in (TITLE, UPPER):
                return True
            # "Bradgate unit" is a building, "kerry's house" a person's
            return not possessive and self.lowers[k] in self.ctx["institutions_any_case"]
        return False

    def located(self, i: int) -> bool:
        """After "in", "to", "from"...: "moved to Chester", "in Sutton Coldfield"; but "thanks
        to Sandy", "spoke to Ash" are people."""
        j = i - 1
        while j >= 0 and self.place[j] and self.info[j][1] == TITLE:
            j -= 1
        if j < 0 or self.lowers[j] not in self.ctx["locatives"]:
            return False
        return not (
            self.lowers[j] == "to" and j >= 1 and self.lowers[j - 1] in self.ctx["to_person"]
        )

    def place_is_person(self, i: int) -> bool:
        """A given name that is also a place: "moved to Chester", "the Chester refuge" and
        "Chester Women's Aid" are the place; "Chester said" and "my son Chester" the person."""
        if self.located(i):
            return False
        j = self.prev_word(i, skip_punct=False)
        if j >= 0 and self.lowers[j] in self.ctx["determiners"]:
            return False
        k = i + 1
        while k < self.n and self.place[k]:
            k += 1
        if k < self.n and self.protected[k]:
            return False
        return not self.sentence_start(i) or self.right_context(i, weak=True)

    def dated(self, i: int) -> bool:
        """A month, not a name: "Jan 2021", "7th Dec 2014", "in April", "since May"."""
        if self.lowers[i] in self.ctx["months"]:
            j = i - 1
            if j >= 0 and self.lowers[j] in self.ctx["time_words"]:
                return True
        k = i + 1
        if k < self.n and self.texts[k].isdigit() and len(self.texts[k]) == 4:
            return True
        j = i - 1
        return (
            j >= 0
            and len(self.texts[j]) <= 4
            and (self.texts[j].isdigit() or self.texts[j][:-2].isdigit())
        )

    # spans
    def namelike(self, k: int, lower_ok: bool) -> bool:
        cls, shape = self.info[k]
        if shape == TITLE:
            return cls in (FIRST, SURNAME, UNKNOWN) or fold(self.texts[k]) in self.f.surname_words
        return lower_ok and shape == LOWER and cls in (FIRST, SURNAME)

    @property
    def spaced(self) -> list[int]:
        """Whether each token is followed by a space (read only when a hyphen is met)."""
        if self._spaced is None:
            self._spaced = self.doc.to_array(SPACY).tolist()
        return self._spaced

    def hyphen_after(self, k: int) -> bool:
        return (
            k + 2 < self.n
            and self.texts[k + 1] in _HYPHENS
            and not self.spaced[k]
            and not self.spaced[k + 1]
            and not self.protected[k + 2]
            and self.texts[k + 2].replace("'", "").replace("’", "").isalpha()
        )

    def extend(self, start: int, end: int) -> tuple[int, int]:
        n, texts = self.n, self.texts
        lower_seed = texts[end - 1].islower()
        while end < n and not self.protected[end]:
            if self.hyphen_after(end - 1):  # "Marsh-Hall", "Kelly-Ann", "Ji-yeon"
                end += 2
                continue
            if self.place[end] or (self.info[end][0] == SKIP and self.info[end][1] != TITLE):
                break
            if self.namelike(end, lower_seed) or (
                self.info[end][1] == TITLE and self.hyphen_after(end)
            ):
                end += 1
                continue
            # particles between parts of a name: "Nguyen Van Minh", "Abdul bin Ahmed"
            if (
                fold(texts[end]) in _PARTICLES
                and end + 1 < n
                and not self.protected[end + 1]
                and self.info[end + 1][1] == TITLE
                and self.namelike(end + 1, False)
            ):
                end += 2
                continue
            break
        while start > 0 and not self.protected[start - 1] and not self.place[start - 1]:
            cls, shape = self.info[start - 1]
            if shape != TITLE or cls not in (FIRST, SURNAME, UNKNOWN):
                break
            if start >= 2 and self.lowers[start - 2] in self.ctx["not_before"]:
                break
            start -= 1
        return start, end


@Language.factory("consult_names")
def make_names(nlp: Language, name: str) -> NameFinder:
    return NameFinder(nlp)


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
