"""Coding overview and codebooks: a researcher starts a coding run and sees it finish, edits,
imports and exports a question's codebook, all through the forms the pages render."""

from __future__ import annotations

from typing import Any

import yaml
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from research.coding.models import Suggestion
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.research.coding.conftest import ANSWERS, wait_for_jobs


async def test_a_coding_run_suggests_themes_with_reasons_for_every_answer(
    client: AsyncTestClient[Any], coding: str
) -> None:
    page = await open_page(client, coding)
    assert "What more could be done to stop this happening to others?" in page.text
    response = await submit(client, coding, "Code all answers", action="/prevention/run")
    assert response.status_code == 200
    page = await wait_for_jobs(client, coding)
    assert "Done" in page.text and "Suggested themes for" in page.text
    async with db_session(client.app.state["settings"]) as db:
        rows = list(await db.scalars(select(Suggestion)))
    assert len(rows) == len(ANSWERS)
    with_themes = [r for r in rows if r.themes]
    assert with_themes, "the starting codebook's rules match some of these answers"
    for row in with_themes:
        for theme in row.themes:
            assert theme["source"] == "rule" and theme["why"], theme
            assert f"|{theme['theme']}|" in row.labels


async def test_a_researcher_adds_edits_and_deletes_a_theme(
    client: AsyncTestClient[Any], coding: str
) -> None:
    url = f"{coding}/prevention/codebook"
    response = await submit(
        client,
        url,
        "Add theme",
        {
            "name": "Street lighting",
            "description": "Lighting in public places",
            "keywords": "lighting\nlamp",
            "phrases": "",
        },
    )
    assert response.status_code == 200 and "Street lighting" in response.text
    page = await open_page(client, url)
    index = next(
        str(form["action"]).rsplit("/", 1)[1]
        for form in page.forms()
        if form.find("input", attrs={"value": "Street lighting"})
    )
    form = page.form("Save theme", action=f"/codebook/themes/{index}")
    response = await form.fill(name="Lighting and safety").submit(client, follow_redirects=True)
    assert "Lighting and safety" in response.text and "Street lighting" not in response.text
    form = (await open_page(client, url)).form("Delete theme", action=f"/codebook/themes/{index}")
    response = await form.submit(client, follow_redirects=True)
    assert "Lighting and safety" not in response.text
    async with db_session(client.app.state["settings"]) as db:
        actions = list(
            await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "codebook"))
        )
    assert actions == ["theme_added", "theme_changed", "theme_deleted"]


async def test_a_theme_without_a_name_or_with_a_taken_name_is_refused_with_a_message(
    client: AsyncTestClient[Any], coding: str
) -> None:
    url = f"{coding}/prevention/codebook"
    response = await submit(client, url, "Add theme", {"name": ""}, follow_redirects=False)
    assert response.status_code == 400 and "Enter theme name" in response.text
    taken = yaml.safe_load((await client.get(f"{url}/download/yaml")).text)["themes"][0]["name"]
    response = await submit(client, url, "Add theme", {"name": taken}, follow_redirects=False)
    assert response.status_code == 400 and "There is already a theme called" in response.text


async def test_a_codebook_exports_and_imports_as_yaml_and_qdc(
    client: AsyncTestClient[Any], coding: str
) -> None:
    url = f"{coding}/prevention/codebook"
    exported = await client.get(f"{url}/download/yaml")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    book = yaml.safe_load(exported.text)
    book["themes"] = book["themes"][:2]
    page = await open_page(client, url)
    form = page.form("Import codebook").attach(
        "codebook", "small.yaml", yaml.safe_dump(book).encode()
    )
    response = await form.submit(client, follow_redirects=True)
    assert response.status_code == 200 and "2 themes" in response.text
    qdc = await client.get(f"{url}/download/qdc")
    assert qdc.status_code == 200 and "CodeBook" in qdc.text
    page = await open_page(client, url)
    form = page.form("Import codebook").attach("codebook", "book.qdc", qdc.content)
    response = await form.submit(client, follow_redirects=True)
    assert "2 themes" in response.text


async def test_a_bad_codebook_file_gets_a_message_and_changes_nothing(
    client: AsyncTestClient[Any], coding: str
) -> None:
    url = f"{coding}/prevention/codebook"
    before = (await client.get(f"{url}/download/yaml")).text
    for name, content in [
        ("bad.yaml", b"themes: [unclosed"),
        ("bad.yaml", b"name: x\nthemes: []\n"),
        ("bad.qdc", b"<!DOCTYPE x><CodeBook/>"),
        ("bad.yaml", "\udcff".encode("utf-8", "surrogatepass")),
    ]:
        page = await open_page(client, url)
        response = (
            await page.form("Import codebook").attach("codebook", name, content).submit(client)
        )
        assert response.status_code == 400, (name, response.text[:300])
        assert "There is a problem" in response.text
    assert (await client.get(f"{url}/download/yaml")).text == before


async def test_coding_pages_are_for_roles_that_code(
    client: AsyncTestClient[Any], coding: str, staff: Any
) -> None:
    await client.post("/staff/logout")
    await staff("panel_member")
    response = await client.get(coding, follow_redirects=False)
    assert response.status_code == 403
