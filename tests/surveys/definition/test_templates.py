"""Every question partial renders with a value and with an error, and names exactly the
fields ``parse`` reads, so rendering and parsing cannot drift apart."""

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from surveys.definition import QUESTION_TYPES, Option, QuestionType

TEMPLATES = Path(__file__).resolve().parents[3] / "surveys" / "templates"
OPTIONS = (Option("a", "Apple"), Option("b", "Banana", hint="Yellow"))

SAMPLES: dict[str, tuple[QuestionType, dict[str, list[str]]]] = {
    "single_choice": (
        QUESTION_TYPES["single_choice"](
            key="fruit", title="Fruit?", hint="Pick one", options=OPTIONS, prefer_not_to_say=True
        ),
        {"q-fruit": ["b"]},
    ),
    "multiple_choice": (
        QUESTION_TYPES["multiple_choice"](
            key="fruits",
            title="Fruits?",
            options=OPTIONS,
            other_label="Other",
            prefer_not_to_say=True,
        ),
        {"q-fruits": ["a", "other"], "q-fruits-other": ["Mango"]},
    ),
    "rating": (
        QUESTION_TYPES["rating"].from_dict(
            {"key": "mood", "title": "Mood?", "scale": "quality", "dont_know_label": "Don't know"}
        ),
        {"q-mood": ["good"]},
    ),
    "rating_grid": (
        QUESTION_TYPES["rating_grid"].from_dict(
            {
                "key": "services",
                "title": "Services?",
                "scale": "satisfaction",
                "dont_know_label": "Don't know",
                "rows": [{"value": "police", "label": "Police"}, {"value": "gp", "label": "GP"}],
            }
        ),
        {"q-services-police": ["satisfied"]},
    ),
    "short_text": (QUESTION_TYPES["short_text"](key="name", title="Town?"), {"q-name": ["Rugby"]}),
    "long_text": (
        QUESTION_TYPES["long_text"](key="story", title="Tell us", hint="Optional"),
        {"q-story": ["Some words"]},
    ),
    "three_words": (
        QUESTION_TYPES["three_words"](key="words", title="Three words"),
        {"q-words-1": ["calm"], "q-words-3": ["safe"]},
    ),
    "number": (
        QUESTION_TYPES["number"](key="age", title="Age?", minimum=0, maximum=120, suffix="years"),
        {"q-age": ["42"]},
    ),
    "month_year": (
        QUESTION_TYPES["month_year"](key="when", title="When?", not_in_future=True),
        {"q-when-month": ["3"], "q-when-year": ["2021"]},
    ),
    "consent": (
        QUESTION_TYPES["consent"](key="ok", title="Taking part", label="I agree"),
        {"q-ok": ["yes"]},
    ),
}


@pytest.fixture(scope="module")
def env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )


def render(env: Environment, question: QuestionType, value, errors, heading=False) -> str:
    rendering = question.render(value, errors, heading=heading)
    return env.get_template(rendering.template).render(**rendering.context)


def test_every_registered_type_has_a_sample():
    assert set(SAMPLES) == set(QUESTION_TYPES)


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_partial_posts_exactly_the_fields_parse_reads(env, type_name):
    question, form = SAMPLES[type_name]
    value, errors = question.parse(form)
    assert errors == []
    html = render(env, question, value, [])
    names = set(re.findall(r'\bname="([^"]+)"', html))
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert names == set(question.field_names())
    assert set(question.field_names()) <= ids
    assert question.error_anchor in ids


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_partial_shows_the_stored_answer_back(env, type_name):
    question, form = SAMPLES[type_name]
    value, _ = question.parse(form)
    html = render(env, question, value, [])
    assert "checked" in html or any(
        f'value="{v[0]}"' in html or f">{v[0]}<" in html for v in form.values()
    )


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_partial_with_an_error_marks_the_group_and_prefixes_error(env, type_name):
    question, _ = SAMPLES[type_name]
    html = render(env, question, None, ["Enter a number between 0 and 120"])
    assert "govuk-form-group--error" in html
    assert (
        '<span class="govuk-visually-hidden">Error:</span> Enter a number between 0 and 120' in html
    )
    assert f'id="{question.field_name}-error"' in html
    assert 'aria-describedby="' in html and f"{question.field_name}-error" in html


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_partial_uses_the_question_as_page_heading_when_asked(env, type_name):
    question, _ = SAMPLES[type_name]
    html = render(env, question, None, [], heading=True)
    heading_html = re.search(r"<h1[^>]*>(.*?)</h1>", html)
    assert heading_html is not None
    assert question.title in heading_html.group(1)
    assert "govuk-fieldset__legend--l" in html or "govuk-label--l" in html


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
def test_partial_has_no_inline_script_or_event_handlers(env, type_name):
    question, form = SAMPLES[type_name]
    html = render(env, question, question.parse(form)[0], ["Problem"])
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_sensitive_free_text_switches_autocomplete_off(env):
    for type_name in ("short_text", "long_text", "three_words"):
        question, _ = SAMPLES[type_name]
        assert 'autocomplete="off"' in render(env, question, None, [])


def test_long_text_states_its_limit_and_uses_character_count_markup(env):
    question, _ = SAMPLES["long_text"]
    html = render(env, question, None, [])
    assert 'data-module="govuk-character-count"' in html
    assert 'data-maxlength="2000"' in html
    assert "You can enter up to 2000 characters" in html


def test_other_box_is_hidden_only_while_other_is_not_ticked(env):
    question, _ = SAMPLES["multiple_choice"]
    assert "govuk-checkboxes__conditional--hidden" in render(env, question, None, [])
    shown = render(env, question, {"selected": ["other"], "other": "Mango"}, [])
    assert "govuk-checkboxes__conditional--hidden" not in shown
    assert 'value="Mango"' in shown


def test_text_answers_are_escaped(env):
    question, _ = SAMPLES["short_text"]
    html = render(env, question, '"><script>alert(1)</script>', [])
    assert "<script>" not in html
