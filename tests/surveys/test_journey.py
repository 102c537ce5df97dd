"""Whole journeys through HTTP, submitting the forms each page renders: routing by respondent
type, check answers, submission, and how long the start page says it takes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from consult.neutral import flagged_words
from surveys.definition import load_definition
from surveys.definition.timing import estimate
from surveys.models import Draft, Response
from tests.conftest import db_session
from tests.forms import open_page
from tests.surveys.conftest import ALL_TYPES_YAML, answer, begin, load_all_types


async def responses(settings: Any) -> list[Response]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Response))).all())


async def drafts(settings: Any) -> list[Draft]:
    async with db_session(settings) as db:
        return list((await db.scalars(select(Draft))).all())


async def walk_victim_survivor(client: Any, demo: str) -> list[Any]:
    """Every page of a victim-survivor's journey, in order, up to check your answers."""
    pages = [await client.get(demo), await client.get(f"{demo}/safety")]
    pages.append(await answer(client, f"{demo}/consent", {"q-consent": "yes"}))
    pages.append(await answer(client, pages[-1], {"q-respondent_type": "victim_survivor"}))
    assert pages[-1].url.path == f"{demo}/s/experience"
    assert "Skip this section" in pages[-1].text and "questions" in pages[-1].text
    pages.append(await answer(client, pages[-1]))
    pages.append(
        await answer(
            client,
            pages[-1],
            {"q-abuse_types": ["coercive_control", "other"], "q-abuse_types-other": "x"},
        )
    )
    pages.append(
        await answer(client, pages[-1], {"q-words_then-1": "scared", "q-words_now-1": "stronger"})
    )
    assert pages[-1].url.path == f"{demo}/s/support"
    pages.append(await answer(client, pages[-1], button="Skip this section"))
    assert pages[-1].url.path == f"{demo}/s/prevention_section"
    pages.append(await answer(client, pages[-1]))
    pages.append(await answer(client, pages[-1], {"q-prevention": "More education."}))
    pages.append(await answer(client, pages[-1], button="Skip this section"))
    assert pages[-1].url.path == f"{demo}/check"
    return pages


async def test_victim_survivor_journey_records_one_pruned_response(client, settings, demo) -> None:
    pages = await walk_victim_survivor(client, demo)
    check = pages[-1]
    assert "Not answered" in check.text  # skipped sections
    assert "More education." in check.text
    assert "Which sector" not in check.text  # professional questions are off this route
    done = await answer(client, check, button="Send my answers")
    assert done.url.path == f"{demo}/done"
    assert "withdrawal code" in done.text.lower()
    saved = await responses(settings)
    assert len(saved) == 1
    assert saved[0].respondent_type == "victim_survivor"
    assert saved[0].answers["prevention"] == "More education."
    assert "service_satisfaction" not in saved[0].answers
    assert await drafts(settings) == []


async def test_professional_journey_follows_its_own_route(client, settings, demo) -> None:
    page = await begin(client)
    page = await answer(client, page, {"q-respondent_type": "professional"})
    assert page.url.path == f"{demo}/s/professional"
    page = await answer(client, page)
    assert page.url.path == f"{demo}/p/5-1"
    page = await answer(client, page, {"q-sector": "health"})
    page = await answer(client, page, {"q-pursuing_perpetrators": "good"})
    assert page.url.path == f"{demo}/p/5-3"  # shown only because the rating was answered
    page = await answer(client, page, {"q-pursuing_perpetrators_reasons": "Joined up."})
    page = await answer(client, page, button="Skip this section")
    assert page.url.path == f"{demo}/check" and "Joined up." in page.text
    await answer(client, page, button="Send my answers")
    saved = await responses(settings)
    assert [r.respondent_type for r in saved] == ["professional"]
    assert "abuse_types" not in saved[0].answers


