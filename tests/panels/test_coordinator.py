"""The coordinator sets up panels, members, meetings and cases, reviews the redaction and
releases a case; every step through the pages' own forms."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

from pypdf import PdfWriter
from sqlalchemy import select

from consult.audit import AuditEvent
from panels.models import Case, Meeting, Membership, Panel
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.panels.conftest import PANEL_FORM, World, add_case, add_meeting, create_panel


async def _one(world: World, model, **where):
    async with db_session(world.client.app.state["settings"]) as db:
        return await db.scalar(select(model).filter_by(**where))


async def test_coordinator_creates_a_panel_with_grouped_criteria(world: World) -> None:
    panel = await _one(world, Panel, slug="community-review-group")
    assert panel.public_name == "Community review group"
    assert panel.criteria[1] == {"key": "c2", "label": "Risk assessment", "group": "Safeguarding"}
    page = await open_page(world.client, world.panel_url)
    assert "Safeguarding: Risk assessment" in page.text


async def test_a_panel_public_name_or_address_that_is_not_neutral_is_refused(
    world: World,
) -> None:
    response = await submit(
        world.client,
        "/staff/panels/new",
        "Save panel",
        {**PANEL_FORM, "public_name": "Rape case review", "slug": "police-panel"},
    )
    assert response.status_code == 400
    assert "Public name" in response.text and "Public web address" in response.text


async def test_a_victims_code_panel_without_criteria_scores_the_twelve_rights(
    world: World,
) -> None:
    await create_panel(
        world, slug="rights-group", outcome_scale="victims_code", criteria="", name="Rights"
    )
    panel = await _one(world, Panel, slug="rights-group")
    assert len(panel.criteria) == 12 and panel.criteria[0]["key"] == "right_1"


async def test_coordinator_edits_a_panel_and_its_scale(world: World) -> None:
    response = await submit(
        world.client, f"{world.panel_url}/edit", "Save panel", {"outcome_scale": "score9"}
    )
    assert response.status_code == 200
    assert (await _one(world, Panel, slug="community-review-group")).outcome_scale == "score9"


async def test_coordinator_records_vetting_agreement_and_training(world: World) -> None:
    url = f"{world.panel_url}/members/{world.memberships['member']}"
    response = await submit(
        world.client,
        url,
        "Save membership",
        {"vetting_expires_on": "2020-01-01", "training_completed_on": "2026-02-03"},
    )
    assert response.status_code == 200
    assert "Vetting expired on 01 January 2020" in response.text
    membership = await _one(world, Membership, id=uuid.UUID(world.memberships["member"]))
    assert membership.vetting_expires_on == date(2020, 1, 1)
    assert membership.training_completed_on == date(2026, 2, 3)


async def test_a_bad_membership_date_is_a_message_not_an_error(world: World) -> None:
    url = f"{world.panel_url}/members/{world.memberships['member']}"
    response = await submit(world.client, url, "Save membership", {"vetting_expires_on": "soon"})
    assert response.status_code == 400
    assert "Vetting expiry must be a real date" in response.text


async def test_coordinator_records_attendance_minutes_and_debrief(world: World) -> None:
    url = f"{world.panel_url}/meetings/{world.meeting_id}"
    response = await submit(
        world.client,
        url,
        "Save meeting record",
        {
            "attendance": [world.user_ids["chair"], world.user_ids["lived"]],
            "minutes": "Three cases discussed.",
            "debrief_offered": "yes",
        },
    )
    assert response.status_code == 200
    meeting = await _one(world, Meeting, id=uuid.UUID(world.meeting_id))
    assert sorted(meeting.attendance) == sorted([world.user_ids["chair"], world.user_ids["lived"]])
    assert meeting.minutes == "Three cases discussed." and meeting.debrief_offered


async def test_redaction_finds_personal_data_and_members_only_get_the_confirmed_version(
    world: World,
) -> None:
    case = await _one(world, Case, reference="C-001")
    assert {s["type"] for s in case.redaction_spans} >= {"PHONE", "EMAIL"}
    assert "07700 900123" not in case.material_confirmed
    assert "[PHONE]" in case.material_confirmed
    assert "07700 900123" in case.material_original  # kept for the coordinator only


async def test_coordinator_adds_and_undoes_a_redaction_and_each_change_is_logged(
    world: World,
) -> None:
    case_id = await add_case(world, world.meeting_id, reference="C-002")
    url = f"{world.panel_url}/cases/{case_id}"
    response = await submit(
        world.client, url, "Add redaction", {"phrase": "former partner", "span_type": "OTHER"}
    )
    assert response.status_code == 200
    case = await _one(world, Case, reference="C-002")
    added = [s for s in case.redaction_spans if s["source"] == "coordinator"]
    assert len(added) == 1 and added[0]["type"] == "OTHER"
    page = await open_page(world.client, url)
    assert "OTHER (1)" in page.text
    index = case.redaction_spans.index(added[0])
    form = page.form(action=f"/spans/{index}/undo")
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 200
    case = await _one(world, Case, reference="C-002")
    assert not [s for s in case.redaction_spans if s["source"] == "coordinator"]
    async with db_session(world.client.app.state["settings"]) as db:
        actions = list(
            await db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == case_id))
        )
        details = list(await db.scalars(select(AuditEvent.detail)))
    assert "panel_redaction_added" in actions and "panel_redaction_undone" in actions
    assert not any("former partner" in str(d) for d in details)


async def test_a_case_cannot_be_released_before_its_redaction_is_confirmed(world: World) -> None:
    case_id = await add_case(world, world.meeting_id, reference="C-003")
    response = await submit(
        world.client, f"{world.panel_url}/cases/{case_id}", "Release to members"
    )
    assert response.status_code == 409
    assert "Confirm the redacted material before releasing" in response.text


async def test_a_released_case_keeps_its_redaction(world: World) -> None:
    page = await open_page(world.client, world.case_url)
    assert "Add redaction" not in page.text and "Confirm redacted version" not in page.text


async def test_a_pdf_upload_is_read_page_by_page_and_redacted(world: World) -> None:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference="C-PDF", offence_type="Harassment", material_text=""
    )
    form.attach(
        "material_file",
        "case.pdf",
        _text_pdf(["Call 07700 900456 after six", "Closed with a caution"]),
        "application/pdf",
    )
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 200, response.text
    case = await _one(world, Case, reference="C-PDF")
    assert case.material_original == "Call 07700 900456 after six\fClosed with a caution"
    assert any(s["type"] == "PHONE" for s in case.redaction_spans)


async def test_a_pdf_without_text_is_a_clear_message(world: World) -> None:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference="C-PDF", offence_type="Harassment", material_text=""
    )
    form.attach("material_file", "case.pdf", _blank_pdf(), "application/pdf")
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 400
    assert "no text layer" in response.text


async def test_a_file_that_is_not_a_pdf_or_text_is_a_clear_message(world: World) -> None:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference="C-BAD", offence_type="Harassment", material_text=""
    )
    form.attach("material_file", "case.pdf", b"%PDF-1.4 not really", "application/pdf")
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 400
    assert "could not be read as a PDF" in response.text


async def test_a_text_file_upload_becomes_the_material(world: World) -> None:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference="C-TXT", offence_type="Harassment", material_text=""
    )
    form.attach("material_file", "case.txt", b"Seen at home by an officer.", "text/plain")
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 200
    assert (await _one(world, Case, reference="C-TXT")).material_original == (
        "Seen at home by an officer."
    )


async def test_a_month_that_is_not_a_month_is_refused(world: World) -> None:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference="C-X", offence_type="Harassment", offence_month="March"
    )
    response = await form.submit(world.client)
    assert response.status_code == 400
    assert "must be a month and year" in response.text


async def test_coordinator_sees_who_stepped_aside_but_members_never_do(world: World) -> None:
    await world.as_("lived")
    page = await open_page(world.client, world.review_url)
    await page.form("Swap this case").submit(world.client)
    await world.as_("coordinator")
    page = await open_page(world.client, world.case_url)
    assert "Lived: asked to swap" in page.text
    await world.as_("member")
    page = await open_page(world.client, world.review_url)
    assert "Lived" not in page.text and "asked to swap" not in page.text


async def test_a_member_cannot_reach_coordinator_pages(world: World) -> None:
    await world.as_("member")
    for url in ("/staff/panels", world.panel_url, world.case_url):
        response = await world.client.get(url)
        assert response.status_code == 403, url


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _text_pdf(pages: list[str]) -> bytes:
    """A small PDF with one line of text a page (Helvetica), offsets computed for the xref."""
    count = len(pages)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids ["
        + " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
        + f"] /Count {count} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, line in enumerate(pages):
        stream = f"BT /F1 12 Tf 20 100 Td ({line}) Tj ET"
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


async def test_coordinator_records_a_theme_across_cases(world: World) -> None:
    response = await submit(
        world.client,
        world.panel_url,
        "Add theme",
        {"kind": "good_practice", "theme_text": "Prompt attendance across cases"},
    )
    assert response.status_code == 200
    assert "Good practice: Prompt attendance across cases (across cases)" in response.text
    response = await submit(world.client, world.panel_url, "Add theme", {"theme_text": "x"})
    assert response.status_code == 400 and "Choose the kind of theme" in response.text


async def test_coordinator_allocates_a_case_to_another_meeting(world: World) -> None:
    later = await add_meeting(world, date.today() + timedelta(days=28))
    case_id = await add_case(world, None, reference="C-ALLOC")
    url = f"{world.panel_url}/cases/{case_id}"
    response = await submit(world.client, url, "Allocate to meeting", {"meeting_id": later})
    assert response.status_code == 200
    assert str((await _one(world, Case, reference="C-ALLOC")).meeting_id) == later
    page = await open_page(world.client, f"{world.panel_url}/meetings/{later}")
    assert "C-ALLOC" in page.text
