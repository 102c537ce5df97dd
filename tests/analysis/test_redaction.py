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


# --- Names from lists and context, services, keep, confirm API (issue 17) ---------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i told kerry my idva everything", "i told [NAME] my idva everything"),
        ("Rose from Women's Aid sat with me", "[NAME] from Women's Aid sat with me"),
        ("Priya at the front desk was kind", "[NAME] at the front desk was kind"),
        ("Siobhan answered the phone", "[NAME] answered the phone"),
        ("Helen's advice saved my life", "[NAME]'s advice saved my life"),
        ("My ex Will still has keys", "My ex [NAME] still has keys"),
        ("Grace at the hospital asked", "[NAME] at the hospital asked"),
        ("Mo was the only officer who helped", "[NAME] was the only officer who helped"),
        ("The social worker, Sophie Marsh-Hall, left", "The social worker, [NAME], left"),
        ("Nguyen Van Minh knew", "[NAME] knew"),
        ("my ex gaz still posts about me", "my ex [NAME] still posts about me"),
        ("the officer, PC Gallagher, was rude", "the officer, [NAME], was rude"),
        ("Thanks to Olu for believing me", "Thanks to [NAME] for believing me"),
    ],
)
def test_names_in_lower_case_at_sentence_start_before_roles_and_that_are_words(
    blank_pipeline: Pipeline, text: str, expected: str
) -> None:
    assert redact_texts([text], blank_pipeline).texts == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "MARAC was mentioned but nobody explained it.",
        "Cafcass spoke to my children for ten minutes.",
        "Victim Support were kind but overstretched.",
        "I applied under Clare's Law and Sarah's Law.",
        "My IDVA and my ISVA were brilliant.",
        "I had 2 Family Court hearings and 3 Crown Court dates.",
        "i had 2 family court hearings and 3 crown court dates",
        "We moved from Chester to Nuneaton.",
        "The Chester refuge was full, so was Chester Women's Aid.",
        "The Bill for the flat was in my name.",
        "The website was useless.info on there was old.",
        "Hope is all I had left.",
        "Will anyone read this?",
        "It happened in May and again in June.",
        "St Mary's SARC and the George Eliot Hospital were good.",
        "The Suzy Lamplugh Trust helped with the stalking.",
        "He tracked me on WhatsApp and Snapchat.",
    ],
)
def test_services_places_and_words_that_look_like_names_stay(
    blank_pipeline: Pipeline, text: str
) -> None:
    result = redact_texts([text], blank_pipeline)
    assert result.texts == [text], result.log


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He rings from 0044 7700 900 987 daily", "He rings from [PHONE] daily"),
        ("reach me on +44 (0)7700 900987.", "reach me on [PHONE]."),
        ("call 0044 (0) 7700 900 111 or +48 600 123 456", "call [PHONE] or [PHONE]"),
        ("born on the 2nd of May 2011 in Rugby", "born on [DOB] in Rugby"),
        ("She was born March 3rd, 2012.", "She was born [DOB]."),
        ("my date of birth is the twenty-first of June 1984", "my date of birth is [DOB]"),
        ("He lives at 12 high street now", "He lives at [ADDRESS] now"),
        ("We were at Flat 4, 19 Mill Lane then", "We were at [ADDRESS] then"),
        ("send to 31 the crescent, ws1 3ab", "send to [ADDRESS], [POSTCODE]"),
        ("NI number QQ 12 34 56 C", "NI number [NI_NUMBER]"),
    ],
)
def test_international_phones_dates_in_words_and_lower_case_addresses(
    blank_pipeline: Pipeline, text: str, expected: str
) -> None:
    assert redact_texts([text], blank_pipeline).texts == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I called them 3 times in a row and nobody came.",
        "4 police officers came to the house.",
        "I was born in 1990 and moved in 2010.",
        "We were in Court 2 for the hearing.",
    ],
)
def test_numbers_near_street_words_are_no_address(blank_pipeline: Pipeline, text: str) -> None:
    assert redact_texts([text], blank_pipeline).texts == [text]


