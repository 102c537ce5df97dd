"""Loading, checking and dumping definitions, including the demo survey."""

import json
from pathlib import Path

import pytest

from surveys.definition import (
    QUESTION_TYPES,
    DefinitionError,
    dump_definition,
    load_definition,
    survey_from_dict,
    visible_pages,
)
from surveys.definition.loading import survey_schema

DEMO = Path(__file__).resolve().parents[3] / "surveys" / "demo" / "call_for_evidence.yaml"


def survey_with(*questions, **top):
    return {
        "key": "s",
        "title": "S",
        **top,
        "sections": [
            {"key": "one", "title": "One", "pages": [{"questions": [q]} for q in questions]}
        ],
    }


def choice(key, *values, **extra):
    options = [{"value": v, "label": v.title()} for v in values]
    return {"key": key, "type": "single_choice", "title": key, "options": options, **extra}


def problems(data):
    with pytest.raises(DefinitionError) as caught:
        survey_from_dict(data)
    return caught.value.messages


def test_demo_survey_loads_and_round_trips_through_yaml_and_json():
    survey = load_definition(DEMO)
    assert load_definition(dump_definition(survey, "yaml")) == survey
    assert load_definition(dump_definition(survey, "json")) == survey
    assert json.loads(dump_definition(survey, "json"))["key"] == "call_for_evidence"


def test_demo_survey_routes_each_respondent_type_to_its_own_questions():
    survey = load_definition(DEMO)

    def keys(who):
        refs = visible_pages(survey, {"respondent_type": who})
        return {q.key for ref in refs for q in survey.page(ref).questions}

    assert {"abuse_types", "service_satisfaction", "words_then", "barriers"} <= keys("on_behalf")
    assert "sector" not in keys("victim_survivor")
    assert {"sector", "pursuing_perpetrators"} <= keys("professional")
    assert "abuse_types" not in keys("public")
    assert {"age_band", "area"} <= keys("public")


def test_demo_survey_sensitive_sections_are_skippable_with_content_notes():
    survey = load_definition(DEMO)
    for key in ("experience", "support", "equality"):
        section = next(s for s in survey.sections if s.key == key)
        assert section.skippable
        assert section.content_note


def test_schema_lists_every_registered_question_type():
    schema = survey_schema()
    assert schema["$defs"]["question"]["properties"]["type"]["enum"] == list(QUESTION_TYPES)
    branches = [
        b["if"]["properties"]["type"]["const"] for b in schema["$defs"]["question"]["allOf"]
    ]
    assert branches == list(QUESTION_TYPES)


def test_empty_options_and_unknown_type_are_reported_with_field_paths():
    data = survey_with(
        {"key": "a", "type": "single_choice", "title": "A", "options": []},
        {"key": "b", "type": "slider", "title": "B"},
    )
    found = problems(data)
    assert "sections[0].pages[0].questions[0].options: must not be empty" in found
    assert any(
        m.startswith("sections[0].pages[1].questions[0].type: unknown question type 'slider'")
        for m in found
    )


def test_unknown_field_is_reported():
    found = problems(survey_with({"key": "a", "type": "short_text", "title": "A", "colour": 1}))
    assert found == ["sections[0].pages[0].questions[0]: unknown field(s): 'colour' was unexpected"]


def test_duplicate_keys_and_option_values_are_reported():
    found = problems(survey_with(choice("a", "x", "x"), choice("a", "y")))
    assert "sections[0].pages[0].questions[0].options[1].value: 'x' is used twice" in found
    assert (
        "sections[0].pages[1].questions[0].key: 'a' is already used by "
        "sections[0].pages[0].questions[0]"
    ) in found


def test_option_value_reserved_for_prefer_not_to_say_is_reported():
    found = problems(survey_with(choice("a", "prefer_not_to_say", prefer_not_to_say=True)))
    assert found[0].startswith("sections[0].pages[0].questions[0].options[0].value: ")


def test_condition_on_a_missing_or_later_question_is_rejected():
    found = problems(
        survey_with(
            {**choice("a", "x"), "show_if": {"question": "b", "equals": "x"}},
            {**choice("b", "x"), "show_if": {"question": "nope", "answered": True}},
        )
    )
    assert found == [
        "sections[0].pages[0].questions[0].show_if: refers to 'b', which is not asked on an "
        "earlier page; conditions may only use earlier answers",
        "sections[0].pages[1].questions[0].show_if: refers to 'nope', which is not a question "
        "in this survey",
    ]


def test_condition_that_can_never_hold_makes_the_page_unreachable():
    data = survey_with(choice("a", "x", "y"), choice("b", "z"))
    data["sections"][0]["pages"][1]["show_if"] = {
        "all": [{"question": "a", "equals": "x"}, {"question": "a", "equals": "y"}]
    }
    assert problems(data) == [
        "sections[0].pages[1].show_if: can never be true, so this page is unreachable"
    ]


def test_condition_on_a_value_that_is_not_an_option_is_unreachable():
    data = survey_with(
        choice("a", "x"), {**choice("b", "z"), "show_if": {"question": "a", "equals": "q"}}
    )
    assert problems(data) == [
        "sections[0].pages[1].questions[0].show_if: can never be true, so this question is "
        "unreachable"
    ]


def test_condition_with_two_tests_is_rejected():
    data = survey_with(
        choice("a", "x"),
        {**choice("b", "z"), "show_if": {"question": "a", "equals": "x", "answered": True}},
    )
    assert problems(data)[0].startswith("sections[0].pages[1].questions[0].show_if: must have")


def test_respondent_types_need_the_survey_to_name_its_question():
    data = survey_with(
        choice("who", "public"), {**choice("b", "z"), "respondent_types": ["public"]}
    )
    assert problems(data) == [
        "sections[0].pages[1].questions[0].respondent_types: needs respondent_type_question to "
        "be set on the survey"
    ]
    data["respondent_type_question"] = "who"
    assert survey_from_dict(data).respondent_type_question == "who"


def test_respondent_type_not_offered_by_the_question_is_reported():
    data = survey_with(
        choice("who", "public"),
        {**choice("b", "z"), "respondent_types": ["professional"]},
        respondent_type_question="who",
    )
    assert (
        "sections[0].pages[1].questions[0].respondent_types: 'professional' is not an option of "
        "'who'"
    ) in problems(data)


def test_minimum_above_maximum_is_reported():
    data = survey_with({"key": "n", "type": "number", "title": "N", "minimum": 5, "maximum": 1})
    assert problems(data) == [
        "sections[0].pages[0].questions[0].maximum: must not be less than minimum (5)"
    ]


def test_unreadable_text_and_missing_file_raise_definition_error():
    with pytest.raises(DefinitionError) as caught:
        load_definition("key: [unclosed\n")
    assert caught.value.messages[0].startswith("definition: not valid YAML")
    with pytest.raises(DefinitionError):
        load_definition(Path("/nonexistent/survey.yaml"))
    with pytest.raises(DefinitionError) as caught:
        load_definition("just a string\n")
    assert caught.value.messages == ["definition: must be an object"]


def test_a_string_naming_a_file_is_text_not_a_path_to_read():
    with pytest.raises(DefinitionError) as caught:
        load_definition(str(DEMO))
    assert caught.value.messages == ["definition: must be an object"]
