"""A member reviews a released case view-only and scores it on their own; every guard refuses
with a 403 page that says why."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from consult.audit import AuditEvent
from panels.models import Review
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.panels.conftest import (
    World,
    add_case,
    add_meeting,
    add_member,
    confirm_and_release,
    create_panel,
)

SCORES = {"score_c1": "appropriate", "score_c2": "inappropriate", "score_c3": "appropriate"}


async def score(world: World, **values: str) -> object:
    return await submit(world.client, world.review_url, "Save my review", {**SCORES, **values})


async def test_member_sees_only_their_panels_cases(world: World) -> None:
    await world.as_("member")
    page = await open_page(world.client, "/staff/reviews")
    assert "Community review group" in page.text and "Case C-001" in page.text


async def test_review_page_is_view_only_with_watermark_content_notes_and_folded_narrative(
    world: World,
) -> None:
    await world.as_("member")
    page = await open_page(world.client, world.review_url)
    marked = page.soup.select(".consult-watermarked")
    # The summary and the material: typed material is one page (a form feed, which only a
    # PDF's text carries, is a control character and is cleaned from every posted field).
    assert len(marked) == 2
    assert all(m["data-watermark"].startswith("Member ") for m in marked)
    assert all("UTC" in m["data-watermark"] for m in marked)
    assert "Page 1 of 1. Viewed by Member" in page.text
    assert len(page.soup.select(".consult-content-note")) == 5
    details = page.soup.select("details")
    assert details and not details[0].has_attr("open")
    assert "[PHONE]" in details[0].get_text() and "07700 900123" not in page.text
    assert not page.soup.select("a[download]")
    assert not [a for a in page.soup.select("a[href]") if "download" in a["href"]]
    assert "A panel cannot reopen a case or change a force's decision." in page.text


async def test_member_pages_carry_the_quick_exit_and_get_help(world: World) -> None:
    await world.as_("member")
    for url in ("/staff/reviews", world.review_url):
        page = await open_page(world.client, url)
        exits = page.soup.select("[data-quick-exit]")
        assert [e.get_text(strip=True) for e in exits] == ["Exit this page", "Exit this page"]
        assert page.soup.select_one("script[src='/static/js/quick-exit.js']") is not None
        assert page.soup.select_one("#get-help") is not None
        assert page.response.headers["cache-control"] == "no-store"


async def test_every_view_of_a_case_is_audited(world: World) -> None:
    await world.as_("member")
    await open_page(world.client, world.review_url)
    await open_page(world.client, world.review_url)
    async with db_session(world.client.app.state["settings"]) as db:
        views = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "panel_case_viewed",
                    AuditEvent.object_id == world.case_id,
                    AuditEvent.actor_email == "member@example.org",
                )
            )
        )
    assert len(views) == 2


async def test_scores_are_hidden_from_other_members_until_everyone_has_scored(
    world: World,
) -> None:
    await world.as_("member")
    response = await score(world, comment_c2="No referral was made to support.")
    assert response.status_code == 200 and "Your review is saved" in response.text
    await world.as_("lived")
    page = await open_page(world.client, world.review_url)
    assert "No referral was made" not in page.text
    assert "Hidden until the chair reveals them" in page.text
    await score(world, score_c2="appropriate")
    await world.as_("chair")
    await score(world)
    page = await open_page(world.client, world.review_url)  # everyone has scored now
    assert "No referral was made to support." in page.text
    assert "Krippendorff" in page.text


async def test_a_member_can_change_their_review_until_the_reveal(world: World) -> None:
    await world.as_("member")
    await score(world)
    await score(world, score_c1="appropriate_observations", good_practice="Quick response.")
    async with db_session(world.client.app.state["settings"]) as db:
        review = await db.scalar(select(Review))
        assert review.good_practice == "Quick response."
        assert {s.criterion: s.value for s in review.scores}["c1"] == "appropriate_observations"


async def test_a_member_cannot_give_the_panel_only_outcome(world: World) -> None:
    await world.as_("member")
    page = await open_page(world.client, world.review_url)
    assert "could_not_agree" not in page.form("Save my review").options("score_c1")


async def test_a_review_with_no_score_is_a_message(world: World) -> None:
    await world.as_("member")
    response = await submit(world.client, world.review_url, "Save my review", {})
    assert response.status_code == 400 and "Score at least one criterion" in response.text


async def test_a_tampered_score_is_refused_with_a_message(world: World) -> None:
    """Bad input: a value the form does not offer, posted by hand."""
    await world.as_("member")
    page = await open_page(world.client, world.review_url)
    form = page.form("Save my review")
    form.values.append(("score_c1", "excellent"))
    response = await form.submit(world.client)
    assert response.status_code == 400 and "Choose a score for Initial response" in response.text


async def test_swap_needs_no_reason_and_closes_the_case_to_the_member(world: World) -> None:
    await world.as_("lived")
    page = await open_page(world.client, world.review_url)
    form = page.form("Swap this case")
    assert form.field_names() == {"_csrf_token", "kind"}  # no reason asked
    response = await form.submit(world.client, follow_redirects=True)
    assert "No one else is told why" in response.text and "Case C-001" not in response.text
    assert (await world.client.get(world.review_url)).status_code == 403


async def test_a_member_who_declares_a_conflict_is_refused(world: World) -> None:
    await world.as_("member")
    await score(world)
    response = await submit(world.client, world.review_url, "Declare a conflict of interest")
    assert response.status_code == 200
    refused = await world.client.get(world.review_url)
    assert refused.status_code == 403
    assert "declared a conflict of interest" in refused.text
    async with db_session(world.client.app.state["settings"]) as db:
        assert await db.scalar(select(Review)) is None  # their score left with them


async def test_a_member_of_another_panel_is_refused(world: World) -> None:
    await create_panel(world, slug="second-group", name="Second")
    panel_id = world.panel_id
    await add_member(world, "outsider", "member")
    await world.as_("outsider")
    page = await open_page(world.client, "/staff/reviews")
    assert "Case C-001" not in page.text
    world.panel_id = panel_id
    response = await world.client.get(world.review_url)
    assert response.status_code == 403
    assert "not a member of the panel" in response.text


async def test_a_member_whose_vetting_has_expired_sees_no_case_material(world: World) -> None:
    url = f"{world.panel_url}/members/{world.memberships['member']}"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await submit(world.client, url, "Save membership", {"vetting_expires_on": yesterday})
    await world.as_("member")
    page = await open_page(world.client, "/staff/reviews")
    assert "Vetting expired on" in page.text and "Case C-001" not in page.text
    response = await world.client.get(world.review_url)
    assert response.status_code == 403 and "Vetting expired" in response.text
    assert "[PHONE]" not in response.text


async def test_a_member_who_has_not_signed_the_current_agreement_is_refused(
    world: World,
) -> None:
    await submit(world.client, f"{world.panel_url}/edit", "Save panel", {"agreement_version": "3"})
    await world.as_("member")
    response = await world.client.get(world.review_url)
    assert response.status_code == 403
    assert "confidentiality agreement (version 3) is not signed" in response.text


async def test_access_ends_a_set_number_of_days_after_the_meeting(world: World) -> None:
    old_meeting = await add_meeting(world, date.today() - timedelta(days=15))
    case_id = await add_case(world, old_meeting, reference="C-OLD")
    await confirm_and_release(world, case_id)
    await world.as_("member")
    page = await open_page(world.client, "/staff/reviews")
    assert "Case C-OLD: access ended on" in page.text
    response = await world.client.get(f"/staff/reviews/cases/{case_id}")
    assert response.status_code == 403 and "Access to this case ended" in response.text
    assert (await world.client.get(world.review_url)).status_code == 200  # today's is open


async def test_an_unreleased_case_is_not_shown_to_members(world: World) -> None:
    case_id = await add_case(world, world.meeting_id, reference="C-NEW")
    await world.as_("member")
    assert (await world.client.get(f"/staff/reviews/cases/{case_id}")).status_code == 404


async def test_a_force_liaison_cannot_open_case_reviews(world: World) -> None:
    await world.as_("liaison")
    assert (await world.client.get(world.review_url)).status_code == 403


async def test_a_member_who_cannot_see_the_case_is_not_waited_for(world: World) -> None:
    url = f"{world.panel_url}/members/{world.memberships['lived']}"
    await submit(world.client, url, "Save membership", {"vetting_status": "pending"})
    await world.as_("member")
    await score(world, comment_c1="Seen by both who can score.")
    await world.as_("chair")
    await score(world)
    page = await open_page(world.client, world.review_url)
    assert "Seen by both who can score." in page.text
