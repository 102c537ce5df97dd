"""Redaction of personal data before any text leaves the analysis.

Each replacement is typed (``[NAME]``, ``[PHONE]``...) and logged with its type and position
only; the log never holds the redacted text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from tqdm import tqdm

from analysis.components import PII_SPANS_KEY, uk_places
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
# Components NER does not depend on; skipping them keeps redaction of large exports quick.
_NOT_NEEDED = ("tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass
class Redaction:
    texts: list[str]
    log: pd.DataFrame
    name_redaction: str
    notes: list[str] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return f"redacted (names: {self.name_redaction})"


def is_place_name(text: str) -> bool:
    """A UK place name from ``patterns/uk_places.txt`` (case and spacing ignored)."""
    return " ".join(text.lower().split()) in uk_places()


def pii_spans(doc: Doc, use_ner: bool) -> list[Span]:
    """Non-overlapping personal-data spans of a processed doc, longest first on overlap."""
    spans = list(doc.spans[PII_SPANS_KEY]) if PII_SPANS_KEY in doc.spans else []
    if use_ner:
        spans += [
            Span(doc, e.start, e.end, label="NAME")
            for e in doc.ents
            if e.label_ == "PERSON" and not is_place_name(e.text)
        ]
    return filter_spans(spans)


def redact_doc(doc: Doc, use_ner: bool) -> tuple[str, list[tuple[str, int, int, str]]]:
    """Redacted text and (type, start, end, source) entries in original character offsets."""
    pieces: list[str] = []
    entries: list[tuple[str, int, int, str]] = []
    cursor = 0
    for span in sorted(pii_spans(doc, use_ner), key=lambda s: s.start_char):
        source = "ner" if span.label_ == "NAME" and span not in doc.spans[PII_SPANS_KEY] else "rule"
        pieces.append(doc.text[cursor : span.start_char])
        pieces.append(f"[{span.label_}]")
        entries.append((span.label_, span.start_char, span.end_char, source))
        cursor = span.end_char
    pieces.append(doc.text[cursor:])
    return "".join(pieces), entries


def redact_texts(
    texts: Iterable[str],
    pipeline: Pipeline | None = None,
    batch_size: int = 128,
    progress: bool = False,
) -> Redaction:
    """Redact every text; blank texts pass through unchanged."""
    texts = ["" if t is None else str(t) for t in texts]
    pipeline = pipeline or build_pipeline("full")
    disable = [name for name in _NOT_NEEDED if name in pipeline.nlp.pipe_names]
    out: list[str] = []
    rows: list[tuple[int, str, int, int, str]] = []
    docs = pipeline.nlp.pipe(texts, disable=disable, batch_size=batch_size)
    for row, doc in enumerate(tqdm(docs, total=len(texts), disable=not progress, desc="redact")):
        text, entries = redact_doc(doc, pipeline.trained)
        out.append(text)
        rows.extend((row, *entry) for entry in entries)
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
) -> tuple[pd.DataFrame, pd.DataFrame, Redaction]:
    """Redact the given text columns of a DataFrame; returns (frame, log, last redaction)."""
    result = frame.copy()
    logs: list[pd.DataFrame] = []
    redaction = Redaction([], pd.DataFrame(columns=LOG_COLUMNS), "")
    for column in columns:
        values = ["" if pd.isna(v) else str(v) for v in frame[column].tolist()]
        redaction = redact_texts(values, pipeline, progress=progress)
        result[column] = redaction.texts
        log = redaction.log.copy()
        log.insert(1, "column", column)
        logs.append(log)
    result["redaction"] = redaction.marker
    combined = pd.concat(logs, ignore_index=True) if logs else redaction.log
    return result, combined, redaction
