"""The force liaison sees every recommendation, overdue first, and writes the force's response;
the coordinator can act for the force and move a due date; members cannot respond."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from panels.models import Recommendation
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.panels.conftest import World
from tests.panels.test_chair import reveal, scored_by_two


async def with_recommendation(world: World, due_on: date | None = None) -> str:
    await scored_by_two(world)
    await reveal(world)
    data = {"recommendation": "Refer within 48 hours.", "owner": "Head of PPU"}
    if due_on:
        data["due_on"] = due_on.isoformat()
    await submit(world.client, f"{world.review_url}/reveal", "Add recommendation", data)
    async with db_session(world.client.app.state["settings"]) as db:
        return str((await db.scalar(select(Recommendation))).id)


async def test_overdue_recommendations_are_listed_first_for_the_liaison(world: World) -> None:
    await with_recommendation(world, date.today() - timedelta(days=1))
    await world.as_("liaison")
    page = await open_page(world.client, "/staff/recommendations")
    overdue_part = page.text.split("All other recommendations")[0]
    assert "Refer within 48 hours." in overdue_part
    await world.as_("coordinator")
    page = await open_page(world.client, "/staff/panels")
    assert "1 recommendation(s) have had no response" in page.text


async def test_liaison_responds_with_evidence_and_the_status_changes(world: World) -> None:
    rec_id = await with_recommendation(world)
    await world.as_("liaison")
    page = await open_page(world.client, f"/staff/recommendations/{rec_id}")
    assert "Change due date" not in page.text  # only the coordinator moves dates
    response = (
        await page.form("Save response")
        .fill(
            status="in_progress",
            response="A new referral check is being trained.",
            evidence="Training plan v2.",
        )
        .submit(world.client, follow_redirects=True)
    )
    assert response.status_code == 200
    async with db_session(world.client.app.state["settings"]) as db:
        rec = await db.scalar(select(Recommendation))
    assert rec.status == "in_progress" and rec.evidence == "Training plan v2."
    assert rec.responded_at is not None


async def test_not_accepted_needs_a_reason(world: World) -> None:
    rec_id = await with_recommendation(world)
    await world.as_("liaison")
    response = await submit(
        world.client,
        f"/staff/recommendations/{rec_id}",
        "Save response",
        {"status": "not_accepted", "response": "No."},
    )
    assert response.status_code == 400 and "Give the reason" in response.text


async def test_coordinator_acts_for_the_force_and_moves_the_due_date(world: World) -> None:
    rec_id = await with_recommendation(world)
    await world.as_("coordinator")
    url = f"/staff/recommendations/{rec_id}"
    await submit(world.client, url, "Change due date", {"due_on": "2099-01-31"})
    await submit(world.client, url, "Save response", {"status": "accepted", "response": "Agreed."})
    async with db_session(world.client.app.state["settings"]) as db:
        rec = await db.scalar(select(Recommendation))
    assert rec.due_on == date(2099, 1, 31) and rec.status == "accepted"


async def test_a_liaison_posting_a_due_date_by_hand_is_refused(world: World) -> None:
    """Bad input: the liaison's page has no due-date form; a hand-built post is refused."""
    rec_id = await with_recommendation(world)
    await world.as_("liaison")
    page = await open_page(world.client, f"/staff/recommendations/{rec_id}")
    form = page.form("Save response")
    form.tag["action"] = f"/staff/recommendations/{rec_id}/due"
    form.values.append(("due_on", "2099-01-31"))
    assert (await form.submit(world.client)).status_code == 403


async def test_members_cannot_see_or_answer_recommendations(world: World) -> None:
    rec_id = await with_recommendation(world)
    await world.as_("member")
    assert (await world.client.get("/staff/recommendations")).status_code == 403
    assert (await world.client.get(f"/staff/recommendations/{rec_id}")).status_code == 403
