"""Save and return, delete my answers, withdrawal and the idle timeout, through the forms the
pages render."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from surveys.models import Draft, Response, WithdrawnCode
from tests.conftest import db_session
from tests.forms import open_page
from tests.surveys.conftest import answer, begin, update_consultation, yesterday

CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


async def save_for_later(client: Any, demo: str, passphrase: str = "") -> str:
    page = await begin(client)
    page = await answer(
        client, page, {"q-respondent_type": "public"}, button="Save and come back later"
    )
    assert page.url.path == f"{demo}/save"
    page = await answer(client, page, {"passphrase": passphrase}, button="Get my code")
    found = CODE.search(page.text)
    assert found, page.text
    return found.group(0)


async def resume(client: Any, demo: str, code: str, passphrase: str = "") -> Any:
    return await answer(client, f"{demo}/resume", {"code": code, "passphrase": passphrase})


async def test_resume_code_brings_back_the_answers(client, demo) -> None:
    code = await save_for_later(client, demo)
    client.cookies.clear()
    page = await resume(client, demo, code.lower())
    assert page.url.path == f"{demo}/s/public"
    page = await client.get(f"{demo}/p/1-2")
    assert 'value="public" checked' in page.text


async def test_the_save_page_leads_back_to_the_survey(client, demo) -> None:
    page = await begin(client)
    page = await answer(client, page, {"q-respondent_type": "public"})
    save = await open_page(client, f"{demo}/save")
    # Back (top) and a link under the form both return to the page last saved.
    links = [a["href"] for a in save.soup.find_all("a") if "back to the survey" in a.text.lower()]
    assert links == [f"{demo}/p/1-2"]
    assert save.soup.find("a", class_="govuk-back-link")["href"] == f"{demo}/p/1-2"
    assert (await open_page(client, links[0])).url.endswith("/p/1-2")


async def test_resume_with_passphrase_and_wrong_passphrase(client, demo) -> None:
    code = await save_for_later(client, demo, "blue kettle song")
    client.cookies.clear()
    wrong = await resume(client, demo, code, "nope")
    assert wrong.status_code == 422 and "4 more tries" in wrong.text
    assert "<title>Error: " in wrong.text
    right = await resume(client, demo, code, "blue kettle song")
    assert right.status_code == 200 and right.url.path == f"{demo}/s/public"


async def test_five_wrong_passphrases_lock_the_draft(client, demo) -> None:
    code = await save_for_later(client, demo, "blue kettle song")
    client.cookies.clear()
    for _ in range(5):
        page = await resume(client, demo, code, "wrong")
    assert "locked" in page.text
    page = await resume(client, demo, code, "blue kettle song")
    assert page.status_code == 422 and "locked" in page.text


async def test_right_passphrases_never_use_up_the_attempts(client, demo) -> None:
    """Each attempt is counted before the passphrase is checked; a right one resets the count."""
    code = await save_for_later(client, demo, "blue kettle song")
    for _ in range(7):
        client.cookies.clear()
        page = await resume(client, demo, code, "blue kettle song")
        assert page.status_code == 200 and page.url.path == f"{demo}/s/public"
    client.cookies.clear()
    wrong = await resume(client, demo, code, "nope")
    assert "4 more tries" in wrong.text


async def test_wrong_code_is_refused_clearly(client, demo) -> None:
    page = await resume(client, demo, "AAAA-BBBB-CCCC-DDDD")
    assert page.status_code == 422 and "could not find" in page.text


async def test_expired_draft_cannot_be_resumed(client, settings, demo) -> None:
    code = await save_for_later(client, demo)
    async with db_session(settings) as db:
        await db.execute(update(Draft).values(expires_at=yesterday()))
        await db.commit()
    page = await resume(client, demo, code)
    assert page.status_code == 422 and "expired" in page.text


async def test_delete_my_answers_removes_the_draft_and_session(client, settings, demo) -> None:
    page = await begin(client)
    page = await answer(client, page, button="Delete my answers now")
    assert "Your answers have been deleted" in page.text
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Draft))) == []
    assert (await client.get(f"{demo}/p/1-2")).url.path == f"{demo}/consent"


async def submit_and_get_code(client: Any, demo: str) -> tuple[str, Any]:
    page = await begin(client)
    page = await answer(client, page, {"q-respondent_type": "public"})
    done = await answer(client, f"{demo}/check", button="Send my answers")
    found = CODE.search(done.text)
    assert found, done.text
    return found.group(0), done


async def withdraw(client: Any, demo: str, code: str) -> Any:
    return await answer(client, f"{demo}/withdraw", {"code": code}, button="Withdraw my answers")


async def test_withdrawal_before_cutoff_deletes_the_response(client, settings, demo) -> None:
    code, _ = await submit_and_get_code(client, demo)
    page = await withdraw(client, demo, code)
    assert "Your answers have been withdrawn" in page.text
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Response))) == []


async def test_a_used_withdrawal_code_says_the_answers_were_already_withdrawn(
    client, settings, demo
) -> None:
    code, _ = await submit_and_get_code(client, demo)
    await withdraw(client, demo, code)
    again = await withdraw(client, demo, code.lower())
    assert again.status_code == 200
    assert "Your answers were already withdrawn" in again.text
    assert "could not find" not in again.text
    # Only the code's hash is kept; a code never used is still "not found".
    async with db_session(settings) as db:
        [kept] = list(await db.scalars(select(WithdrawnCode)))
        assert code not in kept.code_hash and len(kept.code_hash) == 64
    unknown = await withdraw(client, demo, "AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 422 and "could not find" in unknown.text


async def test_the_confirmation_page_says_until_when_and_where_to_withdraw(client, demo) -> None:
    _, done = await submit_and_get_code(client, demo)
    page = await open_page(client, f"{demo}/done")  # the code is shown once: read the first
    assert "already" in page.text
    text = " ".join(done.text.split())
    assert " at withdraw your answers" not in text
    found = re.search(r"You can withdraw your answers until (\d+ \w+ \d{4})\. To do that", text)
    assert found, text
    assert f'href="{demo}/withdraw">withdraw your answers</a> page.' in text


async def test_withdrawal_after_cutoff_is_refused_with_a_clear_message(
    client, settings, demo
) -> None:
    code, _ = await submit_and_get_code(client, demo)
    form = await open_page(client, f"{demo}/withdraw")  # opened before the cut-off passes
    await update_consultation(
        settings, "community-survey", analysis_cutoff=date.today() - timedelta(days=1)
    )
    page = await answer(client, form.response, {"code": code}, button="Withdraw my answers")
    assert page.status_code == 409 and "can no longer" in page.text
    assert "Withdraw my answers" not in page.text  # and the page offers no form any more
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


async def test_overlong_passphrase_is_an_error(client, demo) -> None:
    page = await begin(client)
    page = await answer(client, page, button="Save and come back later")
    page = await answer(client, page, {"passphrase": "x" * 201}, button="Get my code")
    assert page.status_code == 422 and "characters or fewer" in page.text
    assert 'class="govuk-back-link"' in page.text
