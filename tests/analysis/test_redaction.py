import pytest

from analysis.nlp import Pipeline
from analysis.redaction import redact_frame, redact_texts

CASES = [
    ("My ex, Darren, keeps turning up", "My ex, [NAME], keeps turning up"),
    ("my husband John hit me", "my husband [NAME] hit me"),
    ("email me at jo.bloggs+vawg@example.co.uk today", "email me at [EMAIL] today"),
    ("ring 07700 900123 or 020 7946 0958", "ring [PHONE] or [PHONE]"),
    ("call +44 7700 900456.", "call [PHONE]."),
    ("I moved to CV21 2AB last year", "I moved to [POSTCODE] last year"),
    ("he lives at 14 Oak Tree Road now", "he lives at [ADDRESS] now"),
    ("NI number JT 48 21 90 B", "NI number [NI_NUMBER]"),
    ("NHS no 943 476 5919", "NHS no [NHS_NUMBER]"),
    ("born on 12/03/1985 in Rugby", "born on [DOB] in Rugby"),
    ("date of birth: 3rd March 1990", "date of birth: [DOB]"),
    ("see https://example.org/help?x=1.", "see [URL]."),
    ("see www.refuge.org.uk for help", "see [URL] for help"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_personal_data_type_is_replaced_by_its_typed_placeholder(
    blank_pipeline: Pipeline, text: str, expected: str
) -> None:
    assert redact_texts([text], blank_pipeline).texts == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I said it quickly.Then I left.",
        "Call 999 in an emergency or 101 otherwise.",
        "It happened in 2019 and again 3 times since.",
        "The police were helpful, e.g. they listened.",
        "I had 12 sessions with my counsellor.",
    ],
)
def test_ordinary_text_is_left_untouched(blank_pipeline: Pipeline, text: str) -> None:
    result = redact_texts([text], blank_pipeline)
    assert result.texts == [text]
    assert result.log.empty


def test_log_records_type_and_position_but_never_the_redacted_text(
    blank_pipeline: Pipeline,
) -> None:
    text = "my partner Marcus texted 07700 900123"
    result = redact_texts([text], blank_pipeline)
    assert result.log[["type", "start", "end"]].values.tolist() == [
        ["NAME", 11, 17],
        ["PHONE", 25, 37],
    ]
    flat = result.log.astype(str).to_string()
    assert "Marcus" not in flat and "900123" not in flat


def test_without_trained_pipeline_output_says_name_redaction_was_pattern_only(
    blank_pipeline: Pipeline,
) -> None:
    result = redact_texts(["hello"], blank_pipeline)
    assert "pattern-only" in result.name_redaction
    assert any("pattern-only" in note for note in result.notes)


def test_redacted_frame_is_marked_redacted(blank_pipeline: Pipeline) -> None:
    import pandas as pd

    frame = pd.DataFrame({"id": [1, 2], "text": ["my ex, Darren", None]})
    out, log, _ = redact_frame(frame, ["text"], blank_pipeline)
    assert out["text"].tolist() == ["my ex, [NAME]", ""]
    assert out["redaction"].str.startswith("redacted").all()
    assert log["column"].tolist() == ["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My ex-husband Gary kept ringing", "My ex-husband [NAME] kept ringing"),
        ("my ex-partner, Lee, texts the kids", "my ex-partner, [NAME], texts the kids"),
        ("My step-dad Kevin hit my mum", "My step-dad [NAME] hit my mum"),
        ("My brother-in-law Steve rang them", "My brother-in-law [NAME] rang them"),
        ("My support worker, Tasha Brown, helped", "My support worker, [NAME], helped"),
    ],
)
def test_hyphenated_relation_words_cue_a_name_without_the_trained_model(
    blank_pipeline: Pipeline, text: str, expected: str
) -> None:
    assert redact_texts([text], blank_pipeline).texts == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my date of birth (12/03/1987) is on file", "my date of birth ([DOB]) is on file"),
        ("Date of birth - 22/07/1965, please check", "Date of birth - [DOB], please check"),
        ("my d.o.b. (1.2.88) again", "my d.o.b. ([DOB]) again"),
        ("DOB: 04/11/1979 each time", "DOB: [DOB] each time"),
        ("I was born 14 February 1992 so", "I was born [DOB] so"),
    ],
)
def test_date_of_birth_cue_allows_brackets_and_dashes(
    blank_pipeline: Pipeline, text: str, expected: str
) -> None:
    assert redact_texts([text], blank_pipeline).texts == [expected]


def test_phone_number_with_bracketed_area_code(blank_pipeline: Pipeline) -> None:
    text = "The office number (020) 7946 0321 rings out"
    assert redact_texts([text], blank_pipeline).texts == ["The office number [PHONE] rings out"]


@pytest.mark.parametrize(
    "text",
    [
        "The 999 call handler was calm.",
        "The meeting was in Room 101 at the civic centre.",
        "It was Monday 12/03 when it happened.",
        "I was born in 1990 in Rugby.",
    ],
)
def test_numbers_that_are_not_personal_data_stay(blank_pipeline: Pipeline, text: str) -> None:
    assert redact_texts([text], blank_pipeline).texts == [text]


def _doc_with_person(blank_pipeline: Pipeline, text: str, start: int, end: int):  # type: ignore[no-untyped-def]
    from spacy.tokens import Span

    doc = blank_pipeline.nlp(text)
    doc.ents = [Span(doc, start, end, label="PERSON")]
    return doc


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("I moved from Nuneaton last year", 3, 4),
        ("The refuge in Leamington Spa was brilliant", 3, 5),
        ("Buses to Kidderminster are hopeless", 2, 3),
    ],
)
def test_ner_person_hits_on_uk_place_names_are_not_redacted(
    blank_pipeline: Pipeline, text: str, start: int, end: int
) -> None:
    from analysis.redaction import pii_spans

    assert pii_spans(_doc_with_person(blank_pipeline, text, start, end), use_ner=True) == []


def test_ner_person_hits_that_are_not_places_are_still_redacted(
    blank_pipeline: Pipeline,
) -> None:
    from analysis.redaction import pii_spans

    spans = pii_spans(_doc_with_person(blank_pipeline, "I told Gary Thompson", 2, 4), True)
    assert [(s.text, s.label_) for s in spans] == [("Gary Thompson", "NAME")]


def test_cue_matched_names_are_redacted_even_when_they_look_like_places(
    blank_pipeline: Pipeline,
) -> None:
    # The allow-list applies to NER hits only: a cue says this is a person.
    assert redact_texts(["my husband Warwick hit me"], blank_pipeline).texts == [
        "my husband [NAME] hit me"
    ]


def test_trained_ner_does_not_redact_towns_as_names() -> None:
    from analysis.nlp import build_pipeline

    pipeline = build_pipeline("full")
    if not pipeline.trained:
        pytest.skip("trained pipeline not installed")
    text = "I moved from Nuneaton to the refuge in Leamington Spa, my ex-husband Gary followed."
    assert redact_texts([text], pipeline).texts == [
        "I moved from Nuneaton to the refuge in Leamington Spa, my ex-husband [NAME] followed."
    ]
