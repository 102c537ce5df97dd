"""Routing through a small survey: respondent types, conditions, skipped sections, pruning."""

import dataclasses

import pytest

from surveys.definition import (
    PageRef,
    load_definition,
    next_page,
    previous_page,
    prune_answers,
    visible_pages,
    visible_question_count,
    visible_questions,
)
from surveys.definition.routing import is_on_route

SURVEY = load_definition(
    """
key: routing_test
title: Routing test
respondent_type_question: who
sections:
  - key: start
    title: Start
    pages:
      - questions:
          - key: who
            type: single_choice
            title: Who are you?
            options:
              - {value: victim_survivor, label: Lived experience}
              - {value: on_behalf, label: On behalf}
              - {value: professional, label: Professional}
              - {value: public, label: Public}
  - key: experience
    title: Experience
    skippable: true
    content_note: About what happened.
    respondent_types: [victim_survivor, on_behalf]
    pages:
      - questions:
          - key: kinds
            type: multiple_choice
            title: Kinds
            options: [{value: stalking, label: Stalking}, {value: online, label: Online}]
      - show_if: {question: kinds, equals: stalking}
        questions:
          - key: stalking_detail
            type: long_text
            title: Tell us more
      - questions:
          - key: police_contact
            type: single_choice
            title: Contact with police?
            options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
  - key: services
    title: Services
    respondent_types: [victim_survivor, on_behalf]
    pages:
      - questions:
          - key: police_rating
            type: rating
            title: Police rating
            scale: satisfaction
            show_if: {question: police_contact, equals: "yes"}
          - key: general
            type: short_text
            title: Anything else?
      - show_if:
          all:
            - {question: kinds, any_of: [online]}
            - {not: {question: police_contact, equals: "yes"}}
        questions:
          - key: online_only
            type: short_text
            title: Online only
  - key: work
    title: Work
    respondent_types: [professional]
    pages:
      - questions:
          - key: sector
            type: short_text
            title: Sector
  - key: ending
    title: Ending
    pages:
      - questions:
          - key: final
            type: long_text
            title: Final thoughts
"""
)

START = PageRef(0, 0)
KINDS, STALKING, POLICE = PageRef(1, 0), PageRef(1, 1), PageRef(1, 2)
SERVICES, ONLINE_ONLY = PageRef(2, 0), PageRef(2, 1)
WORK, ENDING = PageRef(3, 0), PageRef(4, 0)


def test_with_no_answers_only_pages_without_conditions_are_on_the_route():
    assert visible_pages(SURVEY, {}) == [START, ENDING]


def test_respondent_type_selects_its_sections():
    assert visible_pages(SURVEY, {"who": "professional"}) == [START, WORK, ENDING]
    assert visible_pages(SURVEY, {"who": "public"}) == [START, ENDING]
    assert visible_pages(SURVEY, {"who": "on_behalf"}) == [START, KINDS, POLICE, SERVICES, ENDING]


def test_page_condition_on_multiple_choice_holds_when_option_ticked():
    answers = {"who": "victim_survivor", "kinds": {"selected": ["stalking", "online"]}}
    assert visible_pages(SURVEY, answers) == [
        START,
        KINDS,
        STALKING,
        POLICE,
        SERVICES,
        ONLINE_ONLY,
        ENDING,
    ]


def test_condition_on_a_question_in_another_section_controls_a_later_question():
    answers = {"who": "victim_survivor", "police_contact": "yes"}
    keys = [q.key for q in visible_questions(SURVEY, SERVICES, answers)]
    assert keys == ["police_rating", "general"]
    answers["police_contact"] = "no"
    assert [q.key for q in visible_questions(SURVEY, SERVICES, answers)] == ["general"]


def test_all_and_not_conditions_combine():
    online = {"who": "victim_survivor", "kinds": {"selected": ["online"]}}
    assert ONLINE_ONLY in visible_pages(SURVEY, {**online, "police_contact": "no"})
    assert ONLINE_ONLY not in visible_pages(SURVEY, {**online, "police_contact": "yes"})