async def test_submitting_twice_records_one_response(client, settings, demo) -> None:
    check = await walk_victim_survivor(client, demo)
    first = await answer(client, check[-1], button="Send my answers")
    # The check page as it was (a second tab, or Back) sends the same form again.
    second = await answer(client, check[-1], button="Send my answers")
    assert first.status_code == 200 and second.status_code == 200
    assert "already" in second.text
    assert len(await responses(settings)) == 1


async def test_response_table_has_no_ip_or_user_agent_columns(client, settings, demo) -> None:
    check = await walk_victim_survivor(client, demo)
    await answer(client, check[-1], button="Send my answers")
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
    pages.append(await answer(client, pages[-2], button="Send my answers"))
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
    page = await open_page(client, f"{demo}/p/4-1?return=check")
    assert 'name="return_to" value="check"' in page.text
    done = await answer(client, page.response, {"q-prevention": "Changed."})
    assert done.url.path == f"{demo}/check" and "Changed." in done.text


async def test_check_answers_lists_each_rated_item_on_a_row_of_its_own(client, settings) -> None:
    base = await load_all_types(settings)
    page = await begin(client, base)
    page = await answer(client, page)
    page = await answer(
        client,
        page,
        {"q-grid-bus": "very_satisfied", "q-grid-train": "dissatisfied", "q-fruits": ["apple", "pear"]},
    )  # fmt: skip
    assert page.url.path == f"{base}/check"
    check = await open_page(client, f"{base}/check")
    rows = {
        " ".join(row.find("dt").get_text().split()): " ".join(row.find("dd").get_text().split())
        for row in check.soup.select(".govuk-summary-list__row")
    }
    assert rows["Grid: Bus"] == "Very satisfied"
    assert rows["Grid: Train"] == "Dissatisfied"
    # Several ticked boxes keep one line each (the value cell preserves line breaks).
    value = check.soup.find("dt", string="Fruits").find_next("dd")
    assert "consult-pre-line" in value["class"] and value.get_text() == "Apple\nPear"


async def test_a_chosen_radio_answer_can_be_cleared(client, settings) -> None:
    base = await load_all_types(settings)
    page = await begin(client, base)
    page = await answer(client, page)
    choices = await answer(client, page, {"q-colour": "red", "q-mood": "satisfied",
                                          "q-grid-bus": "satisfied"})  # fmt: skip
    assert choices.url.path == f"{base}/check"
    again = await open_page(client, f"{base}/p/1-3?return=check")
    # Once answered, each radio question (and each answered grid row) offers to clear it.
    assert "Leave this unanswered (clears your answer)" in again.text
    assert 'id="q-grid-bus-clear"' in again.text and 'id="q-grid-train-clear"' not in again.text
    check = await answer(client, again.response, {"q-colour": "", "q-mood": "", "q-grid-bus": ""})
    assert check.url.path == f"{base}/check"
    async with db_session(settings) as db:
        draft = await db.scalar(select(Draft))
        assert draft is not None
        assert {k: draft.answers.get(k) for k in ("colour", "mood", "grid")} == {
            "colour": None, "mood": None, "grid": None,
        }  # fmt: skip
    fresh = await open_page(client, f"{base}/p/1-3")
    assert "Leave this unanswered" not in fresh.text  # nothing to clear any more


def test_how_long_it_takes_comes_from_the_questions_on_each_route() -> None:
    small = load_definition(ALL_TYPES_YAML)
    assert str(estimate(small)) == "about 5 minutes"
    from surveys.demo_loader import DEMO_DEFINITION

    demo = estimate(load_definition(DEMO_DEFINITION))
    # The demo's routes differ: a member of the public answers far fewer questions.
    assert demo.low < demo.high
    assert str(demo) == f"between {demo.low} and {demo.high} minutes, depending on your answers"


async def test_the_start_page_says_how_long_this_survey_takes(client, settings, demo) -> None:
    small = await load_all_types(settings)
    demo_page = await open_page(client, demo)
    small_page = await open_page(client, small)
    assert "It takes between " in demo_page.text
    assert "It takes about 5 minutes." in small_page.text
