"""The demo panels load through the `consult.demo` entry point, once, with what the README
promises; a demo member signs in and sees their cases, the expired member sees none."""

from __future__ import annotations

from importlib.metadata import entry_points

from sqlalchemy import func, select

from consult import demo
from panels.demo_loader import DEMO_PANEL_PASSWORD
from panels.models import Case, Consensus, Panel, Recommendation, Review
from tests.conftest import db_session
from tests.forms import open_page


async def load_demo(client) -> None:
    loaders = [e for e in entry_points(group="consult.demo") if e.value.startswith("panels.")]
    assert [e.value for e in loaders] == ["panels.demo_loader:load"]
    async with db_session(client.app.state["settings"]) as db:
        consultation = await demo.load(db)
        await loaders[0].load()(db, consultation)
        await loaders[0].load()(db, consultation)  # a second load changes nothing
        await db.commit()


async def test_demo_loads_two_panels_cases_scores_and_every_status(client) -> None:
    await load_demo(client)
    async with db_session(client.app.state["settings"]) as db:
        panels = {p.panel_type: p for p in (await db.scalars(select(Panel))).all()}
        statuses = set((await db.scalars(select(Recommendation.status))).all())
        cases = (await db.scalars(select(Case))).all()
        reviews = await db.scalar(select(func.count()).select_from(Review))
        consensus = await db.scalar(select(func.count()).select_from(Consensus))
    assert set(panels) == {"vawg", "rasso"}
    assert panels["vawg"].published is not None
    assert statuses == {
        "awaiting", "accepted", "partly_accepted", "not_accepted", "in_progress", "done"
    }  # fmt: skip
    assert len(cases) == 3 and all(c.material_confirmed for c in cases)
    assert not any("07700 900481" in c.material_confirmed for c in cases)
    assert reviews >= 4 and consensus == 1
    public = await client.get("/you-said-we-did/community-review-group")
    assert public.status_code == 200 and "Recommendation 6" in public.text


async def test_demo_member_sees_cases_and_the_expired_member_does_not(client) -> None:
    import pyotp

    from consult.accounts.models import User
    from tests.conftest import sign_in

    await load_demo(client)
    accounts = {}
    async with db_session(client.app.state["settings"]) as db:
        for who in ("member1", "member3"):
            user = await db.scalar(select(User).where(User.email == f"{who}@example.org"))
            user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
            accounts[who] = {
                "email": user.email, "password": DEMO_PANEL_PASSWORD, "secret": user.totp_secret
            }  # fmt: skip
        await db.commit()
    await sign_in(client, accounts["member1"])
    page = await open_page(client, "/staff/reviews")
    assert "Case VAWG-001" in page.text and "Case RASSO-001" in page.text
    client.cookies.clear()
    await sign_in(client, accounts["member3"])
    page = await open_page(client, "/staff/reviews")
    assert "Vetting expired on" in page.text and "Case VAWG-001" not in page.text
