"""Outages for real: a PostgreSQL server the tests own is stopped under the app, and a SQLite
disk fills up. Respondents get a 503 in their own layout saying what is safe and what is not,
with what they typed ready to send again; staff get the staff version; nothing answers a bare
"Internal Server Error"; the quick exit still leaves; the outage and the recovery are logged,
without answers or session ids."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult import migrate
from consult.settings import Settings, load_settings
from surveys.models import Draft
from tests.conftest import _truncate_postgres, create_user, db_session, sign_in
from tests.faults import OwnPostgres, own_postgres, sqlite_disk_full
from tests.forms import open_page, parse, submit_page
from tests.surveys.conftest import DEMO, begin, load_demo

SECRET_ANSWER = "a sentence only this respondent typed"


@pytest.fixture(scope="module")
def server() -> Iterator[OwnPostgres]:
    with own_postgres() as own:
        migrate.upgrade(replace(load_settings(), database_url=own.url))
        yield own


@dataclass
class Outage:
    client: AsyncTestClient[Any]
    settings: Settings
    server: OwnPostgres


@pytest.fixture
async def outage(server: OwnPostgres, tmp_path: Path) -> AsyncIterator[Outage]:
    """The demo consultation on the tests' own PostgreSQL server, which each test stops."""
    from app import create_app

    if not server.running:
        server.start()
    _truncate_postgres(server.url)
    settings = replace(load_settings(), data_dir=tmp_path, database_url=server.url)
    await load_demo(settings)
    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as c:
        yield Outage(c, settings, server)
    if not server.running:
        server.start()


async def drafts(settings: Settings) -> list[Draft]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Draft))).all())


def assert_respondent_outage_page(response: Any) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["retry-after"] == "30"
    assert response.headers["content-type"].startswith("text/html")
    assert "Anything you already saved is safe" in response.text
    assert "have not been saved yet" in response.text
    assert "Exit this page" in response.text  # the respondent layout's quick exit
    assert 'href="#get-help"' in response.text and "999" in response.text  # Get help


async def test_a_page_sent_while_the_database_is_down_can_be_sent_again_once_it_is_back(
    outage: Outage,
) -> None:
    client = outage.client
    await begin(client)
    page = await open_page(client, f"{DEMO}/p/1-2")
    form = page.form("Continue").fill({"q-respondent_type": "victim_survivor"})
    outage.server.stop()
    failed = await form.submit(client)
    assert_respondent_outage_page(failed)
    again = parse(str(failed.url), failed).form("Send again")
    assert again.value("q-respondent_type") == "victim_survivor"  # still filled in
    outage.server.start()
    sent = await again.submit(client, follow_redirects=True)
    assert sent.status_code == 200 and sent.url.path == f"{DEMO}/s/experience"
    [draft] = await drafts(outage.settings)
    assert draft.answers["respondent_type"] == "victim_survivor"


async def test_no_page_answers_a_bare_server_error_while_the_database_is_down(
    outage: Outage,
) -> None:
    client = outage.client
    await begin(client)
    check = await open_page(client, f"{DEMO}/check")
    send = check.form("Send")
    outage.server.stop()
    answers = [
        await client.get(url)
        for url in (
            "/",
            DEMO,
            f"{DEMO}/p/1-2",
            f"{DEMO}/check",
            f"{DEMO}/resume",
            "/staff/login",
            "/staff/consultations",
            "/keep-alive",
        )
    ]
    answers.append(await send.submit(client))
    for response in answers:
        assert response.status_code in {200, 303, 503}, (response.url, response.status_code)
        assert "Internal Server Error" not in response.text
        assert not response.headers["content-type"].startswith("text/plain"), response.url
    assert_respondent_outage_page(answers[-1])


async def test_staff_get_the_staff_version_of_the_outage_page(outage: Outage) -> None:
    client = outage.client
    await sign_in(client, await create_user(client, "administrator"))
    outage.server.stop()
    response = await client.get("/staff/consultations")
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert "Consult staff area" in response.text  # the staff layout
    assert "Exit this page" not in response.text
    assert "were not saved" in response.text
    page = parse(str(response.url), response)
    assert page.soup.find("a", string="Go to the start")["href"] == "/staff"


