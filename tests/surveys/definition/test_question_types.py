"""Parsing, validation, summaries and exports of each question type, through the registry."""

from datetime import date

import pytest

from surveys.definition import NOT_ANSWERED, QUESTION_TYPES, Option

OPTIONS = (Option("a", "Apple"), Option("b", "Banana"))


def make(type_name, **fields):
    return QUESTION_TYPES[type_name].from_dict({"key": "q1", "title": "Question", **fields})


def opts():
    return [o.to_dict() for o in OPTIONS]


@pytest.mark.parametrize("type_name", sorted(set(QUESTION_TYPES) - {"consent"}))
def test_blank_answer_is_never_an_error(type_name):
    extra = {
        "single_choice": {"options": opts()},
        "multiple_choice": {"options": opts()},
        "rating": {"scale": "quality"},
        "rating_grid": {"scale": "quality", "rows": opts()},
    }.get(type_name, {})
    question = make(type_name, **extra)
    assert question.parse({}) == (None, [])
    assert question.parse({name: [" "] for name in question.field_names()}) == (None, [])
    assert question.summarise(None) == NOT_ANSWERED
    assert set(question.export(None).values()) == {None}


def test_single_choice_rejects_tampered_and_duplicate_values():
    question = make("single_choice", options=opts(), prefer_not_to_say=True)
    assert question.parse({"q-q1": ["prefer_not_to_say"]}) == ("prefer_not_to_say", [])
    assert question.parse({"q-q1": ["zzz"]}) == (None, ["Select one of the answers listed"])
    assert question.parse({"q-q1": ["a", "b"]}) == (None, ["Select one answer only"])
    assert question.export("b") == {"q1": "b", "q1_label": "Banana"}
    assert question.summarise("prefer_not_to_say") == "Prefer not to say"


def test_multiple_choice_keeps_other_text_only_when_other_is_ticked():
    question = make("multiple_choice", options=opts(), other_label="Other")
    value, errors = question.parse({"q-q1": ["other", "a"], "q-q1-other": [" Mango "]})
    assert (value, errors) == ({"selected": ["a", "other"], "other": "Mango"}, [])
    assert question.parse({"q-q1": ["a"], "q-q1-other": ["Mango"]}) == ({"selected": ["a"]}, [])
    assert question.summarise(value) == "Apple\nOther: Mango"


def test_multiple_choice_exports_one_zero_or_one_column_per_option():
    question = make("multiple_choice", options=opts(), other_label="Other", prefer_not_to_say=True)
    assert [c.name for c in question.export_columns()] == [
        "q1__a",
        "q1__b",
        "q1__other",
        "q1__prefer_not_to_say",
        "q1__other_text",
    ]
    assert question.export({"selected": ["b"]}) == {
        "q1__a": 0,
        "q1__b": 1,
        "q1__other": 0,
        "q1__prefer_not_to_say": 0,
        "q1__other_text": None,
    }


def test_multiple_choice_errors_on_unknown_values_and_prefer_not_to_say_with_others():
    question = make("multiple_choice", options=opts(), prefer_not_to_say=True)
    assert question.parse({"q-q1": ["a", "hack"]})[1] == ["Select one of the answers listed"]
    assert question.parse({"q-q1": ["a", "prefer_not_to_say"]})[1] == [
        "Select ‘Prefer not to say’ on its own, or untick it"
    ]


def test_multiple_choice_other_text_over_limit_is_an_error_not_an_exception():
    question = make("multiple_choice", options=opts(), other_label="Other", other_max_length=5)
    _, errors = question.parse({"q-q1": ["other"], "q-q1-other": ["x" * 9]})
    assert errors == ["Other answer must be 5 characters or fewer - you have 9"]


def test_rating_dont_know_is_kept_out_of_the_score():
    question = make("rating", scale="quality", dont_know_label="Don't know")
    assert question.export("very_good") == {
        "q1": "very_good",
        "q1_score": 5,
        "q1_label": "Very good",
    }
    assert question.export("very_poor")["q1_score"] == 1
    assert question.export("dont_know") == {
        "q1": "dont_know",
        "q1_score": None,
        "q1_label": "Don't know",
    }
    assert question.parse({"q-q1": ["excellent"]}) == (None, ["Select one of the ratings listed"])


def test_rating_grid_rows_are_each_optional_and_errors_name_the_row():
    question = make("rating_grid", scale="satisfaction", rows=opts())
    assert question.parse({"q-q1-b": ["satisfied"]}) == ({"b": "satisfied"}, [])
    value, errors = question.parse({"q-q1-a": ["bogus"], "q-q1-b": ["satisfied"]})
    assert value == {"b": "satisfied"}
    assert errors == ["Select one of the ratings listed for Apple"]
    assert question.summarise({"b": "satisfied"}) == "Banana: Satisfied"
    assert question.export({"b": "satisfied"})["q1__b_score"] == 4
    assert question.export({"b": "satisfied"})["q1__a"] is None


