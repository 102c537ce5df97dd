"""The chair reveals the scores (spread, agreement, disagreements first) and records the
panel's consensus, themes and recommendations; no one else can."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from panels.models import Case, Consensus, Recommendation, Theme
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.panels.conftest import World, add_meeting
from tests.panels.test_member import score


async def scored_by_two(world: World) -> None:
    await world.as_("member")
    await score(world, comment_c2="Risk form missing.")
    await world.as_("lived")
    await score(world, score_c1="inappropriate")
    await world.as_("chair")


async def reveal(world: World) -> object:
    return await submit(world.client, f"{world.review_url}/reveal", "Reveal the scores")


async def test_chair_reveals_spread_agreement_and_disagreements_first(world: World) -> None:
    await scored_by_two(world)
    page = await open_page(world.client, f"{world.review_url}/reveal")
    assert "2 member reviews saved" in page.text
    assert "Risk form missing." not in page.text  # hidden until revealed
    response = await reveal(world)
    assert response.status_code == 200
    rows = [" ".join(row.get_text(" ").split()) for row in _rows(response.text)]
    # Members split on the first criterion (0% agreement), so it is listed first.
    assert rows[0].startswith("Initial response Discuss first") and rows[0].endswith("0.0%")
    assert rows[-1].endswith("100.0%")
    assert "Krippendorff's alpha:" in response.text
    assert "Risk form missing." in response.text


def _rows(html: str) -> list:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").select("table.govuk-table tbody tr")


async def test_after_the_reveal_every_member_sees_the_spread_and_scores_are_locked(
    world: World,
) -> None:
    await scored_by_two(world)
    await reveal(world)
    await world.as_("member")
    page = await open_page(world.client, world.review_url)
    assert "Discuss first" in page.text
    assert "Save my review" not in page.text


async def test_only_the_chair_can_reveal_or_record_consensus(world: World) -> None:
    await world.as_("member")
    for url in (f"{world.review_url}/reveal",):
        assert (await world.client.get(url)).status_code == 403
    await world.as_("coordinator")
    assert (await world.client.get(f"{world.review_url}/reveal")).status_code == 403


async def test_chair_records_consensus_themes_and_a_recommendation_due_in_56_days(
    world: World,
) -> None:
    await scored_by_two(world)
    await reveal(world)
    url = f"{world.review_url}/reveal"
    response = await submit(
        world.client,
        url,
        "Record outcome",
        {"outcome": "appropriate_observations", "reasons": "Good response, slow referral."},
    )
    assert response.status_code == 200 and "Appropriate with observations" in response.text
    page = await open_page(world.client, url)
    assert (
        page.form("Add recommendation").value("due_on")
        == (date.today() + timedelta(days=56)).isoformat()
    )
    await submit(world.client, url, "Add theme", {"kind": "concern", "theme_text": "Slow referral"})
    await submit(
        world.client,
        url,
        "Add recommendation",
        {"recommendation": "Refer victims to support within 48 hours.", "owner": "Head of PPU"},
    )
    async with db_session(world.client.app.state["settings"]) as db:
        consensus = await db.scalar(select(Consensus))
        theme = await db.scalar(select(Theme))
        recommendation = await db.scalar(select(Recommendation))
    assert consensus.outcome == "appropriate_observations"
    assert consensus.chair_id is not None
    assert theme.kind == "concern" and theme.text == "Slow referral"
    assert recommendation.number == 1 and recommendation.status == "awaiting"
    assert recommendation.due_on == date.today() + timedelta(days=56)


async def test_consensus_cannot_be_recorded_before_the_reveal(world: World) -> None:
    await world.as_("chair")
    page = await open_page(world.client, f"{world.review_url}/reveal")
    assert "Record outcome" not in page.text
    assert "Reveal the scores before recording the outcome" in page.text


async def test_could_not_agree_carries_the_case_to_the_next_meeting_with_a_request(
    world: World,
) -> None:
    next_meeting = await add_meeting(world, date.today() + timedelta(days=30))
    await scored_by_two(world)
    await reveal(world)
    url = f"{world.review_url}/reveal"
    response = await submit(
        world.client,
        url,
        "Record outcome",
        {"outcome": "could_not_agree", "reasons": "Split on risk."},
    )
    assert response.status_code == 400
    assert "Say what the panel needs from the force" in response.text
    response = await submit(
        world.client,
        url,
        "Record outcome",
        {
            "outcome": "could_not_agree",
            "reasons": "Split on risk.",
            "information_request": "The risk assessment form.",
        },
    )
    assert response.status_code == 200
    async with db_session(world.client.app.state["settings"]) as db:
        case = await db.scalar(select(Case))
    assert str(case.meeting_id) == next_meeting and case.revealed_at is None
    assert case.information_request == "The risk assessment form."
    await world.as_("liaison")
    page = await open_page(world.client, "/staff/recommendations")
    assert "The risk assessment form." in page.text


async def test_could_not_agree_without_a_next_meeting_is_a_message(world: World) -> None:
    await scored_by_two(world)
    await reveal(world)
    response = await submit(
        world.client,
        f"{world.review_url}/reveal",
        "Record outcome",
        {"outcome": "could_not_agree", "reasons": "Split.", "information_request": "More."},
    )
    assert response.status_code == 400 and "add the next meeting first" in response.text


async def test_a_chair_with_expired_vetting_is_refused(world: World) -> None:
    url = f"{world.panel_url}/members/{world.memberships['chair']}"
    await submit(world.client, url, "Save membership", {"vetting_status": "pending"})
    await world.as_("chair")
    response = await world.client.get(f"{world.review_url}/reveal")
    assert response.status_code == 403 and "Vetting is not complete" in response.text
