"""Importing responses gathered elsewhere through the forms the pages render: upload, map
columns, preview, import (nothing while any row has a problem); imported rows get response ids of their own, and a
platform export imported again is refused rather than counted twice."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import select

from surveys.models import Response
from tests.conftest import db_session
from tests.forms import open_page, submit_page
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    export,
    unzip_csv,
)

GOOD_CSV = (
    "Group,Colour,Fruits,When,Mood\r\n"
    "Book club,Red,apple; Pear,2024-05,Satisfied\r\n"
    "Choir,blue,,5/2023,\r\n"
)


async def upload(client, survey: str, name: str, content: bytes) -> Any:
    """Follow the list's "Import responses" link, upload the file: the mapping page."""
    listing = await open_page(client, survey)
    link = listing.soup.find("a", string="Import responses gathered elsewhere")["href"]
    form = (await open_page(client, link)).form("Upload")
    form.attach("file", name, content)
    response = await form.submit(client, follow_redirects=True)
    assert response.status_code == 200, response.text
    return response


async def saved(settings) -> list[Response]:
    async with db_session(settings) as db:
        return list(await db.scalars(select(Response).order_by(Response.id)))


MAPPING = {"column-0": "name_of_group", "column-1": "colour", "column-2": "fruits",
           "column-3": "when", "column-4": "mood"}  # fmt: skip


