"""Publishing: validation messages refuse a bad draft; a published version is frozen, editing
makes the next version, and respondents keep answering the published one until then."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from surveys.models import Response
from tests.conftest import db_session
from tests.surveys.builder.conftest import (
    GOOD_YAML,
    audit_actions,
    make_consultation,
    send,
    upload,
    versions,
)
from tests.surveys.conftest import begin
from tests.surveys.conftest import send as follow


async def test_publishing_is_refused_with_every_problem_listed(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings, complete=False)
    await send(client, f"{base}/sections", {"section_title": "First", "section_key": "first"})
    await send(client, f"{base}/sections/first/pages")
    await send(client, f"{base}/sections/first/pages")
    await send(
        client, f"{base}/sections/first/pages/1/questions",
        {"type": "single_choice", "key": "empty", "title": "No options yet", "options": ""},
    )  # fmt: skip
    await send(
        client, f"{base}/sections/first/pages/1/questions",
        {"type": "multiple_choice", "key": "help", "title": "Who helped?", "options": "Police\nGP"},
    )  # fmt: skip
    await send(
        client, f"{base}/sections/first/pages/2/questions",
        {"type": "short_text", "key": "why", "title": "Why?", "show_if": "help=police"},
    )  # fmt: skip
    # Moving the page up puts the condition before the question it reads.
    await send(client, f"{base}/sections/first/pages/2/move", {"direction": "up"})
    response = await send(client, f"{base}/publish")
    assert response.status_code == 422
    text = response.text
    assert "govuk-error-summary" in text
    assert "sections[0].pages[1].questions[0].options: must not be empty" in text
    assert "refers to &#39;help&#39;, which is not asked on an earlier page" in text
    assert "fill in the data controller before publishing" in text
    assert "fill in the dpia reference before publishing" in text
    assert all(v.published_at is None for v in await versions(settings, base))
    assert "survey_version_published" not in await audit_actions(settings)


async def test_publish_then_edit_makes_version_2_while_the_journey_serves_version_1(
    client, staff, settings, respondent
) -> None:
    await staff("researcher")
    base = await make_consultation(settings, status="open")
    assert (await upload(client, base, GOOD_YAML)).status_code in (200, 303)
    assert (await send(client, f"{base}/publish")).status_code == 303
    [v1] = await versions(settings, base)
    assert v1.number == 1 and v1.published_at is not None

    # Editing the open survey makes a draft version 2; version 1 is untouched.
    await send(client, f"{base}/questions/colour", {"title": "Colour you like best", "options": "red|Red\nblue|Blue"})  # fmt: skip
    v1_again, v2 = await versions(settings, base)
    assert v2.number == 2 and v2.published_at is None
    assert v1_again.definition == v1.definition
    assert "Colour you like best" in str(v2.definition)

    page = await begin(respondent, "/c/spring-survey")
    assert "Favourite colour" in page.text and "Colour you like best" not in page.text
    await follow(respondent, "/c/spring-survey/p/1-2", {"q-colour": "red"})
    await follow(respondent, "/c/spring-survey/submit")
    async with db_session(settings) as db:
        [answered] = list(await db.scalars(select(Response)))
        assert answered.version_id == v1.id

    assert (await send(client, f"{base}/publish")).status_code == 303
    new_respondent_page = await begin(respondent, "/c/spring-survey")
    assert "Colour you like best" in new_respondent_page.text
    assert [v.published_at is not None for v in await versions(settings, base)] == [True, True]
    actions = await audit_actions(settings)
    assert actions.count("survey_version_published") == 2


async def test_a_published_version_is_never_edited(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await upload(client, base, GOOD_YAML)
    await send(client, f"{base}/publish")
    before = (await versions(settings, base))[0].definition
    await send(client, f"{base}/questions/colour/delete")
    v1, v2 = await versions(settings, base)
    assert v1.definition == before and "colour" not in str(v2.definition)
    # Discarding the draft leaves version 1 as it was.
    assert (await send(client, f"{base}/discard")).status_code == 303
    assert [v.number for v in await versions(settings, base)] == [1]


async def test_copy_an_older_version_as_the_new_draft(client, staff, settings) -> None:
    await staff("researcher")
    base = await make_consultation(settings)
    await upload(client, base, GOOD_YAML)
    await send(client, f"{base}/publish")
    await send(client, f"{base}/questions/colour", {"title": "Changed", "options": "red|Red"})
    assert (await send(client, f"{base}/publish")).status_code == 303
    response = await send(client, f"{base}/versions/1/copy")
    assert response.status_code == 303
    v1, _, v3 = await versions(settings, base)
    assert v3.published_at is None and v3.definition == v1.definition
    refused = await send(client, f"{base}/versions/2/copy")
    assert refused.status_code == 409 and "already a draft" in refused.text
    assert uuid.UUID(str(v3.id))
