"""Case material: reading a PDF's text, finding personal data to redact, and the coordinator's
edits to those redactions before confirming the version members will see.

Spans are kept over the original text as {"type", "start", "end", "source"}; the redacted text
is always derived from them, so an added or undone span can never leave stray personal data.
"""

from __future__ import annotations

import io
import re
from typing import Any

from anyio import to_thread
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from analysis.redaction import PII_TYPES, redact_texts
from consult.errors import Invalid

PAGE_BREAK = "\f"
MAX_MATERIAL_CHARS = 200_000
# What a coordinator may mark by hand, beyond the types the analysis finds.
SPAN_TYPES = (*PII_TYPES, "PLACE", "OTHER")


def pdf_text(data: bytes) -> str:
    """The text of each page of a PDF, pages separated by a form feed."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Invalid("That PDF is password-protected. Remove the password and upload again.")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise Invalid("That file could not be read as a PDF. Upload it as text instead.") from exc
    text = PAGE_BREAK.join(pages)
    if not text.strip():
        raise Invalid("That PDF has no text layer (it may be scanned images). Paste the text.")
    return text


def check_length(text: str) -> str:
    if len(text) > MAX_MATERIAL_CHARS:
        raise Invalid(f"Case material must be {MAX_MATERIAL_CHARS:,} characters or fewer.")
    return text


def _find_spans(text: str) -> list[dict[str, Any]]:
    """Each page is redacted on its own, so no span runs across a page break."""
    parts = text.split(PAGE_BREAK)
    offsets = [0]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part) + len(PAGE_BREAK))
    redaction = redact_texts(parts)
    return [
        {
            "type": str(kind),
            "start": offsets[int(row)] + int(start),
            "end": offsets[int(row)] + int(end),
            "source": str(source),
        }
        for row, kind, start, end, source in redaction.log[
            ["row", "type", "start", "end", "source"]
        ].itertuples(index=False, name=None)
    ]


async def find_spans(text: str) -> list[dict[str, Any]]:
    """Personal-data spans the analysis package finds, run off the event loop (the language
    pipeline takes seconds to load the first time)."""
    return await to_thread.run_sync(_find_spans, text)


def apply_spans(text: str, spans: list[dict[str, Any]]) -> str:
    """The text with every span replaced by its type, e.g. ``[NAME]``."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < cursor:  # overlaps one already replaced: covered by it
            cursor = max(cursor, span["end"])
            continue
        pieces += [text[cursor : span["start"]], f"[{span['type']}]"]
        cursor = span["end"]
    pieces.append(text[cursor:])
    return "".join(pieces)


def add_phrase(
    text: str, spans: list[dict[str, Any]], phrase: str, span_type: str
) -> list[dict[str, Any]]:
    """Spans for every occurrence of `phrase` (case ignored) not already covered."""
    phrase = phrase.strip()
    if not phrase:
        raise Invalid("Enter the words to redact")
    if span_type not in SPAN_TYPES:
        raise Invalid("Choose what kind of information the words are")
    covered = [(s["start"], s["end"]) for s in spans]
    added = [
        {"type": span_type, "start": m.start(), "end": m.end(), "source": "coordinator"}
        for m in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE)
        if not any(start < m.end() and m.start() < end for start, end in covered)
    ]
    if not added:
        raise Invalid("Those words are not in the material, or are already redacted")
    return sorted(spans + added, key=lambda s: s["start"])


def spans_by_type(text: str, spans: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Spans grouped by type for the review page, each with its index and the words it hides."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for index, span in enumerate(spans):
        entry = {**span, "index": index, "words": text[span["start"] : span["end"]]}
        grouped.setdefault(span["type"], []).append(entry)
    return dict(sorted(grouped.items()))


def pages(text: str) -> list[str]:
    """The material split into pages (PDF pages, or the whole text as one page)."""
    return [page for page in text.split(PAGE_BREAK) if page.strip()] or [text]
