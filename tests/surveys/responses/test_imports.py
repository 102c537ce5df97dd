"""Importing responses gathered elsewhere: upload, map columns, preview, import all or nothing."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from surveys.models import Response
from tests.conftest import db_session, post_form
from tests.surveys.responses.conftest import audit_events

GOOD_CSV = (
    "Group,Colour,Fruits,When,Mood\r\n"
    "Book club,Red,apple; Pear,2024-05,Satisfied\r\n"
    "Choir,blue,,5/2023,\r\n"
)


async def upload(client, survey: str, name: str, content: bytes) -> str:
    response = await post_form(
        client, f"{survey}/import", {}, files={"file": (name, content)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def saved(settings) -> list[Response]:
    async with db_session(settings) as db:
        return list(await db.scalars(select(Response).order_by(Response.id)))


MAPPING = {"column-0": "name_of_group", "column-1": "colour", "column-2": "fruits",
           "column-3": "when", "column-4": "mood"}  # fmt: skip


async def test_good_csv_is_previewed_then_imported_and_audited(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    mapping_page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    page = await client.get(mapping_page)
    assert page.status_code == 200 and "Column ‘Colour’" in page.text
    assert 'value="colour" selected' in page.text  # heading matched the question wording
    preview = await post_form(
        client, mapping_page, {**MAPPING, "respondent_type": "public", "action": "preview"}
    )
    assert preview.status_code == 200 and "All 2 rows can be imported" in preview.text
    assert await saved(settings) == []
    done = await post_form(
        client,
        mapping_page,
        {**MAPPING, "respondent_type": "public", "action": "import"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    rows = await saved(settings)
    assert [r.answers for r in rows] == [
        {"name_of_group": "Book club", "colour": "red",
         "fruits": {"selected": ["apple", "pear"]}, "when": "2024-05", "mood": "satisfied"},
        {"name_of_group": "Choir", "colour": "blue", "when": "2023-05"},
    ]  # fmt: skip
    assert {r.respondent_type for r in rows} == {"public"}
    assert len({r.withdrawal_code_hash for r in rows}) == 2
    [event] = await audit_events(settings, "responses_imported")
    assert event.detail["rows"] == 2 and event.detail["columns"]["Colour"] == "colour"
    assert (await client.get(mapping_page)).status_code == 404  # the upload is gone


async def test_bad_values_are_reported_row_by_row_and_nothing_is_saved(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Colour", "How many"])
    sheet.append(["Red", 3])
    sheet.append(["Sometimes", 4])
    sheet.append(["Blue", 99])
    content = io.BytesIO()
    book.save(content)
    mapping_page = await upload(client, survey, "tool.xlsx", content.getvalue())
    result = await post_form(
        client, mapping_page, {"column-0": "colour", "column-1": "count", "action": "import"}
    )
    assert result.status_code == 400
    assert (
        "row 3, column &#39;Colour&#39;: &#39;Sometimes&#39; is not one of the options (Red, Blue)"
        in result.text
    )
    assert (
        "row 4, column &#39;How many&#39;: &#39;99&#39;: Enter a number between 0 and 10"
        in result.text
    )
    assert "Nothing was imported: 2 problems" in result.text
    assert await saved(settings) == []
    assert await audit_events(settings, "responses_imported") == []


async def test_unreadable_upload_and_unmapped_columns_are_refused(client, staff, survey) -> None:
    await staff("researcher")
    bad = await post_form(
        client, f"{survey}/import", {}, files={"file": ("x.csv", b"\xff\xfe\x00")}
    )
    assert bad.status_code == 400 and "not UTF-8" in bad.text
    mapping_page = await upload(client, survey, "a.csv", b"Unknown\r\nvalue\r\n")
    refused = await post_form(client, mapping_page, {"column-0": "", "action": "import"})
    assert refused.status_code == 400 and "Map at least one column" in refused.text


async def test_panel_members_cannot_import(client, staff, survey) -> None:
    await staff("panel_member")
    assert (await client.get(f"{survey}/import")).status_code == 403