def test_changing_an_earlier_answer_hides_later_pages_and_their_answers():
    answers = {
        "who": "victim_survivor",
        "kinds": {"selected": ["stalking"]},
        "stalking_detail": "text",
        "police_contact": "yes",
        "police_rating": "satisfied",
        "final": "thanks",
    }
    assert STALKING in visible_pages(SURVEY, answers)
    answers["who"] = "professional"
    assert visible_pages(SURVEY, answers) == [START, WORK, ENDING]
    assert prune_answers(SURVEY, answers) == {"who": "professional", "final": "thanks"}


def test_hidden_answer_does_not_keep_its_dependants_visible():
    # police_contact is stale once its section is skipped, so the rating it unlocked goes too.
    answers = {"who": "victim_survivor", "police_contact": "yes", "police_rating": "satisfied"}
    skipped = frozenset({"experience"})
    assert [q.key for q in visible_questions(SURVEY, SERVICES, answers, skipped)] == ["general"]
    assert "police_rating" not in prune_answers(SURVEY, answers, skipped)


def test_skipped_section_leaves_the_route_and_its_answers_are_not_submitted():
    answers = {"who": "victim_survivor", "kinds": {"selected": ["stalking"]}, "final": "x"}
    skipped = frozenset({"experience"})
    assert visible_pages(SURVEY, answers, skipped) == [START, SERVICES, ENDING]
    assert prune_answers(SURVEY, answers, skipped) == {"who": "victim_survivor", "final": "x"}


def test_prune_answers_drops_blank_answers():
    assert prune_answers(SURVEY, {"who": None, "final": ""}) == {}


def test_next_page_walks_the_route_and_ends_with_none():
    answers = {"who": "professional"}
    assert next_page(SURVEY, None, answers) == START
    assert next_page(SURVEY, START, answers) == WORK
    assert next_page(SURVEY, WORK, answers) == ENDING
    assert next_page(SURVEY, ENDING, answers) is None


def test_next_page_from_a_page_no_longer_on_the_route_goes_forward():
    answers = {"who": "victim_survivor", "kinds": {"selected": ["online"]}}
    assert not is_on_route(SURVEY, STALKING, answers)
    assert next_page(SURVEY, STALKING, answers) == POLICE


def test_previous_page_skips_hidden_pages_and_starts_from_check_answers():
    answers = {"who": "victim_survivor", "kinds": {"selected": ["online"]}}
    assert previous_page(SURVEY, POLICE, answers) == KINDS
    assert previous_page(SURVEY, START, answers) is None
    assert previous_page(SURVEY, None, answers) == ENDING


def test_previous_page_jumps_over_a_skipped_section():
    answers = {"who": "victim_survivor"}
    assert previous_page(SURVEY, SERVICES, answers, frozenset({"experience"})) == START


def test_visible_questions_is_empty_for_a_page_off_the_route():
    assert visible_questions(SURVEY, WORK, {"who": "public"}) == []


def test_visible_question_count_counts_what_the_respondent_would_see_even_if_skipped():
    answers = {"who": "victim_survivor", "kinds": {"selected": ["stalking"]}}
    assert visible_question_count(SURVEY, "experience", answers) == 3
    assert visible_question_count(SURVEY, "experience", answers, frozenset({"experience"})) == 3
    assert visible_question_count(SURVEY, "experience", {"who": "victim_survivor"}) == 2


def test_section_question_count_is_derived_from_its_pages():
    assert SURVEY.sections[1].question_count == 3


@pytest.mark.parametrize(
    ("slug", "ref"),
    [("1-1", START), ("3-2", ONLINE_ONLY), ("0-1", None), ("x-1", None), ("2", None)],
)
def test_page_slugs_are_positions(slug, ref):
    assert PageRef.from_slug(slug) == ref
    if ref is not None:
        assert ref.slug == slug


def test_a_walk_remembered_for_one_survey_never_answers_for_another():
    answers = {"who": "professional"}
    assert visible_pages(SURVEY, answers) == [START, WORK, ENDING]
    shorter = dataclasses.replace(SURVEY, sections=SURVEY.sections[:1])
    assert visible_pages(shorter, answers) == [START]
    assert visible_pages(SURVEY, answers) == [START, WORK, ENDING]
