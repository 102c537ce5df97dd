"""Security review findings 7 and 9-14: draft previews, hostile definitions and uploads,
oversized forms, control characters and out-of-range numbers (docs/security.md)."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import select

import consult.auth
from consult.consultations.models import Consultation, Status
from surveys.models import Draft, SurveyVersion
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit, submit_page
from tests.surveys.conftest import load_all_types, load_demo
from tests.surveys.responses.conftest import add_responses, consultation_id

# 7. Draft previews --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["panel_member", "panel_coordinator"])
async def test_a_draft_consultation_is_not_shown_to_staff_who_cannot_edit_it(
    client, settings, staff, role: str
) -> None:
    slug = await load_demo(settings, status=Status.DRAFT.value)
    await staff(role)
    assert (await client.get(f"/c/{slug}")).status_code == 404
    assert (await client.get(f"/c/{slug}/consent")).status_code == 404


async def test_a_draft_preview_ends_with_the_staff_idle_timeout(
    client, settings, staff, monkeypatch
) -> None:
    slug = await load_demo(settings, status=Status.DRAFT.value)
    await staff("researcher")
    assert (await client.get(f"/c/{slug}")).status_code == 200
    later = time.time() + settings.staff_idle_timeout + 60
    monkeypatch.setattr(consult.auth, "time", SimpleNamespace(time=lambda: later))
    assert (await client.get(f"/c/{slug}")).status_code == 404


# 9 and 12. Hostile survey definitions -----------------------------------------------------

LAUGHS = """key: lol
title: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
sections: [*e]
"""


async def _builder(settings) -> str:  # type: ignore[no-untyped-def]
    async with db_session(settings) as db:
        consultation = Consultation(
            slug=f"c-{uuid.uuid4().hex[:8]}", title="Hostile", public_title="Survey"
        )
        db.add(consultation)
        await db.commit()
        return f"/staff/consultations/{consultation.id}/survey"


async def _upload_definition(client, base: str, name: str, text: str):  # type: ignore[no-untyped-def]
    return await post_form(
        client, f"{base}/import", {}, files={"definition": (name, text.encode(), "text/plain")}
    )


async def _versions(settings) -> int:  # type: ignore[no-untyped-def]
    async with db_session(settings) as db:
        return len((await db.scalars(select(SurveyVersion))).all())


HOSTILE_DEFINITIONS = {
    "aliases": ("s.yaml", LAUGHS, "aliases (*name) are not allowed"),
    "YAML nested 5,000 deep": ("s.yaml", "key: " + "[" * 5000 + "]" * 5000, "nested more than"),
    "JSON nested 50,000 deep": ("s.json", "[" * 50_000 + "]" * 50_000, "nested more than"),
    "5,000-digit version": (
        "s.json",
        '{"key": "k", "title": "t", "version": ' + "9" * 5000 + ', "sections": []}',
        "a number has more than 4,300 digits",
    ),
    "20-digit version": (
        "s.yaml",
        "key: k\ntitle: t\nversion: 99999999999999999999\nsections: []\n",
        "version",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_DEFINITIONS))
async def test_a_hostile_definition_upload_gets_a_message_and_builds_nothing(
    client, settings, staff, case: str
) -> None:
    await staff("researcher")
    base = await _builder(settings)
    name, text, message = HOSTILE_DEFINITIONS[case]
    response = await _upload_definition(client, base, name, text)
    assert response.status_code == 422, response.text[:500]
    assert message in response.text
    assert await _versions(settings) == 0


# 10 and 12. Hostile response imports ------------------------------------------------------


def _xlsx(declared: str | None = None, rows: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Group"])
    for n in range(rows):
        sheet.append([f"group {n}"])
    buffer = io.BytesIO()
    book.save(buffer)
    if declared is None:
        return buffer.getvalue()
    # Rewrite the sheet's <dimension> the way a hostile file declares it.
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), data
                )
            target.writestr(item, data)
    return out.getvalue()


HOSTILE_TABLES = {
    "XLSX declaring A1:XFD1500": ("a.xlsx", lambda: _xlsx("A1:XFD1500"), "more than 500 columns"),
    "XLSX declaring a million rows": (
        "a.xlsx", lambda: _xlsx("A1:A1000000"), "more than 20,000 rows",
    ),
    "CSV with 20,000 columns": (
        "a.csv", lambda: (",".join(f"c{n}" for n in range(20_000)) + "\r\n").encode(),
        "more than 500 columns",
    ),
    "CSV with 25,000 rows": ("a.csv", lambda: b"Group\r\n" + b"x\r\n" * 25_000, "more than 20,000 rows"),
    "CSV field over 128 KB": (
        "a.csv", lambda: b'Group\r\n"' + b"x" * 140_000 + b'"\r\n', "could not be read as CSV",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE_TABLES))
async def test_a_hostile_response_file_is_refused_with_a_message(
    client, settings, staff, case: str
) -> None:
    await load_all_types(settings)
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/responses"
    name, content, message = HOSTILE_TABLES[case]
    response = await post_form(client, f"{base}/import", {}, files={"file": (name, content())})
    assert response.status_code == 400, response.text[:500]
    assert message in response.text


async def test_response_files_are_read_off_the_event_loop(
    client, settings, staff, monkeypatch
) -> None:
    import surveys.imports.controller as controller

    threads: list[bool] = []
    real = controller.read_table

    def spy(filename: str, content: bytes):  # type: ignore[no-untyped-def]
        try:
            asyncio.get_running_loop()
            threads.append(False)
        except RuntimeError:  # no loop here: a worker thread
            threads.append(True)
        return real(filename, content)

    monkeypatch.setattr(controller, "read_table", spy)
    await load_all_types(settings)
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/responses"
    response = await post_form(
        client, f"{base}/import", {}, files={"file": ("a.xlsx", _xlsx(rows=3))},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert threads == [True]


# 11. Oversized respondent forms ------------------------------------------------------------


async def _first_question_page(client, slug: str):  # type: ignore[no-untyped-def]
    await open_page(client, f"/c/{slug}")
    page = await open_page(client, f"/c/{slug}/consent")
    return await page.form("Continue").fill({"q-consent": "yes"}).submit(client)


async def test_a_respondent_post_of_200000_fields_is_refused_before_parsing_hostile_form(
    client, settings
) -> None:
    await load_all_types(settings)
    page = await _first_question_page(client, "all-types")
    url = str(page.url)
    # 200,000 one-letter fields: 400 KB, under the body limit, so the field count refuses it.
    body = "&".join(["x"] * 200_000)
    body += "&_csrf_token=" + str(client.cookies.get("csrf"))
    response = await client.post(
        url, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert "more than 1000 fields" in response.text


async def test_a_respondent_post_larger_than_half_a_megabyte_is_refused_hostile_body(
    client, settings
) -> None:
    await load_all_types(settings)
    page = await _first_question_page(client, "all-types")
    response = await post_form(client, str(page.url), {"q-story": "x" * 600_000})
    assert response.status_code == 413
    assert "larger than this service accepts" in response.text


# 13. Control characters ---------------------------------------------------------------------


async def test_control_characters_are_removed_from_answers_as_they_are_saved(
    client, settings
) -> None:
    await load_all_types(settings)
    page = await _first_question_page(client, "all-types")
    response = await submit_page(
        client,
        page,
        "Continue",
        {"q-name_of_group": "nul\x00byte\x07", "q-story": "line one\nline\ttwo\x1b"},
    )
    assert response.status_code == 200
    async with db_session(settings) as db:
        answers = (await db.scalars(select(Draft.answers))).one()
    assert answers["name_of_group"] == "nulbyte"
    assert answers["story"] == "line one\nline\ttwo"


async def test_control_characters_are_removed_from_staff_text_fields(
    client, settings, staff
) -> None:
    await staff("administrator")
    response = await submit(
        client,
        "/staff/users/new",
        "Add user",
        {
            "email": "named@example.org",
            "name": "Nul\x00 Name\x1b",
            "role": "researcher",
            "password": "a perfectly fine passphrase",
        },
    )
    assert response.status_code == 200
    from consult.accounts.models import User

    async with db_session(settings) as db:
        user = await db.scalar(select(User).where(User.email == "named@example.org"))
    assert user is not None and user.name == "Nul Name"


async def test_an_export_survives_control_characters_already_stored_and_logs_no_answer(
    client, settings, staff, capfd
) -> None:
    await load_all_types(settings)
    # PostgreSQL's JSON cannot hold NUL; these are as fatal to XLSX and it can hold them.
    stored = "zebra\x07crossing\x1bwith\x0bcontrols"
    await add_responses(settings, [{"consent": "yes", "name_of_group": stored}])
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/responses"
    for fmt in ("xlsx", "csv", "sav"):
        response = await client.get(f"{base}/export", params={"format": fmt})
        assert response.status_code == 200, (fmt, response.text[:300])
    book = openpyxl.load_workbook(
        io.BytesIO((await client.get(f"{base}/export", params={"format": "xlsx"})).content)
    )
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "zebracrossingwithcontrols" in cells
    # The app's log handler writes to stderr from its own thread: capture at the descriptor.
    assert "zebra" not in capfd.readouterr().err


# 14. Out-of-range numbers in addresses -----------------------------------------------------


async def test_out_of_range_page_and_dates_are_refused_with_400(client, settings, staff) -> None:
    await load_all_types(settings)
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/responses"
    assert (await client.get(base, params={"page": "99999999999999999999"})).status_code == 400
    listed = await client.get(base, params={"submitted_to": "9999-12-31"})
    assert listed.status_code == 400 and "To date must be between" in listed.text
    exported = await client.get(f"{base}/export", params={"submitted_to": "9999-12-31"})
    assert exported.status_code in (400, 422)
    assert "To date must be between" in exported.text


async def test_a_20_digit_version_number_in_an_address_is_404(client, settings, staff) -> None:
    await load_all_types(settings)
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/survey"
    huge = "99999999999999999999"
    assert (await client.get(f"{base}/versions/{huge}/export")).status_code == 404
    assert (await client.get(f"{base}/preview", params={"version": huge})).status_code == 404
    assert (await client.get(f"{base}/versions/{2**31}/export")).status_code == 404


async def test_preview_state_nested_50000_deep_is_ignored_not_a_500_hostile_state(
    client, settings, staff
) -> None:
    await load_all_types(settings)
    await staff("researcher")
    base = f"/staff/consultations/{await consultation_id(settings)}/survey/preview"
    response = await post_form(
        client, base, {"version": "1", "action": "continue", "state": "[" * 50_000}
    )
    assert response.status_code == 200
