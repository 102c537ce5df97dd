"""The report through its pages, submitting the forms they render: a researcher arranges
sections and downloads (audited), only an administrator signs off, sign-off freezes a version,
and the published "you said, we did" page shows signed-off, suppressed figures and actions."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from research.report.document import SUPPRESSED
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit
from tests.research.report.conftest import THEME, demo_report_data


async def setup(client: AsyncTestClient[Any], staff: Any, role: str = "researcher") -> str:
    consultation_id = await demo_report_data(client.app.state["settings"])
    await staff(role)
    return f"/staff/consultations/{consultation_id}/analysis/report"


async def add_section(client: AsyncTestClient[Any], base: str, kind: str, **fields: Any) -> None:
    response = await submit(client, base, "Add section", {"kind": kind})
    assert response.status_code == 200 and "Edit section" in response.text
    page = await open_page(client, str(response.url))
    saved = await page.form("Save section").fill(**fields).submit(client)
    assert saved.status_code == 200, saved.text[:2000]


async def assemble(client: AsyncTestClient[Any], base: str) -> None:
    await add_section(client, base, "heading", title="Supporting Victims")
    await add_section(client, base, "respondents", questions=["age_band"])
    await add_section(client, base, "breakdown", rating="pursuing_perpetrators", group="")
    await add_section(client, base, "theme", theme=f"prevention::{THEME}")
    await add_section(client, base, "text", title="Summary", body="People told us **a lot**.")


async def test_a_researcher_arranges_sections_previews_and_downloads_with_an_audit_record(
    client: AsyncTestClient[Any], staff: Any
) -> None:
    base = await setup(client, staff)
    await assemble(client, base)
    page = await open_page(client, base)
    items = [li.strong.get_text() for li in page.soup.select("#sections > li")]
    assert items[-1] == "Narrative (Markdown)"
    # Move the narrative to the top, one step at a time.
    for _ in range(4):
        page = await open_page(client, base)
        forms = [f for f in page.soup.select("#sections form") if "move" in f["action"]]
        moving = next(f for f in forms if "Summary" in f.find_parent("li").get_text())
        await page.form("Move up", action=moving["action"].split("/report")[1]).submit(client)
    page = await open_page(client, base)
    first = page.soup.select("#sections > li")[0]
    assert first.strong.get_text() == "Narrative (Markdown)" and "Summary" in first.get_text()
    assert page.soup.select("#sections > li")[1].strong.get_text() == (
        "Heading grouping the sections below it"
    )
    preview = await client.get(f"{base}/preview")
    assert preview.status_code == 200 and "DRAFT" in preview.text
    assert "<strong>a lot</strong>" in preview.text and "<svg" in preview.text
    # Self-contained: its own inline styles, and no scripts or requests of any kind.
    policy = preview.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    # No sign-off for a researcher: the form is not offered and a hand-built post is refused.
    assert "Sign off version" not in page.text
    refused = await post_form(client, f"{base}/sign-off", {})
    assert refused.status_code == 403
    docx = await client.get(f"{base}/download/docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    assert "Supporting Victims" in [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    async with db_session(client.app.state["settings"]) as db:
        events = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "report_downloaded"))
        )
    assert [e.detail["format"] for e in events] == ["docx"]


async def test_sign_off_freezes_a_version_and_later_edits_make_a_new_draft(
    client: AsyncTestClient[Any], staff: Any
) -> None:
    base = await setup(client, staff, "administrator")
    await add_section(client, base, "text", title="First words", body="Version one.")
    signed = await submit(client, base, "Sign off version 1")
    assert "Version 1 signed off" in signed.text
    await add_section(client, base, "text", title="Added later", body="Version two.")
    page = await open_page(client, base)
    assert "Draft version 2" in page.text
    frozen = await client.get(f"{base}/download/html?version=1")
    assert "Version one." in frozen.text and "Version two." not in frozen.text
    assert "DRAFT" not in frozen.text and "signed off" in frozen.text
    draft = await client.get(f"{base}/download/html")
    assert "Version two." in draft.text and "DRAFT" in draft.text


async def test_the_published_page_shows_signed_off_suppressed_figures_and_the_actions(
    client: AsyncTestClient[Any], staff: Any
) -> None:
    base = await setup(client, staff, "administrator")
    await assemble(client, base)
    page_url = f"{base}/page"
    refused = await submit(client, page_url, "Save page", {"published": "yes"})
    assert refused.status_code == 422 and "must sign the report off" in refused.text
    await submit(client, base, "Sign off version 1")
    await submit(
        client, page_url, "Save page", {"summary": "You told us about housing.", "published": "yes"}
    )
    await submit(
        client,
        page_url,
        "Add action",
        {"text": "Fund ten more refuge places", "owner": "Housing team", "due": "2027-03-31"},
    )
    no_reason = await submit(
        client,
        page_url,
        "Add action",
        {"text": "A new helpline", "owner": "Partnership", "status": "not_taken_forward"},
    )
    assert no_reason.status_code == 422 and "Say why" in no_reason.text
    bad_date = await submit(
        client, page_url, "Add action", {"text": "X", "owner": "Y", "due": "next week"}
    )
    assert bad_date.status_code == 422 and "due date" in bad_date.text
    page = await open_page(client, page_url)
    await page.form("Save action 1").fill(status="in_progress").submit(client)

    client.cookies.clear()
    home = await open_page(client, "/")
    link = home.soup.find("a", string=lambda s: bool(s) and "what you told us" in s)
    public = await open_page(client, str(link["href"]))
    assert public.url.endswith("/you-said")
    assert "Exit this page" in public.text and "Get help" in public.text
    assert "You told us about housing." in public.text
    row = public.soup.find("th", string="Fund ten more refuge places").find_parent("tr")
    assert [td.get_text() for td in row.select("td")] == [
        "Housing team",
        "31 March 2027",
        "In progress",
    ]
    who = public.soup.find("caption", string="Who took part").find_parent("table")
    cells = [td.get_text() for td in who.select("td")]
    assert SUPPRESSED in cells and all(c == SUPPRESSED or int(c.split(" ")[0]) >= 10 for c in cells)
    assert THEME in public.text
    report = await client.get(
        public.soup.find("a", string=lambda s: bool(s) and "Word" in s)["href"]
    )
    assert report.status_code == 200
    assert "Supporting Victims" in [p.text for p in Document(io.BytesIO(report.content)).paragraphs]


async def test_bad_choices_in_a_hand_built_section_post_get_a_clear_message(
    client: AsyncTestClient[Any], staff: Any
) -> None:
    base = await setup(client, staff)
    response = await submit(client, base, "Add section", {"kind": "question"})
    url = str(response.url)
    bad = await post_form(client, url, {"title": "", "question": "no_such_question", "body": ""})
    assert bad.status_code == 422 and "Choose a question from the list" in bad.text
    text_question = await post_form(client, url, {"question": "prevention"})
    assert text_question.status_code == 422
    unknown_kind = await post_form(client, f"{base}/sections", {"kind": "pie"})
    assert unknown_kind.status_code == 422 and "kind of section" in unknown_kind.text
    missing = await client.get("/c/no-such-place/you-said")
    assert missing.status_code == 404
