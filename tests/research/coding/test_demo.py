"""The demo's coding: after the survey demo, every free-text question's answers carry
suggestions and some are coded by the demo administrator, as the overview page shows."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.consultations.models import Consultation
from research import demo
from research.coding.models import Decision, Suggestion
from tests.conftest import db_session
from tests.forms import open_page
from tests.research.coding.conftest import ANSWERS


async def test_the_demo_codes_answers_and_hand_codes_some(
    client: AsyncTestClient[Any], coding: str
) -> None:
    settings = client.app.state["settings"]
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        await demo.load(db, consultation)
        await db.commit()
        suggestions = list(await db.scalars(select(Suggestion)))
        decisions = list(await db.scalars(select(Decision)))
    assert len(suggestions) == len(ANSWERS)
    assert len(decisions) == len(ANSWERS)  # fewer answers than the demo hand-codes
    assert {d.kind for d in decisions} <= {"accepted", "changed", "none", "added"}
    page = await open_page(client, coding)
    row = next(th for th in page.soup.select("tbody th") if "stop this happening" in th.get_text())
    cells = [td.get_text(strip=True) for td in row.parent.select("td")]
    assert cells[:2] == [str(len(ANSWERS)), str(len(ANSWERS))]
