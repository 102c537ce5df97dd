"""Staff build a survey from nothing through the no-JavaScript forms, reorder and delete."""

from __future__ import annotations

from surveys.definition import survey_from_dict
from tests.surveys.builder.conftest import (
    audit_actions,
    draft_definition,
    make_consultation,
    send,
)


async def build_small_survey(client, base: str) -> None:
    """Two sections' worth of pages and questions of several types, with routing from lists."""
    assert (await send(client, f"{base}/edit")).status_code == 303
    assert (await send(client, f"{base}/sections", {"section_title": "About you", "section_key": "about"})).status_code == 303  # fmt: skip
    assert (await send(client, f"{base}/sections/about/pages")).status_code == 303
    response = await send(
        client,
        f"{base}/sections/about/pages/1/questions",
        {
            "type": "single_choice",
            "key": "role",
            "title": "Which best describes you?",
            "options": "victim_survivor|Lived experience\nprofessional|Professional",
            "prefer_not_to_say": "yes",
        },
    )
    assert response.status_code == 303, response.text
    assert (await send(client, f"{base}/settings", {"title": "Spring views", "respondent_type_question": "role"})).status_code == 303  # fmt: skip
    await send(client, f"{base}/sections/about/pages", {"page_title": "Help"})
    response = await send(
        client,
        f"{base}/sections/about/pages/2/questions",
        {"type": "multiple_choice", "key": "help", "title": "Who helped?", "options": "Police\nHousing team", "other_label": "Someone else"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    await send(
        client,
        f"{base}/sections/about/pages/2/questions",
        {"type": "rating", "key": "mood", "title": "How satisfied?", "scale": "satisfaction", "dont_know": "yes"},
    )  # fmt: skip
    await send(client, f"{base}/sections", {"section_title": "Your story"})
    await send(client, f"{base}/sections/your_story/pages")
    # The routing choices offered come from the definition: earlier choice questions' options.
    form = await client.get(f"{base}/sections/your_story/pages/1/questions/new?kind=long_text")
    assert form.status_code == 200
    assert 'value="help=police"' in form.text and 'value="role=professional"' in form.text
    response = await send(
        client,
        f"{base}/sections/your_story/pages/1/questions",
        {
            "type": "long_text",
            "key": "story",
            "title": "Tell us more",
            "max_length": "500",
            "show_if": "help=police",
            "respondent_types": "victim_survivor",
        },
    )
    assert response.status_code == 303, response.text


async def test_staff_build_a_survey_from_nothing_with_the_no_js_forms(client, staff, settings) -> None:  # fmt: skip
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    definition = await draft_definition(settings, base)
    survey = survey_from_dict(definition)  # the built draft is a valid definition
    assert survey.title == "Spring views" and survey.respondent_type_question == "role"
    help_ = survey.question("help")
    assert [o.value for o in help_.options] == ["police", "housing_team"]  # type: ignore[attr-defined]
    assert survey.question("role").prefer_not_to_say  # type: ignore[attr-defined]
    assert survey.question("mood").dont_know_label == "Don't know"  # type: ignore[attr-defined]
    story = definition["sections"][1]["pages"][0]["questions"][0]
    assert story["show_if"] == {"question": "help", "equals": "police"}
    assert story["respondent_types"] == ["victim_survivor"] and story["max_length"] == 500
    page = await client.get(base)
    assert "Who helped?" in page.text and "Shown when: help = police" in page.text
    edit = await client.get(f"{base}/questions/story")
    assert '<option value="help=police" selected>' in edit.text


async def test_editing_a_question_and_a_section_keeps_key_and_type(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    response = await send(
        client, f"{base}/questions/help",
        {"title": "Who helped you?", "options": "police|The police", "prefer_not_to_say": "yes"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    await send(
        client,
        f"{base}/sections/your_story",
        {"title": "Your story", "content_note": "This part asks about what happened.", "skippable": "yes"},
    )  # fmt: skip
    definition = await draft_definition(settings, base)
    question = definition["sections"][0]["pages"][1]["questions"][0]
    assert question["key"] == "help" and question["type"] == "multiple_choice"
    assert question["options"] == [{"value": "police", "label": "The police"}]
    section = definition["sections"][1]
    assert section["skippable"] is True and section["content_note"].startswith("This part")


async def test_reorder_with_move_buttons_and_delete(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    await send(client, f"{base}/questions/mood/move", {"direction": "up"})
    definition = await draft_definition(settings, base)
    assert [q["key"] for q in definition["sections"][0]["pages"][1]["questions"]] == [
        "mood",
        "help",
    ]
    await send(client, f"{base}/sections/your_story/move", {"direction": "up"})
    definition = await draft_definition(settings, base)
    assert [s["key"] for s in definition["sections"]] == ["your_story", "about"]
    await send(client, f"{base}/sections/about/pages/2/move", {"direction": "up"})
    definition = await draft_definition(settings, base)
    assert definition["sections"][1]["pages"][0]["title"] == "Help"
    await send(client, f"{base}/questions/mood/delete")
    await send(client, f"{base}/sections/your_story/delete")
    await send(client, f"{base}/sections/about/pages/1/delete")
    definition = await draft_definition(settings, base)
    assert [s["key"] for s in definition["sections"]] == ["about"]
    assert [q["key"] for p in definition["sections"][0]["pages"] for q in p["questions"]] == ["role"]  # fmt: skip


async def test_a_bad_form_shows_messages_and_changes_nothing(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    before = await draft_definition(settings, base)
    response = await send(
        client, f"{base}/sections/about/pages/1/questions",
        {"type": "short_text", "key": "role", "title": "Duplicate key"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and "already uses the key" in response.text
    response = await send(client, f"{base}/questions/help", {"title": "", "options": "Bad Value|x"})
    assert response.status_code == 400 and "Enter question" in response.text
    assert await draft_definition(settings, base) == before


async def test_every_change_writes_an_audit_event(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    await send(client, f"{base}/questions/mood/move", {"direction": "up"})
    await send(client, f"{base}/questions/mood/delete")
    actions = await audit_actions(settings)
    for action in (
        "survey_draft_created", "survey_section_added", "survey_page_added",
        "survey_question_added", "survey_settings_updated", "survey_question_moved",
        "survey_question_deleted",
    ):  # fmt: skip
        assert action in actions
    assert actions.count("survey_question_added") == 4


async def test_a_question_moves_to_another_page_chosen_from_a_list(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    page = await client.get(base)
    # Every question offers every page of the draft, its own page selected.
    assert 'action="' + base + '/questions/mood/page"' in page.text
    assert '<option value="your_story:1">Section 2: Your story, page 1</option>' in page.text
    assert (
        '<option value="about:2" selected>Section 1: About you, page 2: Help</option>' in page.text
    )
    response = await send(client, f"{base}/questions/mood/page", {"to": "your_story:1"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("#question-mood")
    definition = await draft_definition(settings, base)
    about, story = definition["sections"]
    assert [q["key"] for q in about["pages"][1]["questions"]] == ["help"]
    assert [q["key"] for q in story["pages"][0]["questions"]] == ["story", "mood"]
    assert (await send(client, f"{base}/questions/mood/page", {"to": "about:9"})).status_code == 404
    assert (await send(client, f"{base}/questions/mood/page", {"to": "nowhere"})).status_code == 422
    assert await draft_definition(settings, base) == definition  # refused moves change nothing
    actions = await audit_actions(settings)
    assert actions.count("survey_question_moved") == 1