def test_keep_phrases_are_never_redacted(blank_pipeline: Pipeline) -> None:
    text = "Maggie's and the Rose Project helped; Rose from the Rose Project rang."
    plain = redact_texts([text], blank_pipeline).texts[0]
    assert plain == "[NAME]'s and the Rose Project helped; [NAME] from the Rose Project rang."
    kept = redact_texts([text], blank_pipeline, keep=["Maggie's", "rose project"]).texts[0]
    assert kept == "Maggie's and the Rose Project helped; [NAME] from the Rose Project rang."


def test_keep_applies_to_addresses_and_to_area_place_names(blank_pipeline: Pipeline) -> None:
    text = "The Maple Court service at 3 Maple Court is in Kingsbury."
    redacted = redact_texts([text], blank_pipeline, keep=("Maple Court", "Kingsbury")).texts[0]
    assert redacted == text


def test_propose_then_apply_is_what_redact_texts_does(blank_pipeline: Pipeline) -> None:
    from analysis.redaction import RedactionSpan, apply_redactions, propose_redactions

    text = "My ex Will rang 07700 900123 from 12 high street."
    spans = propose_redactions(text, blank_pipeline)
    assert spans == [
        RedactionSpan("NAME", 6, 10, "rule"),
        RedactionSpan("PHONE", 16, 28, "rule"),
        RedactionSpan("ADDRESS", 34, 48, "rule"),
    ]
    assert apply_redactions(text, spans) == redact_texts([text], blank_pipeline).texts[0]
    # a person undoes the address and adds the missed "rang" (say): exactly that is published
    confirmed = [*spans[:2], ("NAME", 11, 15)]
    assert apply_redactions(text, confirmed) == "My ex [NAME] [NAME] [PHONE] from 12 high street."


@pytest.mark.parametrize(
    "spans",
    [
        [("NAME", 0, 99)],
        [("NAME", 0, 5), ("PHONE", 3, 8)],
        [("SECRET", 0, 2)],
        [("NAME", 4, 4)],
    ],
)
def test_apply_redactions_refuses_bad_spans(spans: list) -> None:  # type: ignore[type-arg]
    from analysis.redaction import apply_redactions

    with pytest.raises(ValueError):
        apply_redactions("some text here", spans)


def test_parallel_redaction_gives_the_same_result(blank_pipeline: Pipeline) -> None:
    texts = ["my ex Darren rang 07700 900123", "nothing here", "Grace at the GP"] * 700
    one = redact_texts(texts, blank_pipeline, n_process=1)
    two = redact_texts(texts, blank_pipeline, n_process=2)
    assert one.texts == two.texts
    assert one.log.equals(two.log)


def test_trained_ner_only_decides_words_the_rules_leave_undecided() -> None:
    from analysis.nlp import build_pipeline

    pipeline = build_pipeline("full")
    if not pipeline.trained:
        pytest.skip("trained pipeline not installed")
    texts = [
        "Email me at jo@example.com if you need to.",  # NER alone tags "Email" as a person
        "The Bill for the flat came to me.",
    ]
    assert redact_texts(texts, pipeline).texts == [
        "Email me at [EMAIL] if you need to.",
        "The Bill for the flat came to me.",
    ]


def test_concurrent_calls_keep_their_own_keep_lists(blank_pipeline: Pipeline) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["Maggie's helped, and so did Sophie."] * 3000
    with ThreadPoolExecutor(2) as pool:
        kept = pool.submit(redact_texts, texts, blank_pipeline, keep=["Maggie's"])
        plain = pool.submit(redact_texts, texts, blank_pipeline)
        assert set(kept.result().texts) == {"Maggie's helped, and so did [NAME]."}
        assert set(plain.result().texts) == {"[NAME]'s helped, and so did [NAME]."}


def test_a_place_that_is_also_a_name_is_a_person_after_a_relation(blank_pipeline: Pipeline) -> None:
    texts = ["my son Chester is 4", "I told Chester everything"]
    assert redact_texts(texts, blank_pipeline).texts == [
        "my son [NAME] is 4",
        "I told [NAME] everything",
    ]
