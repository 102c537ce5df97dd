"""Helpers for panel tests: every step goes through the forms the pages render.

`panel_world` signs in a coordinator, creates a panel with a chair and two members, a meeting
today and one case whose redacted material is confirmed and released; tests then switch the
one client between accounts (cookies cleared, as a new browser would be)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import create_user, sign_in
from tests.forms import open_page, submit

MATERIAL = (
    "Officer attended at 14:00. The victim, Jane Smith, said her former partner had sent "
    "messages. Call her on 07700 900123 or write to jane.smith@example.org.\f"
    "Page two: the suspect was interviewed and the case closed with no further action."
)
PANEL_FORM = {
    "name": "County VAWG scrutiny panel",
    "public_name": "Community review group",
    "slug": "community-review-group",
    "panel_type": "vawg",
    "terms_of_reference": "Review closed cases to learn.",
    "outcome_scale": "four_outcomes",
    "criteria": "Initial response\nSafeguarding | Risk assessment\nSafeguarding | Referral to support",
    "agreement_version": "2",
    "access_days": "14",
    "suppression_k": "10",
}


def ids(url: str) -> list[str]:
    return re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", url)


@dataclass
class World:
    client: AsyncTestClient[Any]
    accounts: dict[str, dict[str, str]]
    panel_id: str = ""
    meeting_id: str = ""
    case_id: str = ""
    memberships: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    async def as_(self, who: str) -> None:
        """Sign in as another account, as a fresh browser would. TOTP refuses a code used
        twice, and a test switches back within one 30-second step, so the account's last
        used step is forgotten first (test set-up, not the sign-in under test)."""
        from sqlalchemy import update

        from consult.accounts.models import User
        from tests.conftest import db_session

        async with db_session(self.client.app.state["settings"]) as db:
            email = self.accounts[who]["email"]
            await db.execute(update(User).where(User.email == email).values(totp_last_step=0))
            await db.commit()
        self.client.cookies.clear()
        await sign_in(self.client, self.accounts[who])

    @property
    def panel_url(self) -> str:
        return f"/staff/panels/{self.panel_id}"

    @property
    def case_url(self) -> str:
        return f"/staff/panels/{self.panel_id}/cases/{self.case_id}"

    @property
    def review_url(self) -> str:
        return f"/staff/reviews/cases/{self.case_id}"


def membership_form(role: str, **overrides: str) -> dict[str, str]:
    return {
        "role": role,
        "vetting_status": "vetted",
        "vetting_expires_on": (date.today() + timedelta(days=365)).isoformat(),
        "agreement_signed_on": date.today().isoformat(),
        "agreement_version": "2",
        "training_completed_on": date.today().isoformat(),
        **overrides,
    }


async def add_member(world: World, who: str, role: str, **overrides: str) -> None:
    page = await open_page(world.client, world.panel_url)
    user_id = world.user_ids[who]
    form = page.form("Add member").fill(user_id=user_id, **membership_form(role, **overrides))
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 200, response.text
    world.memberships[who] = ids(response.text.split(f"{who.title()}</a>")[0])[-1]


async def name_accounts(client: AsyncTestClient[Any], emails: dict[str, str]) -> dict[str, str]:
    """Give each test account a readable name (the watermark shows it); return their ids."""
    from sqlalchemy import select

    from consult.accounts.models import User
    from tests.conftest import db_session

    found = {}
    async with db_session(client.app.state["settings"]) as db:
        for who, email in emails.items():
            user = await db.scalar(select(User).where(User.email == email))
            assert user is not None
            user.name = who.title()
            found[who] = str(user.id)
        await db.commit()
    return found


async def create_panel(world: World, **overrides: str) -> None:
    response = await submit(
        world.client, "/staff/panels/new", "Save panel", {**PANEL_FORM, **overrides}
    )
    assert response.status_code == 200, response.text
    world.panel_id = ids(str(response.url))[0]


async def add_meeting(world: World, held_on: date) -> str:
    response = await submit(
        world.client, world.panel_url, "Add meeting", {"held_on": held_on.isoformat()}
    )
    assert response.status_code == 200, response.text
    return ids(str(response.url))[1]


async def add_case(world: World, meeting_id: str | None = None, **fields: str) -> str:
    page = await open_page(world.client, f"{world.panel_url}/cases/new")
    form = page.form("Add case and find personal data").fill(
        reference=fields.pop("reference", "C-001"),
        offence_type=fields.pop("offence_type", "Stalking"),
        offence_month="2026-01",
        closed_month="2026-06",
        outcome="No further action",
        stages="2026-01 Reported\n2026-06 Closed",
        material_text=fields.pop("material_text", MATERIAL),
        victim_age="25_39",
        right_right_1="met",
        right_right_4="not_met",
        **fields,
    )
    if meeting_id:
        form.fill(meeting_id=meeting_id)
    response = await form.submit(world.client, follow_redirects=True)
    assert response.status_code == 200, response.text
    return ids(str(response.url))[1]


async def confirm_and_release(world: World, case_id: str) -> None:
    url = f"{world.panel_url}/cases/{case_id}"
    response = await submit(world.client, url, "Confirm redacted version")
    assert response.status_code == 200, response.text
    response = await submit(world.client, url, "Release to members")
    assert response.status_code == 200 and "Released to members" in response.text, response.text


@pytest.fixture
async def world(client: AsyncTestClient[Any]) -> World:
    roles = {
        "coordinator": "panel_coordinator",
        "chair": "panel_member",
        "member": "panel_member",
        "lived": "panel_member",
        "outsider": "panel_member",
        "liaison": "force_liaison",
    }
    accounts = {}
    for who, role in roles.items():
        accounts[who] = await create_user(client, role, email=f"{who}@example.org")
    built = World(client, accounts)
    built.user_ids = await name_accounts(client, {w: a["email"] for w, a in accounts.items()})
    await built.as_("coordinator")
    await create_panel(built)
    await add_member(built, "chair", "chair")
    await add_member(built, "member", "member")
    await add_member(built, "lived", "lived_experience")
    built.meeting_id = await add_meeting(built, date.today())
    built.case_id = await add_case(built, built.meeting_id)
    await confirm_and_release(built, built.case_id)
    return built
