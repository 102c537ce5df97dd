"""Whole journeys through HTTP: routing by respondent type, check answers, submission."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from consult.neutral import flagged_words
from surveys.models import Draft, Response
from tests.conftest import db_session
from tests.surveys.conftest import begin, send


async def responses(settings: Any) -> list[Response]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Response))).all())


async def drafts(settings: Any) -> list[Draft]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Draft))).all())


async def walk_victim_survivor(client: Any, demo: str) -> list[Any]:
    """Every page of a victim-survivor's journey, in order, up to check your answers."""
    pages = [await client.get(demo), await client.get(f"{demo}/safety")]
    pages.append(await send(client, f"{demo}/consent", {"q-consent": "yes"}))
    pages.append(await send(client, f"{demo}/p/1-2", {"q-respondent_type": "victim_survivor"}))
    assert pages[-1].url.path == f"{demo}/s/experience"
    assert "Skip this section" in pages[-1].text and "questions" in pages[-1].text
    pages.append(await send(client, f"{demo}/s/experience", {"action": "continue"}))
    pages.append(await send(client, f"{demo}/p/2-1", {"q-abuse_types": ["coercive_control", "other"], "q-abuse_types-other": "x"}))  # fmt: skip
    pages.append(await send(client, f"{demo}/p/2-2", {"q-words_then-1": "scared", "q-words_now-1": "stronger"}))  # fmt: skip
    assert pages[-1].url.path == f"{demo}/s/support"
    pages.append(await send(client, f"{demo}/s/support", {"action": "skip"}))
    assert pages[-1].url.path == f"{demo}/s/prevention_section"
    pages.append(await send(client, f"{demo}/s/prevention_section", {"action": "continue"}))
    pages.append(await send(client, f"{demo}/p/4-1", {"q-prevention": "More education."}))
    pages.append(await send(client, f"{demo}/s/equality", {"action": "skip"}))
    assert pages[-1].url.path == f"{demo}/check"
    return pages


async def test_victim_survivor_journey_records_one_pruned_response(client, settings, demo) -> None:
    pages = await walk_victim_survivor(client, demo)
    check = pages[-1]
    assert "Not answered" in check.text  # skipped sections
    assert "More education." in check.text
    assert "Which sector" not in check.text  # professional questions are off this route
    done = await send(client, f"{demo}/submit")
    assert done.url.path == f"{demo}/done"
    assert "withdrawal code" in done.text.lower()
    saved = await responses(settings)
    assert len(saved) == 1
    assert saved[0].respondent_type == "victim_survivor"
    assert saved[0].answers["prevention"] == "More education."
    assert "service_satisfaction" not in saved[0].answers
    assert await drafts(settings) == []


async def test_professional_journey_follows_its_own_route(client, settings, demo) -> None:
    await begin(client)
    page = await send(client, f"{demo}/p/1-2", {"q-respondent_type": "professional"})
    assert page.url.path == f"{demo}/s/professional"
    page = await send(client, f"{demo}/s/professional", {"action": "continue"})
    assert page.url.path == f"{demo}/p/5-1"
    page = await send(client, f"{demo}/p/5-1", {"q-sector": "health"})
    page = await send(client, f"{demo}/p/5-2", {"q-pursuing_perpetrators": "good"})
    assert page.url.path == f"{demo}/p/5-3"  # shown only because the rating was answered
    page = await send(client, f"{demo}/p/5-3", {"q-pursuing_perpetrators_reasons": "Joined up."})
    page = await send(client, f"{demo}/s/equality", {"action": "skip"})
    assert page.url.path == f"{demo}/check" and "Joined up." in page.text
    await send(client, f"{demo}/submit")
    saved = await responses(settings)
    assert [r.respondent_type for r in saved] == ["professional"]
    assert "abuse_types" not in saved[0].answers


async def test_submitting_twice_records_one_response(client, settings, demo) -> None:
    await walk_victim_survivor(client, demo)
    first = await send(client, f"{demo}/submit")
    second = await send(client, f"{demo}/submit")
    assert first.status_code == 200 and second.status_code == 200
    assert "already" in second.text
    assert len(await responses(settings)) == 1


async def test_response_table_has_no_ip_or_user_agent_columns(client, settings, demo) -> None:
    await walk_victim_survivor(client, demo)
    await send(client, f"{demo}/submit")
    async with db_session(settings) as db:
        columns = await db.run_sync(
            lambda s: [c["name"] for c in inspect(s.connection()).get_columns("survey_response")]
        )
    joined = " ".join(columns).lower()
    for word in ("ip", "addr", "agent", "user", "device", "fingerprint", "email"):
        assert word not in joined.split("_") and word not in columns, columns


async def test_every_respondent_title_and_url_is_neutral(client, demo) -> None:
    pages = await walk_victim_survivor(client, demo)
    pages.append(await client.get(f"{demo}/save"))
    pages.append(await send(client, f"{demo}/submit"))
    pages.append(await client.get(f"{demo}/withdraw"))
    pages.append(await client.get(f"{demo}/resume"))
    pages.append(await client.get(f"{demo}/support"))
    for response in pages:
        title = response.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert " - Warwickshire community survey" in title, title
        assert flagged_words(title) == [], title
        assert flagged_words(str(response.url)) == [], response.url
        assert "Exit this page" in response.text and 'id="get-help"' in response.text


async def test_question_page_has_save_delete_and_no_third_party_urls(client, demo) -> None:
    page = await begin(client)
    assert "Save and come back later" in page.text
    assert "Delete my answers now" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "https://" not in page.text.split('id="get-help"')[0].replace(
        "https://www.bbc.co.uk/weather", ""
    )


async def test_check_answers_change_link_returns_to_check(client, demo) -> None:
    await walk_victim_survivor(client, demo)
    page = await client.get(f"{demo}/p/4-1?return=check")
    assert 'name="return_to" value="check"' in page.text
    page = await send(client, f"{demo}/p/4-1", {"q-prevention": "Changed.", "return_to": "check"})
    assert page.url.path == f"{demo}/check" and "Changed." in page.text
