"""Staff create, edit, open and close consultations; data protection gates opening."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from consult.consultations.models import Consultation
from tests.conftest import db_session, post_form

COMPLETE = {
    "title": "Spring Call for Evidence",
    "public_title": "Spring community survey",
    "slug": "spring-survey",
    "summary": "What more could be done.",
    "controller": "A County Council",
    "article6_basis": "6(1)(e) public task",
    "article9_condition": "9(2)(g) substantial public interest",
    "retention_days": "365",
    "analysis_cutoff": "2099-06-30",
    "dpia_reference": "DPIA-42",
    "exit_url": "https://www.bbc.co.uk/weather",
    "draft_expiry_days": "28",
    "closes_on": "2099-05-31",
    "respondent_types": "victim_survivor|Lived experience\nprofessional|Professional",
    "areas": "Rugby\nWarwick",
}


async def create(client, **overrides) -> str:
    response = await post_form(client, "/staff/consultations/new", {**COMPLETE, **overrides})
    assert response.status_code == 200, response.text
    return re.search(r"/staff/consultations/([0-9a-f-]{36})/edit", response.text).group(1)


async def act(client, consultation_id: str, action: str):
    return await post_form(
        client, f"/staff/consultations/{consultation_id}/status", {"action": action}
    )


async def test_researcher_creates_a_consultation_that_starts_as_draft(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    page = await client.get(f"/staff/consultations/{consultation_id}")
    assert "Spring Call for Evidence" in page.text and "Draft" in page.text
    assert "Lived experience" in page.text and "Rugby, Warwick" in page.text


async def test_cannot_open_until_data_protection_fields_are_complete(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client, dpia_reference="", article9_condition="")
    refused = await act(client, consultation_id, "open")
    assert refused.status_code == 409
    assert "Article 9 condition" in refused.text and "DPIA reference" in refused.text
    assert "Draft" in refused.text


async def test_lifecycle_runs_draft_open_closed_reopened_published(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    for action, shown in (
        ("open", "Open"),
        ("close", "Closed"),
        ("reopen", "Open"),
        ("close", "Closed"),
        ("publish", "Published"),
    ):
        response = await act(client, consultation_id, action)
        assert response.status_code == 200, (action, response.text)
        assert f'govuk-tag">{shown}<' in response.text


async def test_a_move_the_lifecycle_does_not_allow_is_refused_with_a_reason(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    response = await act(client, consultation_id, "publish")
    assert response.status_code == 409
    assert "A draft consultation cannot be moved with &#39;publish&#39;" in response.text


async def test_open_consultations_appear_on_the_home_page_by_public_title_only(
    client, staff
) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    assert "Spring community survey" not in (await client.get("/")).text
    await act(client, consultation_id, "open")
    home = (await client.get("/")).text
    assert "Spring community survey" in home
    assert "Spring Call for Evidence" not in home


async def test_public_title_and_address_must_be_neutral(client, staff, settings) -> None:
    await staff("researcher")
    response = await post_form(
        client,
        "/staff/consultations/new",
        {**COMPLETE, "public_title": "Domestic abuse survey", "slug": "rape-survey"},
    )
    assert response.status_code == 400
    assert (
        "Public title must be neutral" in response.text
        and "Web address must be neutral" in response.text
    )
    async with db_session(settings) as db:
        assert await db.scalar(select(func.count()).select_from(Consultation)) == 0


async def test_bad_values_get_messages_naming_the_field_and_nothing_is_saved(
    client, staff, settings
) -> None:
    await staff("researcher")
    response = await post_form(
        client,
        "/staff/consultations/new",
        {
            **COMPLETE,
            "retention_days": "forever",
            "analysis_cutoff": "31/02/2027",
            "slug": "Bad Slug!",
            "exit_url": "http://example.org",
            "title": "T" * 400,
        },
    )
    assert response.status_code == 400
    for message in (
        "Retention period must be a whole number",
        "Analysis cut-off date must be a real date",
        "Web address must be lower-case letters",
        "Quick exit destination must be a web address starting https://",
        "Title must be 300 characters or fewer",
    ):
        assert message in response.text
    assert response.text.count('class="govuk-error-summary"') == 1
    async with db_session(settings) as db:
        assert await db.scalar(select(func.count()).select_from(Consultation)) == 0


async def test_editing_keeps_typed_values_when_there_is_an_error(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    response = await post_form(
        client,
        f"/staff/consultations/{consultation_id}/edit",
        {**COMPLETE, "summary": "New words", "retention_days": "-1"},
    )
    assert response.status_code == 400
    assert "New words" in response.text
    ok = await post_form(
        client, f"/staff/consultations/{consultation_id}/edit", {**COMPLETE, "summary": "New words"}
    )
    assert "New words" in ok.text


async def test_two_consultations_cannot_share_a_web_address(client, staff) -> None:
    await staff("researcher")
    await create(client)
    response = await post_form(client, "/staff/consultations/new", {**COMPLETE, "title": "Other"})
    assert response.status_code == 400
    assert "Another consultation already uses that web address" in response.text


async def test_support_directory_entries_are_added_removed_and_flagged_when_stale(
    client, staff
) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    response = await post_form(
        client,
        f"/staff/consultations/{consultation_id}/support",
        {
            "name": "Helpline",
            "helps_with": "Listening",
            "phone": "0800 000 000",
            "web": "https://example.org",
            "review_date": "2001-01-01",
        },
    )
    assert "Helpline" in response.text and "Review overdue" in response.text
    entry_id = re.search(
        rf"/staff/consultations/{consultation_id}/support/([0-9a-f-]{{36}})/delete", response.text
    ).group(1)
    removed = await post_form(
        client, f"/staff/consultations/{consultation_id}/support/{entry_id}/delete", {}
    )
    assert "Helpline" not in removed.text


async def test_unknown_or_malformed_consultation_ids_are_404_pages(client, staff) -> None:
    await staff("researcher")
    missing = await client.get(f"/staff/consultations/{uuid.uuid4()}")
    malformed = await client.get("/staff/consultations/not-a-uuid")
    assert (
        missing.status_code == 404
        and "There is no consultation with that reference" in missing.text
    )
    assert malformed.status_code == 404


async def test_consultation_changes_are_audited_for_administrators(client, staff) -> None:
    await staff("administrator")
    await create(client)
    log = await client.get("/staff/audit")
    assert "consultation_created" in log.text
