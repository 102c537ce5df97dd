"""Quotes a person confirms before they leave the workspace: machine-proposed redaction spans,
one action to add a missed span or undo a wrong one, and the confirmed text is what is used.

Spans are character offsets into the answer as stored, with a type from
`analysis.redaction.PII_TYPES`; nothing here keeps the words a span covers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from analysis.redaction import PII_TYPES, propose_redactions
from consult.consultations.models import Consultation
from consult.errors import Invalid

Span = dict[str, Any]  # {"type", "start", "end", "by": "machine" | "person"}


def propose_spans(text: str, keep: Sequence[str] = ()) -> list[Span]:
    """What the redaction pipeline would hide, never the names in `keep` (the consultation's
    own support services and areas). CPU work: call it off the event loop."""
    return normalised(
        [
            {"type": span.type, "start": span.start, "end": span.end, "by": "machine"}
            for span in propose_redactions(text, keep=keep)
        ]
    )


def published_names(consultation: Consultation) -> list[str]:
    """What the consultation itself publishes, so never redacted: its support directory's
    services and its areas."""
    return [s.name for s in consultation.support_services] + list(consultation.areas or [])


def normalised(spans: list[Span]) -> list[Span]:
    """Sorted, with overlapping spans merged (the earlier span's type is kept)."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if out and span["start"] < out[-1]["end"]:
            out[-1]["end"] = max(out[-1]["end"], span["end"])
            continue
        out.append(dict(span))
    return out


def add_span(text: str, spans: list[Span], words: str, kind: str) -> list[Span]:
    """Hide every occurrence of `words` (case ignored) as `kind`."""
    words = words.strip()
    if kind not in PII_TYPES:
        raise Invalid("Choose what kind of personal data the words are")
    if not words:
        raise Invalid("Enter the words to hide, exactly as they appear in the quote")
    found = [m.span() for m in re.finditer(re.escape(words), text, re.IGNORECASE)]
    if not found:
        raise Invalid("Those words are not in the quote: copy them exactly as they appear")
    added = [{"type": kind, "start": a, "end": b, "by": "person"} for a, b in found]
    return normalised([*spans, *added])


def undo_span(spans: list[Span], index: int) -> tuple[list[Span], Span]:
    if not 0 <= index < len(spans):
        raise Invalid("That redaction is no longer there")
    kept = [s for i, s in enumerate(spans) if i != index]
    return kept, spans[index]


def apply_spans(text: str, spans: list[Span]) -> str:
    pieces: list[str] = []
    cursor = 0
    for span in normalised(spans):
        pieces.append(text[cursor : span["start"]])
        pieces.append(f"[{span['type']}]")
        cursor = span["end"]
    pieces.append(text[cursor:])
    return "".join(pieces)


def pieces(text: str, spans: list[Span]) -> list[tuple[str, Span | None, int]]:
    """The quote cut into plain text and spans (with their index), for showing highlights."""
    out: list[tuple[str, Span | None, int]] = []
    cursor = 0
    for index, span in enumerate(spans):
        if span["start"] > cursor:
            out.append((text[cursor : span["start"]], None, -1))
        out.append((text[span["start"] : span["end"]], span, index))
        cursor = span["end"]
    if cursor < len(text):
        out.append((text[cursor:], None, -1))
    return out
