"""The withdrawal code reaches the respondent whenever the response is stored: it is sealed into
the response row in the submitting transaction, so a session store that fails after the commit
(or a retried submit) still leads to the code, shown once."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from consult.db import build_engine
from consult.direct import DirectDatabase
from surveys.codes import hash_code
from surveys.models import Draft, Response
from surveys.store import receipts
from tests.conftest import db_session
from tests.faults import fail_session_writes
from tests.forms import open_page, submit_page
from tests.surveys.conftest import begin

CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


async def stored(settings: Any) -> list[Response]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Response))).all())


class LaterClock:
    """`time` as the respondent journey sees it, a minute on: the session's "seen" stamp is
    refreshed, so the submit writes the session after its commit."""

    @staticmethod
    def time() -> float:
        return time.time() + 60


async def test_a_session_store_failing_after_the_commit_still_leads_to_the_code_once(
    client, settings, demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    await begin(client)
    check = await open_page(client, f"{demo}/check")
    send = check.form("Send my answers")
    store = fail_session_writes(client.app)
    store.failing = True
    monkeypatch.setattr("surveys.controllers.common.time", LaterClock)
    failed = await send.submit(client, follow_redirects=True)
    assert failed.status_code == 503
    assert "Anything you already saved is safe" in failed.text and "Exit this page" in failed.text
    assert not CODE.search(failed.text)
    [response] = await stored(settings)  # committed before the session write failed
    assert response.receipt is not None

    store.failing = False  # the store is back; the respondent sends again
    done = await send.submit(client, follow_redirects=True)
    assert done.status_code == 200 and done.url.path == f"{demo}/done"
    assert "Your answers have been sent" in done.text
    [code] = CODE.findall(done.text)
    assert hash_code(code) == response.withdrawal_code_hash
    [response] = await stored(settings)
    assert response.receipt is None and response.receipt_hash is None  # shown once, then gone

    again = await client.get(f"{demo}/done")
    assert "Your answers were already sent" in again.text and not CODE.search(again.text)
    withdrawn = await submit_page(client, await client.get(f"{demo}/withdraw"), "Withdraw", {"code": code})  # fmt: skip
    assert "Your answers have been withdrawn" in withdrawn.text
    assert await stored(settings) == []


async def test_sending_shows_the_code_of_the_stored_response(client, settings, demo) -> None:
    await begin(client)
    sent = await submit_page(client, await client.get(f"{demo}/check"), "Send my answers")
    assert sent.url.path == f"{demo}/done"
    [code] = CODE.findall(sent.text)
    [response] = await stored(settings)
    assert hash_code(code) == response.withdrawal_code_hash


async def test_the_confirmation_page_shows_the_code_when_ending_the_session_fails(
    client, settings, demo
) -> None:
    await begin(client)
    check = await open_page(client, f"{demo}/check")
    store = fail_session_writes(client.app)
    store.failing = True  # the session cannot be deleted when the confirmation ends it
    done = await check.form("Send my answers").submit(client, follow_redirects=True)
    assert done.status_code == 200 and done.url.path == f"{demo}/done"
    [code] = CODE.findall(done.text)
    cookie = done.headers.get("set-cookie", "")
    assert 'session=""' in cookie and "Max-Age=0" in cookie  # the browser forgets it anyway
    [response] = await stored(settings)
    assert hash_code(code) == response.withdrawal_code_hash


async def test_a_sealed_code_opens_only_with_the_sessions_draft_id_and_the_secret_key(
    client, settings, demo
) -> None:
    await begin(client)
    entry = client.app.state  # the session holds the draft id; read it from the draft row
    async with db_session(settings) as db:
        [draft_id] = list(await db.scalars(select(Draft.id)))
    check = await open_page(client, f"{demo}/check")
    assert (
        await check.form("Send my answers").submit(client, follow_redirects=False)
    ).status_code == 303
    [row] = await stored(settings)
    assert row.receipt and not CODE.search(row.receipt)  # sealed, not the code itself
    key = entry["settings"].secret_key
    engine = build_engine(settings, for_migrations=True)  # the test's own, on its own loop
    direct = DirectDatabase(engine)
    try:
        assert await direct.read(lambda c: receipts.find(c, key, uuid.uuid4())) is None
        assert await direct.read(lambda c: receipts.find(c, "another-key" * 4, draft_id)) is None
        code = await direct.read(lambda c: receipts.find(c, key, draft_id))
    finally:
        await direct.close()
        await engine.dispose()
    assert code is not None and hash_code(code) == row.withdrawal_code_hash


async def test_retention_drops_a_sealed_code_never_shown_after_a_day(
    client, settings, demo
) -> None:
    from datetime import UTC, datetime, timedelta

    from surveys.retention import apply_retention

    await begin(client)
    check = await open_page(client, f"{demo}/check")
    assert (await check.form("Send my answers").submit(client, follow_redirects=False)).status_code == 303  # fmt: skip
    for days, kept in ((0, True), (2, False)):
        async with db_session(settings) as db:
            await apply_retention(db, datetime.now(UTC) + timedelta(days=days), False, data_dir=settings.data_dir)  # fmt: skip
            await db.commit()
        [row] = await stored(settings)
        assert (row.receipt is not None) is kept
    assert "Your answers were already sent" in (await client.get(f"{demo}/done")).text