def test_long_text_over_its_limit_says_how_long_it_is():
    question = make("long_text")
    text = "x" * 2104
    assert question.parse({"q-q1": [text]}) == (
        text,
        ["Answer must be 2000 characters or fewer - you have 2104"],
    )


def test_three_words_keeps_box_positions():
    question = make("three_words")
    value, errors = question.parse({"q-q1-1": ["scared"], "q-q1-3": ["alone"]})
    assert (value, errors) == (["scared", "", "alone"], [])
    assert question.summarise(value) == "scared, alone"
    assert question.export(value) == {"q1_1": "scared", "q1_2": None, "q1_3": "alone"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("42", (42, [])),
        ("1,000", ("1000", ["Enter a number between 0 and 120"])),
        ("-1", ("-1", ["Enter a number between 0 and 120"])),
        ("12.5", ("12.5", ["Enter a whole number, like 12"])),
        ("lots", ("lots", ["Enter a whole number, like 12"])),
        ("9" * 400, ("9" * 50, ["Enter a whole number, like 12"])),
    ],
)
def test_number_gives_plain_range_messages(typed, expected):
    question = make("number", minimum=0, maximum=120)
    assert question.parse({"q-q1": [typed]}) == expected


def test_decimal_number_accepts_fractions():
    question = make("number", decimal=True, minimum=0)
    assert question.parse({"q-q1": ["2.5"]}) == (2.5, [])
    assert question.parse({"q-q1": ["-2"]})[1] == ["Enter a number that is 0 or more"]


TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("month", "year", "errors"),
    [
        ("3", "2021", []),
        ("11", "2026", []),
        ("12", "2026", ["Date must be this month or in the past"]),
        ("13", "2021", ["Month must be a number between 1 and 12"]),
        ("", "2021", ["Date must include a month"]),
        ("3", "", ["Date must include a year"]),
        ("3", "21", ["Year must include 4 numbers"]),
        ("3", "1850", ["Year must be 1900 or later"]),
    ],
)
def test_month_year_validation(month, year, errors):
    question = make("month_year", not_in_future=True)
    form = {"q-q1-month": [month], "q-q1-year": [year]}
    value, found = question.parse(form, today=TODAY)
    assert found == errors
    if not errors:
        assert value == f"{year}-{int(month):02d}"


def test_month_year_keeps_what_was_typed_for_redisplay_and_summarises_in_words():
    question = make("month_year")
    value, _ = question.parse({"q-q1-month": ["x"], "q-q1-year": ["2020"]})
    assert question.display_parts(value) == ("x", "2020")
    assert question.summarise("2021-03") == "March 2021"
    assert question.display_parts("2021-03") == ("3", "2021")


def test_consent_is_the_only_type_that_can_be_required():
    question = make("consent", label="I agree")
    assert question.parse({}) == (None, ["Tick the box if you want to take part"])
    assert question.parse({"q-q1": ["yes"]}) == ("yes", [])
    assert question.parse({"q-q1": ["sure"]})[1] == ["Tick the box or leave it empty"]
    assert make("consent", required=False).parse({}) == (None, [])


@pytest.mark.parametrize(
    ("type_name", "extra", "bad"),
    [
        ("single_choice", {"options": opts()}, ["a"]),
        ("multiple_choice", {"options": opts()}, {"selected": ["nope"]}),
        ("rating_grid", {"scale": "quality", "rows": opts()}, {"zz": "good"}),
        ("three_words", {}, "one"),
        ("number", {}, True),
        ("month_year", {}, "2021-13"),
    ],
)
def test_validate_rejects_malformed_stored_values_without_raising(type_name, extra, bad):
    assert make(type_name, **extra).validate(bad) != []


# One answer of each type that holds as much free text as the type can.
WORDY_ANSWERS = {
    "single_choice": ({"options": opts()}, "a"),
    "multiple_choice": (
        {"options": opts(), "other_label": "Other"},
        {"selected": ["a", "other"], "other": "my own words"},
    ),
    "rating": ({"scale": "quality"}, "good"),
    "rating_grid": ({"scale": "quality", "rows": opts()}, {"a": "good"}),
    "short_text": ({}, "my own words"),
    "long_text": ({}, "my own words"),
    "three_words": ({}, ["my", "own", "words"]),
    "number": ({}, 3),
    "month_year": ({}, "2024-05"),
    "consent": ({}, "yes"),
}


@pytest.mark.parametrize("type_name", list(QUESTION_TYPES))
def test_after_retention_no_type_keeps_words_a_respondent_wrote(type_name):
    """Every registered type is listed here, and what retention keeps of its answer has no free
    text: a type added without saying what retention strips fails this test."""
    fields, answer = WORDY_ANSWERS[type_name]
    question = make(type_name, **fields)
    assert question.validate(answer) == []
    kept = question.without_free_text(answer)
    assert question.free_text(kept) is None
    assert "words" not in str(kept)
    assert (kept == answer) == (not question.holds_free_text and "other" not in str(answer))
