"""Publishing: a bad draft is refused with plain-language messages naming its sections, pages
and questions; a survey without consent cannot be published; a published version is frozen,
editing makes the next version, and respondents keep answering the published one until then."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from surveys.builder.problems import publish_problems
from surveys.models import Response
from tests.conftest import db_session
from tests.forms import open_page
from tests.surveys.builder.conftest import (
    GOOD_YAML,
    add_question,
    audit_actions,
    make_consultation,
    press,
    upload,
    versions,
)
from tests.surveys.conftest import answer, begin


async def test_publishing_is_refused_with_every_problem_in_plain_words(
    client, staff, settings
) -> None:
    await staff("researcher")
    base = await make_consultation(settings, complete=False)
    await press(client, base, "Create survey")
    await press(client, base, "Add section", {"section_title": "First", "section_key": "first"})
    await press(client, base, "Add page to First", {"page_title": "About you"})
    await press(client, base, "Add page to First")
    await add_question(client, base, "first", 1, "single_choice", {
        "key": "age", "title": "Your age", "options": "",
    })  # fmt: skip
    await add_question(client, base, "first", 1, "multiple_choice", {
        "key": "help", "title": "Who helped?", "options": "Police\nGP",
    })  # fmt: skip
    await add_question(client, base, "first", 2, "short_text", {
        "key": "why", "title": "Why?", "show_if": "help=police",
    })  # fmt: skip
    # Moving the page up puts the condition before the question it reads.
    await press(client, base, "Move up page 2", action="/sections/first/pages/2/move")
    builder = await open_page(client, base)
    response = await builder.form("Publish version").submit(client)
    assert response.status_code == 422
    text = response.text.replace("&#39;", "'")
    assert "govuk-error-summary" in text
    assert "Page 'About you', question 'Your age': add at least one option" in text
    assert (
        "Page 1 of section 'First', question 'Why?': it is shown only after an answer to "
        "'Who helped?', which is not on an earlier page" in text
    )
    assert "sections[" not in text  # no field paths
    assert "fill in the data controller before publishing" in text
    assert "fill in the dpia reference before publishing" in text
    assert all(v.published_at is None for v in await versions(settings, base))
    assert "survey_version_published" not in await audit_actions(settings)


async def test_a_survey_without_a_consent_question_is_not_published(
    client, staff, settings
) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await press(client, base, "Create survey")
    await press(client, base, "Add section", {"section_title": "Views"})
    await press(client, base, "Add page to Views")
    await add_question(client, base, "views", 1, "short_text", {"title": "Anything else?"})
    ready = await open_page(client, base)
    assert "This draft is ready to publish" in ready.text  # consent is there from the start
    await press(client, base, "Delete question Taking part")
    response = await press(client, base, "Publish version")
    assert response.status_code == 422
    assert "The survey has no consent question" in response.text
    assert all(v.published_at is None for v in await versions(settings, base))


def test_plain_messages_for_other_problems() -> None:
    definition = {
        "key": "s", "title": "S", "respondent_type_question": "who",
        "sections": [
            {"key": "a", "title": "Start", "pages": [
                {"questions": [{"key": "c", "type": "consent", "title": "Taking part"}]},
                {"title": "You", "questions": [
                    {"key": "who", "type": "single_choice", "title": "Who are you?",
                     "options": [{"value": "public", "label": "Public"},
                                 {"value": "public", "label": "Again"}]},
                    {"key": "response_id", "type": "short_text", "title": "Reference"},
                ]},
            ]},
            {"key": "b", "title": "Later", "respondent_types": ["professional"], "pages": []},
        ],
    }  # fmt: skip
    problems = publish_problems(definition, [])
    assert "Section 'Later': add at least one page, or delete the section" in problems
    assert (
        "Page 'You', question 'Who are you?': the value 'public' is listed twice; give each "
        "answer its own value" in problems
    )
    assert (
        "Page 'You', question 'Reference': the key 'response_id' is the name of a column every "
        "export has; use another key" in problems
    )


async def test_publish_then_edit_makes_version_2_while_the_journey_serves_version_1(
    client, staff, settings, respondent
) -> None:
    await staff("researcher")
    base = await make_consultation(settings, status="open")
    assert (await upload(client, base, GOOD_YAML)).status_code == 200
    assert (await press(client, base, "Publish version 1")).status_code == 200
    [v1] = await versions(settings, base)
    assert v1.number == 1 and v1.published_at is not None

    # Editing the open survey makes a draft version 2; version 1 is untouched.
    edited = await press(client, base, "Edit survey (new draft version)")
    assert "Draft" in edited.text
    await press(client, f"{base}/questions/colour", "Save question", {"title": "Colour you like best"})  # fmt: skip
    v1_again, v2 = await versions(settings, base)
    assert v2.number == 2 and v2.published_at is None
    assert v1_again.definition == v1.definition
    assert "Colour you like best" in str(v2.definition)

    page = await begin(respondent, "/c/spring-survey")
    assert "Favourite colour" in page.text and "Colour you like best" not in page.text
    check = await answer(respondent, page, {"q-colour": "red"})
    await answer(respondent, check, button="Send my answers")
    async with db_session(settings) as db:
        [answered] = list(await db.scalars(select(Response)))
        assert answered.version_id == v1.id

    assert (await press(client, base, "Publish version 2")).status_code == 200
    new_respondent_page = await begin(respondent, "/c/spring-survey")
    assert "Colour you like best" in new_respondent_page.text
    assert [v.published_at is not None for v in await versions(settings, base)] == [True, True]
    actions = await audit_actions(settings)
    assert actions.count("survey_version_published") == 2


async def test_a_published_version_is_never_edited(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await upload(client, base, GOOD_YAML)
    await press(client, base, "Publish version 1")
    before = (await versions(settings, base))[0].definition
    await press(client, base, "Edit survey (new draft version)")
    await press(client, base, "Delete question Favourite colour")
    v1, v2 = await versions(settings, base)
    assert v1.definition == before and "colour" not in str(v2.definition)
    # Discarding the draft leaves version 1 as it was.
    assert (await press(client, base, "Discard draft")).status_code == 200
    assert [v.number for v in await versions(settings, base)] == [1]


async def test_copy_an_older_version_as_the_new_draft(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await upload(client, base, GOOD_YAML)
    await press(client, base, "Publish version 1")
    await press(client, base, "Edit survey (new draft version)")
    await press(client, f"{base}/questions/colour", "Save question", {"title": "Changed"})
    assert (await press(client, base, "Publish version 2")).status_code == 200
    response = await press(client, base, "Copy as new draft version 1")
    assert response.status_code == 200
    v1, _, v3 = await versions(settings, base)
    assert v3.published_at is None and v3.definition == v1.definition
    # With a draft in hand the page offers no copying; a second copy is refused if sent.
    page = await open_page(client, base)
    assert "Copy as new draft" not in page.text
    assert uuid.UUID(str(v3.id))
