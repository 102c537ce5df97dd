"""Staff create, edit, open and close consultations through the forms the pages render; data
protection gates opening; closing, and opening with no support services, ask first."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from consult.consultations.models import Consultation
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit, submit_page

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


async def create(client, *, support: bool = True, **overrides) -> str:
    """Create a consultation from the list page's "Create a consultation" form; its id."""
    listing = await open_page(client, "/staff/consultations")
    assert (
        listing.soup.find("a", string="Create a consultation")["href"] == "/staff/consultations/new"
    )
    response = await submit(client, "/staff/consultations/new", "Save", {**COMPLETE, **overrides})
    assert response.status_code == 200, response.text
    consultation_id = response.url.path.rsplit("/", 1)[1]
    if support:
        await add_service(client, consultation_id, {"name": "Helpline"})
    return consultation_id


async def add_service(client, consultation_id: str, fields: dict[str, str]):
    return await submit(client, f"/staff/consultations/{consultation_id}", "Add service", fields)


async def act(client, consultation_id: str, label: str, confirm: str | None = None):
    """Press a lifecycle button (Open, Close...), then the confirmation's button if it asks."""
    response = await submit(client, f"/staff/consultations/{consultation_id}", label)
    if confirm is not None:
        assert confirm in response.text, response.text
        response = await submit_page(client, response, confirm)
    return response


