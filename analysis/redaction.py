"""Redaction of personal data before any text leaves the analysis.

Each replacement is typed (``[NAME]``, ``[PHONE]``...) and logged with its type and position
only; the log never holds the redacted text.

How spans are found (details in ``docs/analysis.md``):

* regular expressions for emails, URLs, phones, postcodes, addresses, NI and NHS numbers and
  dates of birth (``patterns/redaction.yaml``, component ``consult_pii_regex``);
* names from name lists, cues and context (component ``consult_names``), with no statistical
  model, so it is the same with or without the trained pipeline;
* where the trained pipeline is installed, its NER only for the few capitalised words the rules
  leave undecided (a sentence starting "Jo actually listens"), run on just those texts;
* never on published VAWG services, roles and acronyms (``patterns/vawg_services.txt``), nor on
  the ``keep`` phrases a caller passes (a consultation's support directory, its area's places).

For a person confirming redactions: :func:`propose_redactions` gives the spans of one text
without applying them, :func:`apply_redactions` applies a confirmed list.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import pandas as pd
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from tqdm import tqdm

from analysis.components import (
    PII_SPANS_KEY,
    PROTECTED_SPANS_KEY,
    UNSURE_SPANS_KEY,
    phrase_matcher,
    place_phrases,
)
from analysis.nlp import Pipeline, build_pipeline

PII_TYPES = (
    "NAME",
    "EMAIL",
    "PHONE",
    "POSTCODE",
    "ADDRESS",
    "NI_NUMBER",
    "NHS_NUMBER",
    "DOB",
    "URL",
)
LOG_COLUMNS = ["row", "type", "start", "end", "source"]
# Components redaction never needs: the rules work on the tokenizer's output alone.
_NOT_NEEDED = (
    "tok2vec",
    "tagger",
    "parser",
    "attribute_ruler",
    "lemmatizer",
    "ner",
    "senter",
    "sentencizer",
    "consult_lowercase_lemmas",
)
# Inputs at least this long are redacted in several processes unless the caller says otherwise.
PARALLEL_FROM = 20_000
_CHUNK = 2_000
_ADDRESS_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room", "number", "no"})
_KEEP_KEY = "consult_keep"
_RULES = ("consult_pii_regex", "consult_names")


class RedactionSpan(NamedTuple):
    """One span to redact, in character offsets of the original text."""

    type: str
    start: int
    end: int
    source: str  # "rule", "ner" or, for spans a person added, whatever the caller records


@dataclass
class Redaction:
    texts: list[str]
    log: pd.DataFrame
    name_redaction: str
    notes: list[str] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return f"redacted (names: {self.name_redaction})"


@lru_cache(maxsize=1)
def _all_places() -> frozenset[str]:
    return frozenset(" ".join(p.lower().split()) for p in place_phrases())


def is_place_name(text: str) -> bool:
    """A place in ``patterns/uk_places.txt`` or ``places.txt`` (case and spacing ignored)."""
    return " ".join(text.lower().split()) in _all_places()


def _without_protected(doc: Doc, spans: list[Span], protected: list[bool]) -> list[Span]:
    """Names lose their protected words; an address that is only a protected name goes."""
    out: list[Span] = []
    for span in spans:
        if not any(protected[span.start : span.end]):
            out.append(span)
        elif span.label_ == "NAME":
            run_start: int | None = None
            for i in range(span.start, span.end + 1):
                free = i < span.end and not protected[i]
                if free and run_start is None:
                    run_start = i
                elif not free and run_start is not None:
                    if any(t.is_alpha and len(t) > 1 for t in doc[run_start:i]):
                        out.append(Span(doc, run_start, i, label="NAME"))
                    run_start = None
        elif span.label_ == "ADDRESS":
            rest = [
                t
                for t in span
                if not protected[t.i] and t.is_alpha and t.lower_ not in _ADDRESS_WORDS
            ]
            if rest:
                out.append(span)
        else:
            out.append(span)
    return out


def _ner_names(doc: Doc) -> list[Span]:
    """PERSON entities that are not places; on docs from ``consult_names``, only where the rules
    left a word undecided (NER's other guesses, "Email" or "The Bill", are worse than the rules)."""
    people = [e for e in doc.ents if e.label_ == "PERSON" and not is_place_name(e.text)]
    if UNSURE_SPANS_KEY in doc.spans:
        unsure = {s.start for s in doc.spans[UNSURE_SPANS_KEY]}
        people = [e for e in people if any(i in unsure for i in range(e.start, e.end))]
    names = []
    for e in people:
        start, end = e.start, e.end
        while start < end and not doc[start].is_alpha:
            start += 1
        while end > start and not doc[end - 1].is_alpha:
            end -= 1
        if start < end:
            names.append(Span(doc, start, end, label="NAME"))
    return names


def pii_spans(doc: Doc, use_ner: bool) -> list[Span]:
    """Non-overlapping personal-data spans of a processed doc, longest first on overlap.

    Spans on published services, roles and acronyms (``patterns/vawg_services.txt``) and on the
    ``keep`` phrases of :func:`redact_texts` are dropped (names lose just those words).
    """
    spans = list(doc.spans[PII_SPANS_KEY]) if PII_SPANS_KEY in doc.spans else []
    if use_ner:
        spans += _ner_names(doc)
    kept: list[tuple[int, int]] = [(s.start, s.end) for s in doc.spans.get(PROTECTED_SPANS_KEY, [])]
    kept += doc.user_data.get(_KEEP_KEY, [])
    if kept and spans:
        protected = [False] * len(doc)
        for start, end in kept:
            for i in range(start, end):
                protected[i] = True
        spans = _without_protected(doc, spans, protected)
    return filter_spans(spans)


def _entries(doc: Doc, use_ner: bool) -> list[tuple[str, int, int, str]]:
    rule_spans = set(doc.spans[PII_SPANS_KEY]) if PII_SPANS_KEY in doc.spans else set()
    entries = []
    for span in sorted(pii_spans(doc, use_ner), key=lambda s: s.start_char):
        source = "ner" if span.label_ == "NAME" and span not in rule_spans else "rule"
        entries.append((span.label_, span.start_char, span.end_char, source))
    return entries


def apply_redactions(text: str, spans: Iterable[Sequence[Any]]) -> str:
    """The text with each (type, start, end, ...) span replaced by ``[TYPE]``.

    Spans are character offsets into ``text``, in any order; they must lie inside the text, not
    overlap and have a type from :data:`PII_TYPES` (``ValueError`` otherwise). This is what a
    confirm step publishes: exactly the spans a person kept or added, nothing else.
    """
    ordered = sorted(((str(s[0]), int(s[1]), int(s[2])) for s in spans), key=lambda s: s[1])
    pieces: list[str] = []
    cursor = 0
    for kind, start, end in ordered:
        if kind not in PII_TYPES:
            raise ValueError(f"unknown redaction type {kind!r}")
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {start}-{end} is outside the text (length {len(text)})")
        if start < cursor:
            raise ValueError(f"span {start}-{end} overlaps the span before it")
        pieces.append(text[cursor:start])
        pieces.append(f"[{kind}]")
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def redact_doc(
    doc: Doc, use_ner: bool, text: str | None = None
) -> tuple[str, list[tuple[str, int, int, str]]]:
    """Redacted text and (type, start, end, source) entries in original character offsets.

    ``text``: the doc's text when the caller has it (spares rebuilding it from the tokens).
    """
    entries = _entries(doc, use_ner)
    return apply_redactions(doc.text if text is None else text, entries), entries


@lru_cache(maxsize=16)
def _keep_matcher(pipeline: Pipeline, keep: frozenset[str]) -> Any:
    return phrase_matcher(pipeline.nlp.vocab, keep) if keep else None


def _clean_keep(keep: Iterable[str] | str) -> frozenset[str]:
    if isinstance(keep, str):
        keep = [keep]
    return frozenset(k.strip() for k in keep if k and k.strip())


def _rule_docs(
    pipeline: Pipeline, texts: list[str], keep: frozenset[str], batch_size: int
) -> list[Doc]:
    """Docs through the rule components, NER added for the undecided words where trained.

    The two rule components are called directly with the input text, which spares rebuilding
    ``doc.text`` from tokens (a third of the time on short answers).
    """
    nlp = pipeline.nlp
    direct = [name for name in _RULES if name in nlp.pipe_names]
    disable = [name for name in (*_NOT_NEEDED, *direct) if name in nlp.pipe_names]
    docs = list(nlp.pipe(texts, disable=disable, batch_size=batch_size))
    if direct == list(_RULES):
        regex: Any = nlp.get_pipe("consult_pii_regex")
        names: Any = nlp.get_pipe("consult_names")
        for text, doc in zip(texts, docs, strict=True):
            found, kept, unsure = names.find(doc)
            doc.spans[PII_SPANS_KEY] = regex.find(doc, text) + found
            doc.spans[PROTECTED_SPANS_KEY] = kept
            doc.spans[UNSURE_SPANS_KEY] = unsure
    else:
        for doc in docs:
            for name in direct:
                nlp.get_pipe(name)(doc)
    matcher = _keep_matcher(pipeline, keep)
    if matcher is not None:
        for doc in docs:
            doc.user_data[_KEEP_KEY] = [(s, e) for _, s, e in matcher(doc)]
    if pipeline.trained and "ner" in nlp.pipe_names:
        _tag_undecided(nlp, texts, docs, batch_size)
    return docs


# Tokens either side of an undecided word that NER sees: its context window is a few tokens,
# and running it on whole answers was most of the time spent on them.
_NER_WINDOW = 12


def _tag_undecided(nlp: Any, texts: list[str], docs: list[Doc], batch_size: int) -> None:
    """Sets ``doc.ents`` to NER's PERSON entities around each undecided word."""
    windows: list[tuple[int, int]] = []  # (row, start char)
    snippets: list[str] = []
    for row, doc in enumerate(docs):
        last_end = -1
        for span in doc.spans.get(UNSURE_SPANS_KEY, []):
            start = max(0, span.start - _NER_WINDOW, last_end)
            end = min(len(doc), span.end + _NER_WINDOW)
            if start >= end:
                continue
            last_end = end
            begin, finish = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            windows.append((row, begin))
            snippets.append(texts[row][begin:finish])
    if not snippets:
        return
    only_ner = [n for n in nlp.pipe_names if n not in ("tok2vec", "ner")]
    people: dict[int, list[Span]] = {}
    tagged = nlp.pipe(snippets, disable=only_ner, batch_size=batch_size)
    for (row, offset), tagged_doc in zip(windows, tagged, strict=True):
        for e in tagged_doc.ents:
            if e.label_ == "PERSON":
                span = docs[row].char_span(offset + e.start_char, offset + e.end_char, "PERSON")
                if span is not None:
                    people.setdefault(row, []).append(span)
    for row, spans in people.items():
        docs[row].ents = filter_spans(spans)


def propose_redactions(
    text: str, pipeline: Pipeline | None = None, *, keep: Iterable[str] = ()
) -> list[RedactionSpan]:
    """The spans :func:`redact_texts` would redact in ``text``, not applied, in text order.

    For a person to confirm: show them, let the person drop or add spans, then publish
    ``apply_redactions(text, confirmed)``.
    """
    pipeline = pipeline or build_pipeline("full")
    doc = _rule_docs(pipeline, ["" if text is None else str(text)], _clean_keep(keep), 1)[0]
    return [RedactionSpan(*entry) for entry in _entries(doc, pipeline.trained)]


@dataclass(frozen=True)
class _Job:
    pipeline: Pipeline
    keep: frozenset[str]
    batch_size: int

    def __call__(self, args: tuple[int, list[str]]) -> tuple[int, list[str], list[tuple[Any, ...]]]:
        offset, texts = args
        out: list[str] = []
        rows: list[tuple[Any, ...]] = []
        docs = _rule_docs(self.pipeline, texts, self.keep, self.batch_size)
        for row, (original, doc) in enumerate(zip(texts, docs, strict=True), start=offset):
            text, entries = redact_doc(doc, self.pipeline.trained, original)
            out.append(text)
            rows.extend((row, *entry) for entry in entries)
        return offset, out, rows


# In a forked worker, the job it was started with (inherited, never pickled: the pipeline is big).
_worker_job: _Job | None = None


def _start_worker(job: _Job) -> None:
    global _worker_job
    _worker_job = job


def _in_worker(args: tuple[int, list[str]]) -> tuple[int, list[str], list[tuple[Any, ...]]]:
    assert _worker_job is not None
    return _worker_job(args)


def _chunks(texts: list[str]) -> Iterator[tuple[int, list[str]]]:
    for start in range(0, len(texts), _CHUNK):
        yield start, texts[start : start + _CHUNK]


def _processes(n_texts: int, n_process: int | None) -> int:
    if n_process is not None:
        return max(1, n_process)
    if (
        n_texts < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon  # daemonic processes may not have children
    ):
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def redact_texts(
    texts: Iterable[str],
    pipeline: Pipeline | None = None,
    batch_size: int = 128,
    progress: bool = False,
    *,
    keep: Iterable[str] = (),
    n_process: int | None = None,
) -> Redaction:
    """Redact every text; blank texts pass through unchanged.

    ``keep``: words and phrases never to redact, matched whole and ignoring case (a support
    directory's names, the consultation's own area and place names). ``n_process``: worker
    processes (forked); by default one below ``PARALLEL_FROM`` texts, else up to four.
    """
    texts = ["" if t is None else str(t) for t in texts]
    pipeline = pipeline or build_pipeline("full")
    job = _Job(pipeline, _clean_keep(keep), batch_size)
    out: list[str] = [""] * len(texts)
    rows: list[tuple[Any, ...]] = []
    bar = tqdm(total=len(texts), disable=not progress, desc="redact")
    processes = _processes(len(texts), n_process)
    if processes == 1:
        results: Iterable[tuple[int, list[str], list[tuple[Any, ...]]]] = map(job, _chunks(texts))
        pool = None
    else:
        # fork: workers inherit the loaded pipeline instead of loading or unpickling it
        context = multiprocessing.get_context("fork")
        pool = context.Pool(processes, initializer=_start_worker, initargs=(job,))
        results = pool.imap(_in_worker, _chunks(texts))
    try:
        for offset, chunk_out, chunk_rows in results:
            out[offset : offset + len(chunk_out)] = chunk_out
            rows.extend(chunk_rows)
            bar.update(len(chunk_out))
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
    notes = [] if pipeline.trained else ["name redaction was pattern-only (no trained pipeline)"]
    return Redaction(
        texts=out,
        log=pd.DataFrame(rows, columns=LOG_COLUMNS),
        name_redaction=pipeline.name_redaction,
        notes=notes,
    )


def redact_frame(
    frame: pd.DataFrame,
    columns: list[str],
    pipeline: Pipeline | None = None,
    progress: bool = False,
    *,
    keep: Iterable[str] = (),
    n_process: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Redaction]:
    """Redact the given text columns of a DataFrame; returns (frame, log, last redaction)."""
    result = frame.copy()
    logs: list[pd.DataFrame] = []
    redaction = Redaction([], pd.DataFrame(columns=LOG_COLUMNS), "")
    for column in columns:
        values = ["" if pd.isna(v) else str(v) for v in frame[column].tolist()]
        redaction = redact_texts(
            values, pipeline, progress=progress, keep=keep, n_process=n_process
        )
        result[column] = redaction.texts
        log = redaction.log.copy()
        log.insert(1, "column", column)
        logs.append(log)
    result["redaction"] = redaction.marker
    combined = pd.concat(logs, ignore_index=True) if logs else redaction.log
    return result, combined, redaction