async def test_good_csv_is_previewed_then_imported_and_audited(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    assert "Column ‘Colour’" in page.text
    assert 'value="colour" selected' in page.text  # heading matched the question wording
    preview = await submit_page(client, page, "Preview", {**MAPPING, "respondent_type": "public"})
    assert preview.status_code == 200 and "All 2 rows can be imported" in preview.text
    assert await saved(settings) == []
    done = await submit_page(client, preview, "Import 2 responses", follow_redirects=False)
    assert done.status_code == 303
    rows = await saved(settings)
    assert [r.answers for r in rows] == [
        {"name_of_group": "Book club", "colour": "red",
         "fruits": {"selected": ["apple", "pear"]}, "when": "2024-05", "mood": "satisfied"},
        {"name_of_group": "Choir", "colour": "blue", "when": "2023-05"},
    ]  # fmt: skip
    assert {r.respondent_type for r in rows} == {"public"}
    assert len({r.withdrawal_code_hash for r in rows}) == 2
    assert len({r.export_id for r in rows}) == 2  # each row its own response id
    [event] = await audit_events(settings, "responses_imported")
    assert event.detail["rows"] == 2 and event.detail["columns"]["Colour"] == "colour"
    assert (await client.get(str(page.url))).status_code == 404  # the upload is gone


async def test_the_respondent_type_list_is_in_the_survey_s_words_and_sets_its_answer(
    client, settings, staff
) -> None:
    from tests.surveys.conftest import load_demo
    from tests.surveys.responses.conftest import consultation_id

    await load_demo(settings)
    cid = await consultation_id(settings, "community-survey")
    await staff("researcher")
    survey = f"/staff/consultations/{cid}/responses"
    page = await upload(client, survey, "paper.csv", b"Area\r\nRugby\r\n")
    form = (await open_page(client, str(page.url))).form("Preview")
    assert "I am a member of the public" in page.text
    assert form.options("respondent_type") == [
        "", "victim_survivor", "on_behalf", "professional", "public",
    ]  # fmt: skip
    preview = await submit_page(client, page, "Preview", {"column-0": "area", "respondent_type": "public"})  # fmt: skip
    await submit_page(client, preview, "Import 1 response")
    [row] = await saved(settings)
    assert row.respondent_type == "public"
    # As if the respondent had answered the survey's respondent-type question.
    assert row.answers == {"area": "rugby", "respondent_type": "public"}


async def test_an_export_imported_again_is_refused_not_counted_twice(
    client, settings, staff, survey
) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue"}])
    await staff("researcher")
    (names, *rows), _, _ = unzip_csv(await export(client, survey))
    text = "\r\n".join(",".join(f'"{c}"' for c in row) for row in [names, *rows]) + "\r\n"
    page = await upload(client, survey, "again.csv", text.encode())
    result = await submit_page(client, page, "Preview")
    assert result.status_code == 400
    for number, row in enumerate(rows, start=2):
        response_id = row[names.index("response_id")]
        assert (
            f"row {number}: response {response_id} is already in this consultation" in result.text
        )
    assert "Import 2 responses" not in result.text
    assert len(await saved(settings)) == 2
    # Rows of another consultation's export (ids not held here) import, with ids of their own.
    renamed = text.replace(rows[0][0], "rnotheldhere001").replace(rows[1][0], "rnotheldhere002")
    page = await upload(client, survey, "other.csv", renamed.encode())
    preview = await submit_page(client, page, "Preview")
    assert "All 2 rows can be imported" in preview.text, preview.text
    await submit_page(client, preview, "Import 2 responses")
    ids = [r.export_id for r in await saved(settings)]
    assert len(set(ids)) == 4 and "rnotheldhere001" not in ids


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
    page = await upload(client, survey, "tool.xlsx", content.getvalue())
    result = await submit_page(client, page, "Preview", {"column-0": "colour", "column-1": "count"})
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
    assert "Import 3 responses" not in result.text  # no import while problems remain
    assert await saved(settings) == []
    assert await audit_events(settings, "responses_imported") == []


async def test_unreadable_upload_and_unmapped_columns_are_refused(client, staff, survey) -> None:
    await staff("researcher")
    form = (await open_page(client, f"{survey}/import")).form("Upload")
    bad = await form.attach("file", "x.csv", b"\xff\xfe\x00").submit(client)
    assert bad.status_code == 400 and "not UTF-8" in bad.text
    page = await upload(client, survey, "a.csv", b"Unknown\r\nvalue\r\n")
    refused = await submit_page(client, page, "Preview", {"column-0": ""})
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
    page = await upload(client, survey, "grid.csv", csv_text.encode())
    # Each grid row is a choice of its own, preselected from its wording or export name.
    assert '<option value="grid:bus" selected>Grid: Bus</option>' in page.text
    assert '<option value="grid:train" selected>Grid: Train</option>' in page.text
    preview = await submit_page(client, page, "Preview")
    done = await submit_page(client, preview, "Import 2 responses", follow_redirects=False)
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
    page = await upload(client, survey, "grid.csv", csv_text.encode())
    result = await submit_page(
        client, page, "Preview",
        {"column-0": "grid:bus", "column-1": "grid:train", "column-2": "grid:train"},
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
    page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    assert len(stored_uploads(settings)) == 1
    preview = await submit_page(client, page, "Preview", MAPPING)
    assert "Cancel and delete the upload" in preview.text
    assert len(stored_uploads(settings)) == 1  # kept while staff map and preview
    await submit_page(client, preview, "Import 2 responses")
    assert stored_uploads(settings) == []


async def test_cancelling_deletes_the_upload_and_imports_nothing(
    client, settings, staff, survey
) -> None:
    await staff("researcher")
    page = await upload(client, survey, "other-tool.csv", GOOD_CSV.encode())
    mapping_page = str(page.url)
    assert 'formaction="' in page.text  # the cancel button is a plain form button, no JS
    done = await submit_page(client, page, "Cancel and delete the upload", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == survey
    assert stored_uploads(settings) == []
    assert await saved(settings) == []
    assert (await client.get(mapping_page)).status_code == 404
    [event] = await audit_events(settings, "responses_import_cancelled")
    assert event.detail == {"rows": 2}
    # The page as it was (Back) sends the cancel again: the upload is already gone.
    again = await submit_page(client, page, "Cancel and delete the upload", follow_redirects=False)
    assert again.status_code == 404
