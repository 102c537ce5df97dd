"""The coding queue, used as a coder uses it: the next answer with its suggestions ticked,
accept/change/add by submitting the rendered form, memo and flag, progress, narrowing by theme
and group, and retraining from people's decisions."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from consult.jobs import Job
from research.coding.models import Decision, Suggestion
from tests.conftest import db_session, post_form
from tests.forms import open_page, submit
from tests.research.coding.conftest import ANSWERS, add_responses, wait_for_jobs


async def coded(client: AsyncTestClient[Any], coding: str) -> None:
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)


def answer(page: Any) -> str:
    return str(page.soup.find(id="answer").get_text())


async def decisions(client: AsyncTestClient[Any]) -> list[Decision]:
    async with db_session(client.app.state["settings"]) as db:
        return list(await db.scalars(select(Decision).order_by(Decision.created_at)))


async def test_before_any_coding_run_the_queue_offers_to_code_all_answers(
    client: AsyncTestClient[Any], coding: str
) -> None:
    page = await open_page(client, f"{coding}/prevention/queue")
    assert "code all answers first" in page.text
    response = await page.form("Code all answers").submit(client, follow_redirects=True)
    assert response.status_code == 200


async def test_accepting_changing_and_adding_are_recorded_as_such(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await coded(client, coding)
    queue = f"{coding}/prevention/queue?order=received"
    page = await open_page(client, queue)
    assert "/queue/" in str(page.response.url)
    assert answer(page).startswith("The police did not believe me")  # the first received
    form = page.form("Save and next")
    suggested = [v for n, v in form.values if n == "themes"]
    assert suggested, "the first answer comes with its suggestions ticked"
    response = await form.submit(client, follow_redirects=True)  # accept as suggested
    page = await open_page(client, str(response.url))
    assert answer(page).startswith("More refuge spaces")  # straight on to the next answer
    form = page.form("Save and next")
    offered = form.options("themes")
    form.fill(themes=[offered[-1]], memo="Housing, not refuge?", flag="1")
    response = await form.submit(client, follow_redirects=True)
    rows = await decisions(client)
    assert [d.kind for d in rows] == ["accepted", "changed" if rows[1].suggested else "added"]
    assert rows[0].themes == sorted(suggested)
    assert (
        rows[1].themes == [offered[-1]]
        and rows[1].memo == "Housing, not refuge?"
        and rows[1].flagged
    )
    assert "2 coded by a person" in response.text
    async with db_session(client.app.state["settings"]) as db:
        viewed = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "coding_answer_viewed"))
        )
    assert len(viewed) >= 3 and all("text" not in e.detail for e in viewed)


async def test_nothing_ticked_records_no_theme(client: AsyncTestClient[Any], coding: str) -> None:
    await coded(client, coding)
    page = await open_page(client, f"{coding}/prevention/queue?order=received")
    await page.form("Save and next").fill(themes=None).submit(client)
    (row,) = await decisions(client)
    assert row.themes == [] and row.kind in ("changed", "none")


async def test_the_queue_narrows_by_respondent_type_and_by_suggested_theme(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await coded(client, coding)
    page = await open_page(client, f"{coding}/prevention/queue")
    response = (
        await page.form("Show answers")
        .fill(group="public", order="received")
        .submit(client, follow_redirects=True)
    )
    assert answer(await open_page(client, str(response.url))).startswith("Better street lighting")
    async with db_session(client.app.state["settings"]) as db:
        suggestion = await db.scalar(select(Suggestion).where(Suggestion.labels != "|"))
    assert suggestion is not None
    theme = suggestion.themes[0]["theme"]
    page = await open_page(client, f"{coding}/prevention/queue")
    response = (
        await page.form("Show answers").fill(theme=theme).submit(client, follow_redirects=True)
    )
    for _ in range(len(ANSWERS)):
        if "Nothing left to code" in response.text:
            break
        page = await open_page(client, str(response.url))
        assert theme in page.form("Save and next").options("themes")
        ticked = [v for n, v in page.form("Save and next").values if n == "themes"]
        assert theme in ticked
        response = await page.form("Save and next").submit(client, follow_redirects=True)
    assert "Nothing left to code" in response.text


async def test_a_theme_the_codebook_does_not_have_is_refused_hand_built_post(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await coded(client, coding)
    page = await open_page(client, f"{coding}/prevention/queue")
    url = str(page.response.url).split("?")[0]
    response = await post_form(client, url, {"themes": "Not a theme"})
    assert response.status_code == 400 and "is not a theme of this codebook" in response.text
    assert await decisions(client) == []


async def test_suggestions_learn_again_after_every_ten_decisions(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await add_responses(client.app.state["settings"], ANSWERS[:4])
    await coded(client, coding)
    response = await client.get(f"{coding}/prevention/queue?order=received", follow_redirects=True)
    for _ in range(10):
        page = await open_page(client, str(response.url))
        response = await page.form("Save and next").submit(client, follow_redirects=True)
    await wait_for_jobs(client, coding)
    async with db_session(client.app.state["settings"]) as db:
        jobs = list(await db.scalars(select(Job).order_by(Job.created_at)))
    assert len(jobs) == 2 and jobs[1].status == "done"
    assert jobs[1].result["learned"] is True, jobs[1].message
