"""Theme results and quotes: counts of respondents per theme checked against the codings
themselves, a download where no count under k leaves, and a quote whose redaction a person
checks, corrects and confirms before it can be downloaded."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from research.coding.models import Quote, Suggestion
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit
from tests.research.coding.conftest import ANSWERS, add_responses, wait_for_jobs


async def coded(client: AsyncTestClient[Any], coding: str) -> str:
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)
    return coding.replace("/coding", "/themes")


async def test_theme_counts_are_respondents_whose_coding_mentions_the_theme(
    client: AsyncTestClient[Any], coding: str
) -> None:
    themes_url = await coded(client, coding)
    # A person codes the first answer with no theme: their decision replaces the suggestion.
    page = await open_page(client, f"{coding}/prevention/queue?order=received")
    await page.form("Save and next").fill(themes=None).submit(client)
    async with db_session(client.app.state["settings"]) as db:
        rows = list(await db.scalars(select(Suggestion)))
    page = await open_page(client, themes_url)
    page = await open_page(client, themes_url)
    response = await page.form("Show themes").fill(question="prevention").submit(client)
    page = await open_page(client, str(response.url))
    table = page.soup.select_one("#theme-table")
    header = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert header[1] == "All respondents"
    expected: dict[str, int] = {}
    texts = {r.response_id: r for r in rows}
    async with db_session(client.app.state["settings"]) as db:
        from research.coding.models import Decision

        decided = {d.response_id: d.themes for d in await db.scalars(select(Decision))}
    for rid, row in texts.items():
        for theme in decided.get(rid, [t["theme"] for t in row.themes]):
            expected[theme] = expected.get(theme, 0) + 1
    for tr in table.select("tbody tr"):
        name = tr.th.get_text(strip=True)
        if name.startswith("Answered"):
            assert tr.select("td")[0].get_text(strip=True) == str(len(ANSWERS))
            continue
        shown = tr.select("td")[0].get_text(" ", strip=True).split(" ")[0]
        assert int(shown) == expected.get(name, 0), (name, str(tr), expected)


async def test_the_download_hides_every_count_under_k(
    client: AsyncTestClient[Any], coding: str
) -> None:
    themes_url = await coded(client, coding)
    page = await open_page(client, f"{themes_url}?question=prevention")
    link = page.soup.find("a", string=lambda s: s and "Download this table" in s)
    response = await client.get(str(link["href"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    for row in rows[1:]:
        if row[0].startswith("Note:"):
            continue
        counts = row[1 : 1 + (len(row) - 1) // 2]
        for cell in counts:
            assert cell == "suppressed" or int(cell) == 0 or int(cell) >= 10, row
    assert any(r[0].startswith("Note: counts under 10 are hidden") for r in rows)


async def test_a_quote_is_checked_corrected_and_confirmed_before_it_can_be_downloaded(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await add_responses(
        client.app.state["settings"],
        [
            (
                "victim_survivor",
                "The police did not believe me when Darren Hughes called 07700 900123 again",
            )
        ],
    )
    themes_url = await coded(client, coding)
    async with db_session(client.app.state["settings"]) as db:
        rows = list(await db.scalars(select(Suggestion)))
    theme = next(t["theme"] for r in rows for t in r.themes)
    page = await open_page(client, f"{themes_url}/prevention/quotes?theme={theme}")
    assert "07700 900123" not in page.text, "quotes are listed redacted"
    target = next((f for f in page.soup.select("form") if "[PHONE]" in f.parent.get_text()), None)
    form_button = target.button.get_text(" ", strip=True) if target else None
    if target is None:  # the named answer is not coded with this theme: choose any quote
        form_button = page.soup.select("form button")[1].get_text(" ", strip=True)
    response = await page.form(form_button).submit(client, follow_redirects=True)
    quote_page = await open_page(client, str(response.url))
    assert "Not confirmed" in quote_page.text
    async with db_session(client.app.state["settings"]) as db:
        quote = await db.scalar(select(Quote))
    assert quote is not None
    words = quote_page.soup.select_one("#quote").get_text()[:8].strip().split(" ")[0]
    response = (
        await quote_page.form("Hide these words")
        .fill(words=words, type="NAME")
        .submit(client, follow_redirects=True)
    )
    assert (
        "[NAME]"
        in (await open_page(client, str(response.url))).soup.select_one("#preview").get_text()
    )
    quote_page = await open_page(client, str(response.url))
    undo = quote_page.soup.select("form[action*='/undo'] button")[0].get_text(" ", strip=True)
    response = await quote_page.form(undo).submit(client, follow_redirects=True)
    quote_page = await open_page(client, str(response.url))
    # Downloads hold confirmed quotes only.
    listing = await open_page(client, themes_url.replace("/themes", "/quotes"))
    assert "Check and confirm the redaction" in listing.text
    empty = await client.get(themes_url.replace("/themes", "/quotes") + "/download")
    assert len(list(csv.reader(io.StringIO(empty.text)))) == 1
    response = await quote_page.form("Confirm this redaction").submit(client, follow_redirects=True)
    assert "Confirmed" in response.text
    download = await client.get(themes_url.replace("/themes", "/quotes") + "/download")
    rows_out = list(csv.reader(io.StringIO(download.text)))
    assert len(rows_out) == 2 and rows_out[1][3].endswith("survey respondent")
    assert "07700 900123" not in download.text and "Darren" not in download.text
    async with db_session(client.app.state["settings"]) as db:
        actions = [e.action for e in await db.scalars(select(AuditEvent).order_by(AuditEvent.at))]
        details = [
            e.detail
            for e in await db.scalars(select(AuditEvent).where(AuditEvent.object_type == "quote"))
        ]
    assert {
        "quote_chosen",
        "redaction_added",
        "redaction_undone",
        "quote_confirmed",
        "quotes_downloaded",
    } <= set(actions)
    assert all(words not in str(d) for d in details), "the log says which type, never the words"


async def test_a_theme_not_in_the_codebook_is_refused_hand_built_post(
    client: AsyncTestClient[Any], coding: str
) -> None:
    themes_url = await coded(client, coding)
    response = await client.get(f"{themes_url}/prevention/quotes?theme=Nope")
    assert response.status_code == 422 and "Choose a theme of this question" in response.text
    response = await post_form(
        client, f"{themes_url}/prevention/quotes", {"theme": "Nope", "response_id": "x"}
    )
    assert response.status_code == 422 and "Choose a theme of this question" in response.text
