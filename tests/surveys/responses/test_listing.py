"""The staff list of responses through the forms it renders: counts by status, filters in the
survey's own words, search, paging, opening one, erasure and who may see it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.codes import hash_code
from surveys.models import Response
from surveys.store.responses import withdraw
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    export,
    unzip_csv,
)


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
        await db.flush()
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        assert (
            await db.run_sync(lambda s: withdraw(s.connection(), consultation, "AAAA-BBBB"))
            == "withdrawn"
        )
        await db.commit()
    await staff("researcher")
    page = await client.get(survey)
    assert page.status_code == 200
    assert 'id="count-submitted">2<' in page.text
    assert 'id="count-withdrawn">1<' in page.text
    assert 'id="count-draft">0<' in page.text


async def find(client, survey: str, **filters: str) -> str:
    """Fill the "Find responses" form and return the count the list shows."""
    page = await open_page(client, survey)
    listed = await page.form("Find").fill(filters).submit(client)
    return found(listed.text)


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
    assert await find(client, survey, respondent_type="public") == "1"
    by_date = await find(client, survey, submitted_from="2027-02-01", submitted_to="2027-02-10")
    assert by_date == "1"
    assert await find(client, survey, answer="colour=red") == "1"
    assert await find(client, survey, answer="fruits=pear") == "1"
    assert await find(client, survey, answer="fruits=apple") == "1"
    assert await find(client, survey, answer="mood=satisfied") == "1"
    assert await find(client, survey, search="NOTHING chan") == "1"
    assert await find(client, survey, search="100%") == "0"
    bad = await submit(client, survey, "Find", {"submitted_from": "31/02/2027"})
    assert "From date must be a real date" in bad.text


async def test_respondent_types_are_shown_in_the_survey_s_own_words(
    client, settings, staff
) -> None:
    from tests.surveys.conftest import load_demo
    from tests.surveys.responses.conftest import consultation_id

    await load_demo(settings)
    await add_responses(
        settings, [{"respondent_type": "victim_survivor"}],
        slug="community-survey", respondent_type="victim_survivor",
    )  # fmt: skip
    await staff("researcher")
    listing_url = (
        f"/staff/consultations/{await consultation_id(settings, 'community-survey')}/responses"
    )
    page = await open_page(client, listing_url)
    # The filter is labelled with the question's wording and offers its options' wording.
    label = page.soup.find("label", attrs={"for": "respondent_type"}).get_text(strip=True)
    assert label == "Which of these best describes you?"
    form = page.form("Find")
    assert form.options("respondent_type") == [
        "", "victim_survivor", "on_behalf", "professional", "public",
    ]  # fmt: skip
    assert "I have lived experience of abuse or violence" in page.text
    cells = [td.get_text(strip=True) for td in page.soup.select("tbody td")]
    assert "I have lived experience of abuse or violence" in cells
    assert "victim_survivor" not in cells
    row = page.soup.select_one("tbody a")["href"]
    one = await open_page(client, row)
    assert "Respondent type: I have lived experience of abuse or violence." in one.text


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
    erase_url = f"{survey}/{erase}/erase"
    assert (await open_page(client, f"{survey}/{erase}")).soup.find("a", string="Erase this response")["href"] == erase_url  # fmt: skip
    refused = await submit(client, erase_url, "Erase response", {"reason": ""})
    assert refused.status_code == 400 and "Enter the reason for erasure" in refused.text
    done = await submit(
        client, erase_url, "Erase response", {"reason": "Erasure request ref 42"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert found((await client.get(survey)).text) == "1"
    assert (await client.get(f"{survey}/{erase}")).status_code == 404
    (_, *rows), _, _ = unzip_csv(await export(client, survey))
    assert "erase me" not in str(rows) and len(rows) == 1
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
