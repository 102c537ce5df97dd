"""Redaction spans over case material: applying, adding by phrase, grouping, pages."""

from __future__ import annotations

import pytest

from consult.errors import Invalid
from panels.material import add_phrase, apply_spans, pages, spans_by_type

TEXT = "Sam rang 07700 900123. Sam was upset."


def span(kind: str, start: int, end: int) -> dict[str, object]:
    return {"type": kind, "start": start, "end": end, "source": "rule"}


def test_spans_are_replaced_by_their_type_and_overlaps_do_not_leak() -> None:
    spans = [span("PHONE", 9, 21), span("OTHER", 15, 25)]
    # The overlapping span's words go with the first marker; nothing of either is left.
    assert apply_spans(TEXT, spans) == "Sam rang [PHONE]m was upset."


def test_adding_a_phrase_redacts_every_place_it_appears() -> None:
    spans = add_phrase(TEXT, [span("PHONE", 9, 21)], "sam", "NAME")
    assert apply_spans(TEXT, spans) == "[NAME] rang [PHONE]. [NAME] was upset."
    grouped = spans_by_type(TEXT, spans)
    assert [e["words"] for e in grouped["NAME"]] == ["Sam", "Sam"]


def test_adding_words_that_are_not_there_or_of_no_type_is_a_message() -> None:
    with pytest.raises(Invalid, match="not in the material"):
        add_phrase(TEXT, [], "Alex", "NAME")
    with pytest.raises(Invalid, match="Choose what kind"):
        add_phrase(TEXT, [], "Sam", "SECRET")
    with pytest.raises(Invalid, match="Enter the words"):
        add_phrase(TEXT, [], "  ", "NAME")


def test_material_is_split_into_pages_at_form_feeds() -> None:
    assert pages("one\ftwo\f") == ["one", "two"]
    assert pages("") == [""]
