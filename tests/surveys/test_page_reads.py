"""A respondent page reads its session, consultation and draft as one unit of work (the page
read runs with the session read, consult.sessions.READ_WITH_SESSION), and what it reads is
the same as reading them one after the other."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import delete

from surveys.models import Draft
from tests.conftest import db_session
from tests.surveys.conftest import DEMO, answer, begin, load_all_types


@pytest.fixture
def units(client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of the units of work the app's direct database runs, in order."""
    direct = client.app.state["direct"]
    ran: list[str] = []
    for kind in ("read", "write"):
        original = getattr(direct, kind)

        async def counted(*args: Any, _kind: str = kind, _run: Any = original, **kw: Any) -> Any:
            ran.append(_kind)
            return await _run(*args, **kw)

        monkeypatch.setattr(direct, kind, counted)
    return ran


async def test_a_page_save_and_the_page_it_leads_to_each_read_the_database_once(
    client: AsyncTestClient[Any], demo: str, units: list[str]
) -> None:
    first = await begin(client)
    units.clear()
    following = await answer(client, first, {"q-respondent_type": "victim_survivor"})
    assert following.url.path == f"{DEMO}/s/experience"
    # The save's session, consultation and draft; the save; the next page's three.
    assert units == ["read", "write", "read"]


async def test_a_session_for_another_survey_reads_no_draft_for_this_one(
    client: AsyncTestClient[Any], settings: Any, demo: str
) -> None:
    other = await load_all_types(settings)
    await begin(client)  # a draft of the demo survey in the session
    page = await client.get(f"{other}/p/1-2")
    assert page.url.path == f"{other}/consent"  # no draft of this survey: consent first
    back = await client.get(f"{DEMO}/p/1-2")
    assert back.status_code == 200 and back.url.path == f"{DEMO}/p/1-2"


async def test_a_draft_gone_from_the_database_is_gone_from_the_next_page(
    client: AsyncTestClient[Any], settings: Any, demo: str
) -> None:
    first = await begin(client)
    # The session still names the draft, but the row has gone (expired and purged, say).
    async with db_session(settings) as db:
        await db.execute(delete(Draft))
        await db.commit()
    page = await answer(client, first, {"q-respondent_type": "victim_survivor"})
    assert page.url.path == f"{DEMO}/consent"
