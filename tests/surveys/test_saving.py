"""Save and return, delete my answers, withdrawal and the idle timeout, through HTTP."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from surveys.models import Draft, Response
from tests.conftest import db_session
from tests.surveys.conftest import begin, send, update_consultation, yesterday

CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


async def save_for_later(client: Any, demo: str, passphrase: str = "") -> str:
    await begin(client)
    page = await send(client, f"{demo}/p/1-2", {"q-respondent_type": "public", "action": "save"})
    assert page.url.path == f"{demo}/save"
    page = await send(client, f"{demo}/save", {"passphrase": passphrase})
    found = CODE.search(page.text)
    assert found, page.text
    return found.group(0)


async def test_resume_code_brings_back_the_answers(client, demo) -> None:
    code = await save_for_later(client, demo)
    client.cookies.clear()
    page = await send(client, f"{demo}/resume", {"code": code.lower()})
    assert page.url.path == f"{demo}/s/public"
    page = await client.get(f"{demo}/p/1-2")
    assert 'value="public" checked' in page.text


async def test_resume_with_passphrase_and_wrong_passphrase(client, demo) -> None:
    code = await save_for_later(client, demo, "blue kettle song")
    client.cookies.clear()
    wrong = await send(client, f"{demo}/resume", {"code": code, "passphrase": "nope"})
    assert wrong.status_code == 422 and "4 more tries" in wrong.text
    assert "<title>Error: " in wrong.text
    right = await send(client, f"{demo}/resume", {"code": code, "passphrase": "blue kettle song"})
    assert right.status_code == 200 and right.url.path == f"{demo}/s/public"


async def test_five_wrong_passphrases_lock_the_draft(client, demo) -> None:
    code = await save_for_later(client, demo, "blue kettle song")
    client.cookies.clear()
    for _ in range(5):
        page = await send(client, f"{demo}/resume", {"code": code, "passphrase": "wrong"})
    assert "locked" in page.text
    page = await send(client, f"{demo}/resume", {"code": code, "passphrase": "blue kettle song"})
    assert page.status_code == 422 and "locked" in page.text


async def test_right_passphrases_never_use_up_the_attempts(client, demo) -> None:
    """Each attempt is counted before the passphrase is checked; a right one resets the count."""
    code = await save_for_later(client, demo, "blue kettle song")
    for _ in range(7):
        client.cookies.clear()
        page = await send(
            client, f"{demo}/resume", {"code": code, "passphrase": "blue kettle song"}
        )
        assert page.status_code == 200 and page.url.path == f"{demo}/s/public"
    client.cookies.clear()
    wrong = await send(client, f"{demo}/resume", {"code": code, "passphrase": "nope"})
    assert "4 more tries" in wrong.text


async def test_wrong_code_is_refused_clearly(client, demo) -> None:
    page = await send(client, f"{demo}/resume", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert page.status_code == 422 and "could not find" in page.text


async def test_expired_draft_cannot_be_resumed(client, settings, demo) -> None:
    code = await save_for_later(client, demo)
    async with db_session(settings) as db:
        await db.execute(update(Draft).values(expires_at=yesterday()))
        await db.commit()
    page = await send(client, f"{demo}/resume", {"code": code})
    assert page.status_code == 422 and "expired" in page.text


async def test_delete_my_answers_removes_the_draft_and_session(client, settings, demo) -> None:
    await begin(client)
    page = await send(client, f"{demo}/delete")
    assert "Your answers have been deleted" in page.text
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Draft))) == []
    assert (await client.get(f"{demo}/p/1-2")).url.path == f"{demo}/consent"


async def submit_and_get_code(client: Any, demo: str) -> str:
    await begin(client)
    await send(client, f"{demo}/p/1-2", {"q-respondent_type": "public"})
    done = await send(client, f"{demo}/submit")
    found = CODE.search(done.text)
    assert found, done.text
    return found.group(0)


async def test_withdrawal_before_cutoff_deletes_the_response(client, settings, demo) -> None:
    code = await submit_and_get_code(client, demo)
    page = await send(client, f"{demo}/withdraw", {"code": code})
    assert "Your answers have been withdrawn" in page.text
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Response))) == []


async def test_withdrawal_after_cutoff_is_refused_with_a_clear_message(
    client, settings, demo
) -> None:
    code = await submit_and_get_code(client, demo)
    await update_consultation(
        settings, "community-survey", analysis_cutoff=date.today() - timedelta(days=1)
    )
    page = await send(client, f"{demo}/withdraw", {"code": code})
    assert page.status_code == 409 and "can no longer" in page.text
    async with db_session(settings) as db:
        assert len(list(await db.scalars(select(Response)))) == 1


async def test_idle_session_is_purged_on_the_next_request(settings, demo) -> None:
    from app import create_app

    quick = replace(settings, respondent_idle_timeout=0)
    async with AsyncTestClient(app=create_app(quick), base_url="http://testserver.local") as client:
        await begin(client)
        page = await client.get(f"{demo}/p/1-2")
        assert page.url.path == f"{demo}/consent"  # the session (and its draft id) is gone


async def test_pages_with_answers_carry_the_idle_timeout_and_script(client, demo) -> None:
    page = await begin(client)
    assert 'data-idle-timeout="1200"' in page.text
    assert "/static/js/idle-timeout.js" in page.text and "Stay on this page" in page.text
    assert (await client.get("/keep-alive")).status_code == 204
    gone = await client.get("/timed-out?c=community-survey")
    assert "away for a while" in gone.text
    assert (await client.get("/keep-alive")).status_code == 410


@pytest.mark.parametrize("passphrase", ["x" * 201])
async def test_overlong_passphrase_is_an_error(client, demo, passphrase) -> None:
    await begin(client)
    page = await send(client, f"{demo}/save", {"passphrase": passphrase})
    assert page.status_code == 422 and "characters or fewer" in page.text
