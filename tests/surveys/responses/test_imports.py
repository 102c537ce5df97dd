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


def stored_uploads(settings) -> list[str]:
    folder = settings.data_dir / "imports"
    return sorted(p.name for p in folder.glob("*.json")) if folder.exists() else []


async def test_rating_grid_rows_import_from_one_column_each_as_labels_or_codes(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    csv_text = "Grid: Bus,grid__train\r\nVery satisfied,dissatisfied\r\n,NEITHER\r\n"
    mapping_page = await upload(client, survey, "grid.csv", csv_text.encode())
    page = await client.get(mapping_page)
    # Each grid row is a choice of its own, preselected from its wording or export name.
    assert '<option value="grid:bus" selected>Grid: Bus</option>' in page.text
    assert '<option value="grid:train" selected>Grid: Train</option>' in page.text
    mapping = {"column-0": "grid:bus", "column-1": "grid:train"}
    done = await post_form(
        client, mapping_page, {**mapping, "action": "import"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert [r.answers for r in await saved(settings)] == [
        {"grid": {"bus": "very_satisfied", "train": "dissatisfied"}},
        {"grid": {"train": "neither"}},
    ]
    [event] = await audit_events(settings, "responses_imported")
    assert event.detail["columns"] == {"Grid: Bus": "grid:bus", "grid__train": "grid:train"}


async def test_bad_rating_grid_values_are_reported_row_by_row(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    csv_text = "Bus,Train,Train again\r\nsatisfied,Often,\r\nAwful,good,\r\n"
    mapping_page = await upload(client, survey, "grid.csv", csv_text.encode())
    result = await post_form(
        client, mapping_page,
        {"column-0": "grid:bus", "column-1": "grid:train", "column-2": "grid:train",
         "action": "import"},
    )  # fmt: skip
    assert result.status_code == 400
    assert "row 2, column &#39;Train&#39;: &#39;Often&#39; is not one of the ratings" in result.text
    assert "row 3, column &#39;Bus&#39;: &#39;Awful&#39; is not one of the ratings" in result.text
    assert "row 3, column &#39;Train&#39;: &#39;good&#39; is not one" in result.text
    assert (
        "columns &#39;Train&#39; and &#39;Train again&#39; answer the same question" in result.text
    )
    assert "Nothing was imported: 4 problems" in result.text
    assert await saved(settings) == []


async def test_the_upload_is_deleted_once_the_import_completes(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    mapping_page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    assert len(stored_uploads(settings)) == 1
    preview = await post_form(client, mapping_page, {**MAPPING, "action": "preview"})
    assert "Cancel and delete the upload" in preview.text
    assert len(stored_uploads(settings)) == 1  # kept while staff map and preview
    await post_form(client, mapping_page, {**MAPPING, "action": "import"}, follow_redirects=False)
    assert stored_uploads(settings) == []


async def test_cancelling_deletes_the_upload_and_imports_nothing(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    mapping_page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    page = await client.get(mapping_page)
    assert f'formaction="{mapping_page}/cancel"' in page.text  # a plain form button, no JS
    done = await post_form(client, f"{mapping_page}/cancel", MAPPING, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == survey
    assert stored_uploads(settings) == []
    assert await saved(settings) == []
    assert (await client.get(mapping_page)).status_code == 404
    [event] = await audit_events(settings, "responses_import_cancelled")
    assert event.detail == {"rows": 2}
    again = await post_form(client, f"{mapping_page}/cancel", {}, follow_redirects=False)
    assert again.status_code == 404