async def test_researcher_creates_a_consultation_that_starts_as_draft(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    page = await client.get(f"/staff/consultations/{consultation_id}")
    assert "Spring Call for Evidence" in page.text and "Draft" in page.text
    assert "Lived experience" in page.text and "Rugby, Warwick" in page.text


async def test_cannot_open_until_data_protection_fields_are_complete(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client, dpia_reference="", article9_condition="")
    refused = await act(client, consultation_id, "Open")
    assert refused.status_code == 409
    assert "Article 9 condition" in refused.text and "DPIA reference" in refused.text
    assert "Draft" in refused.text


async def test_lifecycle_runs_draft_open_closed_reopened_published(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    for label, confirm, shown in (
        ("Open", None, "Open"),
        ("Close", "Yes, close the consultation", "Closed"),
        ("Reopen", None, "Open"),
        ("Close", "Yes, close the consultation", "Closed"),
        ("Mark findings published", None, "Published"),
    ):
        response = await act(client, consultation_id, label, confirm)
        assert response.status_code == 200, (label, response.text)
        assert f'govuk-tag">{shown}<' in response.text


async def test_closing_asks_for_confirmation_and_cancel_changes_nothing(
    client, staff, settings
) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    await act(client, consultation_id, "Open")
    asked = await submit(client, f"/staff/consultations/{consultation_id}", "Close")
    assert asked.status_code == 200 and "Close this consultation?" in asked.text
    assert "no longer be able to send answers" in asked.text
    async with db_session(settings) as db:
        consultation = await db.get(Consultation, uuid.UUID(consultation_id))
        assert consultation is not None and consultation.status == "open"
    cancel = parse_cancel(asked)
    assert cancel == f"/staff/consultations/{consultation_id}"


def parse_cancel(response) -> str:
    from tests.forms import parse

    return parse(str(response.url), response).soup.find("a", string="Cancel")["href"]


async def test_opening_with_an_empty_support_directory_needs_confirmation(
    client, staff, settings
) -> None:
    await staff("researcher")
    consultation_id = await create(client, support=False)
    asked = await submit(client, f"/staff/consultations/{consultation_id}", "Open")
    assert asked.status_code == 200 and "Open without any support services?" in asked.text
    async with db_session(settings) as db:
        consultation = await db.get(Consultation, uuid.UUID(consultation_id))
        assert consultation is not None and consultation.status == "draft"
    opened = await submit_page(client, asked, "Open without support services")
    assert 'govuk-tag">Open<' in opened.text
    # With a service listed, Open opens at once.
    other = await create(client, slug="summer-survey", title="Summer")
    assert 'govuk-tag">Open<' in (await act(client, other, "Open")).text


async def test_a_move_the_lifecycle_does_not_allow_is_refused_in_a_hand_built_post(
    client, staff
) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    response = await post_form(
        client, f"/staff/consultations/{consultation_id}/status", {"action": "publish"}
    )
    assert response.status_code == 409
    assert "A draft consultation cannot be moved with &#39;publish&#39;" in response.text


async def test_open_consultations_appear_on_the_home_page_by_public_title_only(
    client, staff
) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    assert "Spring community survey" not in (await client.get("/")).text
    await act(client, consultation_id, "Open")
    home = (await client.get("/")).text
    assert "Spring community survey" in home
    assert "Spring Call for Evidence" not in home


async def test_public_title_and_address_must_be_neutral(client, staff, settings) -> None:
    await staff("researcher")
    response = await submit(
        client,
        "/staff/consultations/new",
        "Save",
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
    response = await submit(
        client,
        "/staff/consultations/new",
        "Save",
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
    edit = f"/staff/consultations/{consultation_id}/edit"
    response = await submit(client, edit, "Save", {"summary": "New words", "retention_days": "-1"})
    assert response.status_code == 400
    assert "New words" in response.text
    # The form shown again carries what was typed; correcting one field saves.
    ok = await submit_page(client, response, "Save", {"retention_days": "365"})
    assert ok.status_code == 200 and "New words" in ok.text


async def test_the_edit_form_shows_the_saved_values(client, staff) -> None:
    await staff("researcher")
    consultation_id = await create(client)
    form = (await open_page(client, f"/staff/consultations/{consultation_id}/edit")).form("Save")
    for name in ("title", "slug", "controller", "analysis_cutoff", "closes_on"):
        assert form.value(name) == COMPLETE[name], name
    assert form.value("respondent_types").strip() == COMPLETE["respondent_types"]


async def test_a_new_consultation_form_offers_its_defaults(client, staff) -> None:
    await staff("researcher")
    form = (await open_page(client, "/staff/consultations/new")).form("Save")
    assert form.value("exit_url") == "https://www.bbc.co.uk/weather"
    assert form.value("draft_expiry_days") == "28"
    typed = {k: v for k, v in COMPLETE.items() if k not in ("exit_url", "draft_expiry_days")}
    response = await form.fill(typed).submit(client, follow_redirects=True)
    assert response.status_code == 200 and "Spring Call for Evidence" in response.text


async def test_two_consultations_cannot_share_a_web_address(client, staff) -> None:
    await staff("researcher")
    await create(client)
    response = await submit(
        client, "/staff/consultations/new", "Save", {**COMPLETE, "title": "Other"}
    )
    assert response.status_code == 400
    assert "Another consultation already uses that web address" in response.text


async def test_support_directory_entries_are_added_removed_and_flagged_when_stale(
    client, staff
) -> None:
    await staff("researcher")
    consultation_id = await create(client, support=False)
    response = await add_service(
        client,
        consultation_id,
        {
            "name": "Helpline",
            "helps_with": "Listening",
            "phone": "0800 000 000",
            "web": "https://example.org",
            "review_date": "2001-01-01",
        },
    )
    assert "Helpline" in response.text and "Review overdue" in response.text
    removed = await submit_page(client, response, "Remove Helpline")
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


async def test_the_audit_log_names_people_and_consultations_not_ids(client, staff) -> None:
    account = await staff("administrator")
    consultation_id = await create(client)
    await act(client, consultation_id, "Open")
    log = await open_page(client, "/staff/audit")
    rows = [" | ".join(td.get_text(" ", strip=True) for td in tr.find_all("td"))
            for tr in log.soup.select("tbody tr")]  # fmt: skip
    assert any(
        "Consultation created" in row
        and "Consultation 'Spring Call for Evidence'" in row
        and f"administrator ({account['email']})" in row
        for row in rows
    ), rows
    assert any("Consultation open" in row for row in rows), rows
    assert consultation_id not in log.text
