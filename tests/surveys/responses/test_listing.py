"""The staff list of responses: counts by status, filters, search, paging, opening one, erasure
and who may see it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.journey import hash_code, withdraw
from surveys.models import Response
from tests.conftest import db_session, post_form
from tests.surveys.responses.conftest import FULL_ANSWERS, add_responses, audit_events


def found(page_text: str) -> str:
    return page_text.split('id="found">', 1)[1].split(" ", 1)[0]


async def test_list_counts_submitted_drafts_and_withdrawn(client, settings, staff, survey) -> None:
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue"}])
    [withdrawn] = await add_responses(settings, [{"colour": "red"}])
    async with db_session(settings) as db:
        # Withdrawn through the journey's own function: it deletes the row and audits it.
        row = await db.get(Response, withdrawn)
        assert row is not None
        row.withdrawal_code_hash = hash_code("AAAA-BBBB")
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        assert await withdraw(db, consultation, "AAAA-BBBB") == "withdrawn"
        await db.commit()
    await staff("researcher")
    page = await client.get(survey)
    assert page.status_code == 200
    assert 'id="count-submitted">2<' in page.text
    assert 'id="count-withdrawn">1<' in page.text
    assert 'id="count-draft">0<' in page.text


async def test_filters_by_type_date_answer_and_search(client, settings, staff, survey) -> None:
    await add_responses(
        settings,
        [FULL_ANSWERS],
        respondent_type="professional",
        submitted_at=datetime(2027, 1, 10, 12, tzinfo=UTC),
    )
    await add_responses(
        settings,
        [{"colour": "blue", "fruits": {"selected": ["pear"]}, "story": "Nothing changed"}],
        respondent_type="public",
        submitted_at=datetime(2027, 2, 10, 12, tzinfo=UTC),
    )
    await staff("researcher")
    assert found((await client.get(survey)).text) == "2"
    assert found((await client.get(survey, params={"respondent_type": "public"})).text) == "1"
    by_date = await client.get(
        survey, params={"submitted_from": "2027-02-01", "submitted_to": "2027-02-10"}
    )
    assert found(by_date.text) == "1"
    assert found((await client.get(survey, params={"answer": "colour=red"})).text) == "1"
    assert found((await client.get(survey, params={"answer": "fruits=pear"})).text) == "1"
    assert found((await client.get(survey, params={"answer": "fruits=apple"})).text) == "1"
    assert found((await client.get(survey, params={"answer": "mood=satisfied"})).text) == "1"
    assert found((await client.get(survey, params={"search": "NOTHING chan"})).text) == "1"
    assert found((await client.get(survey, params={"search": "100%"})).text) == "0"
    bad = await client.get(survey, params={"submitted_from": "31/02/2027"})
    assert "From date must be a real date" in bad.text


async def test_list_is_paginated(client, settings, staff, survey) -> None:
    await add_responses(settings, [{"colour": "red"}] * 30)
    await staff("researcher")
    first = await client.get(survey)
    assert first.text.count(">Open<span") == 25 and "Page 1 of 2" in first.text
    second = await client.get(survey, params={"page": 2})
    assert second.text.count(">Open<span") == 5 and "Page 2 of 2" in second.text


async def test_opening_a_response_summarises_answers_and_is_audited(
    client, settings, staff, survey
) -> None:
    [response_id] = await add_responses(settings, [FULL_ANSWERS])
    await staff("researcher")
    page = await client.get(f"{survey}/{response_id}")
    assert page.status_code == 200
    assert "It took a long time to be believed." in page.text
    assert "Something else: Quince" in page.text  # multiple choice summarised with its "other"
    assert "May 2024" in page.text
    events = await audit_events(settings, "response_viewed")
    assert [e.object_id for e in events] == [str(response_id)]


async def test_erasure_needs_a_reason_removes_the_response_and_is_audited(
    client, settings: Settings, staff, survey
) -> None:
    [keep, erase] = await add_responses(
        settings, [{"colour": "red"}, {"colour": "blue", "story": "erase me"}]
    )
    await staff("researcher")
    refused = await post_form(client, f"{survey}/{erase}/erase", {"reason": ""})
    assert refused.status_code == 400 and "Enter the reason for erasure" in refused.text
    done = await post_form(
        client,
        f"{survey}/{erase}/erase",
        {"reason": "Erasure request ref 42"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert found((await client.get(survey)).text) == "1"
    assert (await client.get(f"{survey}/{erase}")).status_code == 404
    exported = await client.get(f"{survey}/export", params={"format": "csv", "header": "names"})
    assert "erase me" not in exported.text and exported.text.count("\r\n") == 2
    [event] = await audit_events(settings, "response_erased")
    assert event.object_id == str(erase) and event.detail["reason"] == "Erasure request ref 42"
    assert keep


async def test_panel_members_cannot_see_responses(client, staff, survey) -> None:
    await staff("panel_member")
    assert (await client.get(survey)).status_code == 403
    assert (await client.get(f"{survey}/export")).status_code == 403


async def test_signed_out_visitors_are_sent_to_sign_in(client, survey) -> None:
    page = await client.get(survey, follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].endswith("/staff/login")