async def test_the_quick_exit_leaves_while_the_database_is_down(outage: Outage) -> None:
    client = outage.client
    await begin(client)
    outage.server.stop()
    response = await client.get(f"/exit?c={DEMO.rsplit('/', 1)[1]}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == outage.settings.default_exit_url
    assert (
        'session=""' in response.headers["set-cookie"]
        and "Max-Age=0" in response.headers["set-cookie"]
    )


async def test_an_outage_and_its_end_are_logged_once_without_answers_or_session_ids(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    client = outage.client
    await begin(client)
    session_id = client.cookies.get("session")
    page = await open_page(client, f"{DEMO}/p/1-2")
    form = page.form("Continue").fill({"q-respondent_type": "victim_survivor"})
    caplog.set_level(logging.INFO)
    outage.server.stop()
    for _ in range(3):
        assert (await form.submit(client)).status_code == 503
    outage.server.start()
    assert (await client.get(f"{DEMO}/p/1-2")).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "consult"]
    assert [line for line in lines if line.startswith("outage started")] == [
        next(line for line in lines if line.startswith("outage started"))
    ]
    assert any(line.startswith("outage started: database unavailable") for line in lines)
    assert any(line.startswith("outage ended: database available again") for line in lines)
    everything = caplog.text
    assert session_id and session_id not in everything
    assert "victim_survivor" not in everything


LONG_ANSWER = SECRET_ANSWER + " " + "and more words " * 120


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
async def test_a_page_saved_on_a_full_disk_comes_back_filled_in_with_a_notice(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    await load_demo(settings)
    await begin(client)
    await submit_page(client, await client.get(f"{DEMO}/p/1-2"), "Continue", {"q-respondent_type": "victim_survivor"})  # fmt: skip
    page = await open_page(client, f"{DEMO}/p/4-1?return=check")
    with sqlite_disk_full(client.app):
        failed = await page.form("Continue").fill({"q-prevention": LONG_ANSWER}).submit(client)
        assert failed.status_code == 503 and failed.headers["retry-after"] == "30"
        assert (
            "Not saved yet" in failed.text and "Anything you already saved is safe" in failed.text
        )
        assert "Exit this page" in failed.text
        again = parse(str(failed.url), failed).form("Continue")
        assert again.value("q-prevention") == LONG_ANSWER.strip()
    sent = await again.submit(client, follow_redirects=True)
    assert sent.status_code == 200 and SECRET_ANSWER in sent.text  # the check page
    [draft] = await drafts(settings)
    assert draft.answers["prevention"].startswith(SECRET_ANSWER)


async def test_readiness_fails_while_the_database_is_down_and_recovers_without_restart(
    outage: Outage,
) -> None:
    client = outage.client
    client.app.state["health"].keep_for = 0
    assert (await client.get("/healthz")).status_code == 200
    outage.server.stop()
    down = await client.get("/healthz")
    assert down.status_code == 503 and down.headers["retry-after"] == "30"
    assert down.json()["database"].startswith("unavailable: ")
    assert (await client.get("/livez")).status_code == 200
    outage.server.start()
    assert (await client.get("/healthz")).json() == {"status": "ok", "database": "ok"}


async def test_a_form_with_a_passphrase_is_not_offered_again_without_it(outage: Outage) -> None:
    """Sent again without the passphrase, "save and come back later" would save unprotected."""
    client = outage.client
    await begin(client)
    form = (await open_page(client, f"{DEMO}/save")).form("Get my code")
    form.fill({"passphrase": "a phrase to remember"})
    outage.server.stop()
    failed = await form.submit(client)
    assert_respondent_outage_page(failed)
    assert "Send again" not in failed.text and "a phrase to remember" not in failed.text
    assert "go back and try again" in failed.text
