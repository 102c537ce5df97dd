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
