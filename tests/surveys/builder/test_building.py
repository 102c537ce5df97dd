"""Staff build a survey from nothing through the no-JavaScript forms the builder renders,
reorder and delete."""

from __future__ import annotations

from surveys.definition import survey_from_dict
from tests.conftest import post_form
from tests.forms import open_page
from tests.surveys.builder.conftest import (
    add_question,
    audit_actions,
    draft_definition,
    make_consultation,
    press,
    question_form,
)


async def build_small_survey(client, base: str) -> None:
    """Two sections' worth of pages and questions of several types, with routing from lists,
    after the consent section every new survey starts with."""
    created = await press(client, base, "Create survey")
    assert created.status_code == 200 and "Taking part" in created.text
    await press(client, base, "Add section", {"section_title": "About you", "section_key": "about"})
    await press(client, base, "Add page to About you")
    response = await add_question(client, base, "about", 1, "single_choice", {
        "key": "role", "title": "Which best describes you?",
        "options": "victim_survivor|Lived experience\nprofessional|Professional",
        "prefer_not_to_say": "yes",
    })  # fmt: skip
    assert response.status_code == 200 and response.url.fragment == "question-role"
    await press(
        client, base, "Save settings",
        {"title": "Spring views", "respondent_type_question": "role"},
    )  # fmt: skip
    await press(client, base, "Add page to About you", {"page_title": "Help"})
    await add_question(client, base, "about", 2, "multiple_choice", {
        "key": "help", "title": "Who helped?", "options": "Police\nHousing team",
        "other_label": "Someone else",
    })  # fmt: skip
    await add_question(client, base, "about", 2, "rating", {
        "key": "mood", "title": "How satisfied?", "scale": "satisfaction", "dont_know": "yes",
    })  # fmt: skip
    await press(client, base, "Add section", {"section_title": "Your story"})
    await press(client, base, "Add page to Your story")
    # The routing choices offered come from the definition: earlier choice questions' options.
    form = await question_form(client, base, "your_story", 1, "long_text")
    assert 'value="help=police"' in form.text and 'value="role=professional"' in form.text
    response = await add_question(client, base, "your_story", 1, "long_text", {
        "key": "story", "title": "Tell us more", "max_length": "500",
        "show_if": "help=police", "respondent_types": "victim_survivor",
    })  # fmt: skip
    assert response.status_code == 200, response.text


async def test_staff_build_a_survey_from_nothing_with_the_no_js_forms(client, staff, settings) -> None:  # fmt: skip
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    definition = await draft_definition(settings, base)
    survey = survey_from_dict(definition)  # the built draft is a valid definition
    assert survey.title == "Spring views" and survey.respondent_type_question == "role"
    assert [q.type_name for q in survey.sections[0].questions] == ["consent"]
    help_ = survey.question("help")
    assert [o.value for o in help_.options] == ["police", "housing_team"]  # type: ignore[attr-defined]
    assert survey.question("role").prefer_not_to_say  # type: ignore[attr-defined]
    assert survey.question("mood").dont_know_label == "Don't know"  # type: ignore[attr-defined]
    story = definition["sections"][2]["pages"][0]["questions"][0]
    assert story["show_if"] == {"question": "help", "equals": "police"}
    assert story["respondent_types"] == ["victim_survivor"] and story["max_length"] == 500
    page = await client.get(base)
    # Routing is shown in the survey's own words, not as codes.
    assert "Who helped?" in page.text and "Shown when: ‘Who helped?’ is Police" in page.text
    assert "Only for: Lived experience" in page.text and "victim_survivor" not in page.text
    edit = await client.get(f"{base}/questions/story")
    assert '<option value="help=police" selected>' in edit.text


async def test_editing_a_question_and_a_section_keeps_key_and_type(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    response = await press(
        client, f"{base}/questions/help", "Save question",
        {"title": "Who helped you?", "options": "police|The police"},
    )  # fmt: skip
    assert response.status_code == 200 and response.url.fragment == "question-help"
    await press(
        client, f"{base}/sections/your_story", "Save section",
        {"content_note": "This part asks about what happened.", "skippable": "yes"},
    )  # fmt: skip
    definition = await draft_definition(settings, base)
    question = definition["sections"][1]["pages"][1]["questions"][0]
    assert question["key"] == "help" and question["type"] == "multiple_choice"
    assert question["options"] == [{"value": "police", "label": "The police"}]
    assert question["other_label"] == "Someone else"  # untouched fields keep their values
    section = definition["sections"][2]
    assert section["skippable"] is True and section["content_note"].startswith("This part")
    assert section["title"] == "Your story"


async def test_reorder_with_move_buttons_and_delete(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    await press(client, base, "Move up question How satisfied?")
    definition = await draft_definition(settings, base)
    assert [q["key"] for q in definition["sections"][1]["pages"][1]["questions"]] == [
        "mood",
        "help",
    ]
    await press(client, base, "Move up section Your story")
    definition = await draft_definition(settings, base)
    assert [s["key"] for s in definition["sections"]] == ["before_you_start", "your_story", "about"]
    await press(client, base, "Move up page 2", action="/sections/about/pages/2/move")
    definition = await draft_definition(settings, base)
    assert definition["sections"][2]["pages"][0]["title"] == "Help"
    await press(client, base, "Delete question How satisfied?")
    await press(client, base, "Delete section Your story")
    await press(client, base, "Delete page 1", action="/sections/about/pages/1/delete")
    definition = await draft_definition(settings, base)
    assert [s["key"] for s in definition["sections"]] == ["before_you_start", "about"]
    assert [q["key"] for p in definition["sections"][1]["pages"] for q in p["questions"]] == ["role"]  # fmt: skip


async def test_a_bad_form_shows_messages_and_changes_nothing(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    before = await draft_definition(settings, base)
    response = await add_question(
        client, base, "about", 1, "short_text", {"key": "role", "title": "Duplicate key"}
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and "already uses the key" in response.text
    response = await press(
        client, f"{base}/questions/help", "Save question",
        {"title": "", "options": "Bad Value|x"},
    )  # fmt: skip
    assert response.status_code == 400 and "Enter question" in response.text
    assert await draft_definition(settings, base) == before


async def test_every_change_writes_an_audit_event(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    await press(client, base, "Move up question How satisfied?")
    await press(client, base, "Delete question How satisfied?")
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
    page = await open_page(client, base)
    # Every question offers every page of the draft, its own page selected.
    move = page.form("Move question How satisfied?")
    assert move.action.endswith(f"{base}/questions/mood/page")
    assert "your_story:1" in move.options("to") and move.value("to") == "about:2"
    assert '<option value="your_story:1">Section 3: Your story, page 1</option>' in page.text
    response = await move.fill(to="your_story:1").submit(client, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("#question-mood")
    definition = await draft_definition(settings, base)
    _, about, story = definition["sections"]
    assert [q["key"] for q in about["pages"][1]["questions"]] == ["help"]
    assert [q["key"] for q in story["pages"][0]["questions"]] == ["story", "mood"]
    actions = await audit_actions(settings)
    assert actions.count("survey_question_moved") == 1


async def test_moves_to_pages_the_list_does_not_offer_are_refused_in_hand_built_posts(
    client, staff, settings
) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await build_small_survey(client, base)
    before = await draft_definition(settings, base)
    assert (await post_form(client, f"{base}/questions/mood/page", {"to": "about:9"})).status_code == 404  # fmt: skip
    assert (await post_form(client, f"{base}/questions/mood/page", {"to": "nowhere"})).status_code == 422  # fmt: skip
    assert await draft_definition(settings, base) == before  # refused moves change nothing
