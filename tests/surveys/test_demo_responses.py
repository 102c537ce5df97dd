"""The demo's generated responses: the Call for Evidence's mix, answers every question type
accepts, only questions routed to each type, and the same responses on every load."""

from __future__ import annotations

from collections import Counter

from surveys.definition import load_definition
from surveys.demo_loader import DEMO_DEFINITION
from surveys.demo_responses import MIX, generate


def test_generated_responses_follow_the_call_for_evidence_mix() -> None:
    survey = load_definition(DEMO_DEFINITION)
    types = Counter(r.respondent_type for r in generate(survey, 504))
    assert types == Counter(MIX)
    scaled = Counter(r.respondent_type for r in generate(survey, 620))
    assert sum(scaled.values()) == 620
    assert scaled["victim_survivor"] == round(184 * 620 / 504)


def test_generated_answers_are_valid_and_routed_by_respondent_type() -> None:
    survey = load_definition(DEMO_DEFINITION)
    texts = set()
    for response in generate(survey, 300):
        for key, value in response.answers.items():
            question = survey.question(key)
            assert question.validate(value) == [], (key, value)
        section_of = {q.key: s for s in survey.sections for q in s.questions}
        for key in response.answers:
            limits = section_of[key].respondent_types
            assert not limits or response.respondent_type in limits, key
        texts.add(response.answers.get("prevention"))
    assert len(texts) > 50  # free text varies from response to response


def test_generation_is_the_same_every_time() -> None:
    survey = load_definition(DEMO_DEFINITION)
    first = [r.answers for r in generate(survey, 50)]
    assert first == [r.answers for r in generate(survey, 50)]
