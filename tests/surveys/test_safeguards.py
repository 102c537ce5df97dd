"""Each question type over HTTP through the forms the pages render; tampered posts (hand-built,
and named so); closed and draft consultations; CSRF."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from consult.consultations.models import Consultation, Status, SupportService
from surveys.models import Draft, Response
from tests.conftest import db_session, post_form
from tests.forms import open_page
from tests.surveys.conftest import answer, begin, load_all_types, update_consultation, yesterday


async def draft_answers(settings: Any) -> dict[str, Any]:
    async with db_session(settings) as db:
        draft = await db.scalar(select(Draft))
        assert draft is not None
        return dict(draft.answers)


async def test_every_question_type_saves_valid_answers(client, settings) -> None:
    base = await load_all_types(settings)
    page = await begin(client, base)
    assert page.url.path == f"{base}/p/1-2"
    assert 'autocomplete="off"' in page.text
    page = await answer(client, page, {
        "q-name_of_group": "Walkers", "q-story": "Long text", "q-count": "3",
        "q-when-month": "4", "q-when-year": "2024",
    })  # fmt: skip
    assert page.url.path == f"{base}/p/1-3"
    page = await answer(client, page, {
        "q-colour": "red", "q-fruits": ["apple", "other"], "q-fruits-other": "plum",
        "q-mood": "satisfied", "q-grid-bus": "very_satisfied",
        "q-words-1": "calm", "q-words-2": "tired", "q-words-3": "hopeful",
    })  # fmt: skip
    assert page.url.path == f"{base}/check"
    answers = await draft_answers(settings)
    assert answers["name_of_group"] == "Walkers" and answers["count"] == 3
    assert answers["colour"] == "red" and answers["grid"] == {"bus": "very_satisfied"}
    assert answers["fruits"]["other"] == "plum"


async def test_invalid_answers_show_an_error_summary_and_keep_values(client, settings) -> None:
    base = await load_all_types(settings)
    page = await begin(client, base)
    page = await answer(client, page, {
        "q-name_of_group": "x" * 30, "q-story": "kept text", "q-count": "99",
        "q-when-month": "13", "q-when-year": "2024",
    })  # fmt: skip
    assert page.status_code == 422
    assert "<title>Error: Some questions - Test survey</title>" in page.text
    assert 'class="govuk-error-summary"' in page.text
    for anchor in ("#q-name_of_group", "#q-count", "#q-when-month"):
        assert f'href="{anchor}"' in page.text, anchor
    assert "kept text" in page.text
    page = await answer(client, f"{base}/p/1-3", {"q-words-1": "y" * 500})
    assert page.status_code == 422 and 'href="#q-words-1"' in page.text
    answers = await draft_answers(settings)
    assert "words" not in answers and answers["consent"] == "yes"  # nothing saved is lost


async def test_choices_the_page_does_not_offer_are_errors_in_a_hand_built_post(
    client, settings
) -> None:
    base = await load_all_types(settings)
    await begin(client, base)
    page = await post_form(client, f"{base}/p/1-3", {
        "q-colour": "green", "q-fruits": "banana", "q-mood": "ecstatic", "q-grid-bus": "meh",
    }, follow_redirects=True)  # fmt: skip
    assert page.status_code == 422
    for anchor in ("#q-colour", "#q-fruits", "#q-mood", "#q-grid-bus"):
        assert f'href="{anchor}"' in page.text, anchor
    assert "colour" not in await draft_answers(settings)


async def test_blank_answers_are_never_errors_but_consent_is_required(client, settings) -> None:
    base = await load_all_types(settings)
    page = await answer(client, f"{base}/consent", {"q-consent": None})
    assert page.status_code == 422 and "Tick the box" in page.text
    page = await begin(client, base)
    page = await answer(client, page)
    assert page.status_code == 200 and page.url.path == f"{base}/p/1-3"


async def test_oversized_text_is_refused_without_a_crash(client, demo) -> None:
    page = await begin(client)
    page = await answer(client, page, {"q-respondent_type": "victim_survivor"})
    page = await answer(client, page, button="Skip this section")
    page = await answer(client, page, button="Skip this section")
    page = await answer(client, page)
    assert page.url.path == f"{demo}/p/4-1"
    page = await answer(client, page, {"q-prevention": "z" * 30_000})
    assert page.status_code == 422 and "There is a problem" in page.text


async def test_a_value_outside_the_options_is_an_error_in_a_hand_built_post(client, demo) -> None:
    await begin(client)
    page = await post_form(
        client, f"{demo}/p/1-2", {"q-respondent_type": "administrator"}, follow_redirects=True
    )
    assert page.status_code == 422 and 'href="#q-respondent_type"' in page.text


async def test_tampered_page_addresses_redirect_or_404_never_500(client, demo) -> None:
    page = await begin(client)
    await answer(client, page, {"q-respondent_type": "public"})
    off_route = await client.get(f"{demo}/p/5-1")  # a professional's page
    assert off_route.status_code == 200 and off_route.url.path != f"{demo}/p/5-1"
    posted = await post_form(client, f"{demo}/p/5-1", {"q-sector": "health"}, follow_redirects=True)
    assert posted.status_code == 200 and posted.url.path != f"{demo}/p/5-1"
    for slug in ("0-1", "99-1", "abc", "1-99", "1--1"):
        assert (await client.get(f"{demo}/p/{slug}")).status_code == 404, slug
    assert (await client.get(f"{demo}/s/nonsense")).status_code == 404


async def test_closed_consultation_says_so_and_accepts_nothing(client, settings, demo) -> None:
    question = await begin(client)
    check = await open_page(client, f"{demo}/check")
    consent = await open_page(client, f"{demo}/consent")
    await update_consultation(settings, "community-survey", status=Status.CLOSED.value)
    start = await client.get(demo)
    assert start.status_code == 410 and "closed" in start.text
    # Pages opened before it closed send their forms: nothing is recorded.
    page = await answer(client, question, {"q-respondent_type": "public"})
    assert page.status_code == 410 and "closed" in page.text
    sent = await answer(client, check.response, button="Send my answers")
    assert sent.status_code == 410
    assert (await answer(client, consent.response, {"q-consent": "yes"})).status_code == 410
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Response))) == []


async def test_consultation_past_closing_date_refuses_answers(client, settings, demo) -> None:
    consent = await open_page(client, f"{demo}/consent")
    await update_consultation(settings, "community-survey", closes_at=yesterday())
    page = await answer(client, consent.response, {"q-consent": "yes"})
    assert page.status_code == 410


async def test_draft_consultation_is_hidden_staff_preview_and_a_hand_built_send_records_nothing(
    client, settings, demo, staff
) -> None:
    await update_consultation(settings, "community-survey", status=Status.DRAFT.value)
    assert (await client.get(demo)).status_code == 404
    await staff("researcher")
    page = await client.get(demo)
    assert page.status_code == 200
    page = await answer(client, f"{demo}/consent", {"q-consent": "yes"})
    assert "Preview" in page.text and page.url.path == f"{demo}/p/1-2"
    check = await open_page(client, f"{demo}/check")
    assert "This is a preview: there is nothing to send." in check.text
    assert "Send my answers" not in check.text
    # Even a hand-built send records nothing.
    refused = await post_form(client, f"{demo}/submit", {}, follow_redirects=True)
    assert refused.status_code == 409
    async with db_session(settings) as db:
        assert list(await db.scalars(select(Draft))) == []
        assert list(await db.scalars(select(Response))) == []


async def test_hand_built_post_without_csrf_token_is_refused_clearly(client, demo) -> None:
    await client.get(demo)
    page = await client.post(f"{demo}/consent", data={"q-consent": "yes"})
    assert page.status_code == 403 and "Nothing was saved" in page.text


async def test_unknown_consultation_is_404(client, demo) -> None:
    assert (await client.get("/c/not-a-survey")).status_code == 404


async def test_home_page_links_to_the_open_demo_survey(client, demo) -> None:
    page = await client.get("/")
    assert f'href="{demo}"' in page.text


async def test_get_help_shows_support_directory_changes_on_the_next_page(
    client, settings, demo
) -> None:
    """Workers keep a copy of the consultation: a directory edit must still show at once."""
    page = await begin(client)
    assert "Riverside Listening Line" not in page.text
    async with db_session(settings) as db:
        consultation = await db.scalar(
            select(Consultation).where(Consultation.slug == "community-survey")
        )
        assert consultation is not None
        db.add(
            SupportService(
                consultation_id=consultation.id, name="Riverside Listening Line", position=99
            )
        )
        await db.commit()
    page = await client.get(f"{demo}/p/1-2")
    assert "Riverside Listening Line" in page.text
    async with db_session(settings) as db:
        await db.execute(delete(SupportService).where(SupportService.position == 99))
        await db.commit()
    page = await client.get(f"{demo}/p/1-2")
    assert "Riverside Listening Line" not in page.text
