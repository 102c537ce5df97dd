"""Fixtures for the respondent journey: the demo consultation with its published survey, and
small helpers to walk pages over HTTP the way a browser does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from tests.conftest import db_session
from tests.forms import open_page, submit, submit_page

DEMO = "/c/community-survey"


async def load_demo(settings: Settings, responses: int = 0, **changes: Any) -> str:
    """Load the demo consultation and survey (with ``responses`` generated submitted
    responses, none unless asked); ``changes`` are set on the consultation."""
    from consult import demo
    from surveys import demo_loader

    async with db_session(settings) as db:
        consultation = await demo.load(db)
        await demo_loader.load(db, consultation, responses)
        for name, value in changes.items():
            setattr(consultation, name, value)
        await db.commit()
        return consultation.slug


async def update_consultation(settings: Settings, slug: str, **changes: Any) -> None:
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation).where(Consultation.slug == slug))
        assert consultation is not None
        for name, value in changes.items():
            setattr(consultation, name, value)
        await db.commit()


@pytest.fixture
async def demo(settings: Settings) -> str:
    await load_demo(settings)
    return DEMO


async def answer(
    client: AsyncTestClient[Any],
    page: str | Any,
    data: Mapping[str, Any] | None = None,
    button: str = "Continue",
) -> Any:
    """Fill and submit the form of a page the way a respondent does: ``page`` is an address to
    open first, or a response already in hand (the page a previous step led to). Follows the
    redirect (post/redirect/get) to the next page."""
    if isinstance(page, str):
        return await submit(client, page, button, data)
    return await submit_page(client, page, button, data)


async def begin(client: AsyncTestClient[Any], base: str = DEMO) -> Any:
    """Read the start and safety pages, then consent: the survey's first question page."""
    assert (await open_page(client, base)).text
    assert (await open_page(client, f"{base}/safety")).text
    return await answer(client, f"{base}/consent", {"q-consent": "yes"})


def yesterday() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


ALL_TYPES_YAML = """
key: all_types
title: Every question type
sections:
  - key: first
    title: First
    pages:
      - questions:
          - {key: consent, type: consent, title: Taking part, label: I agree}
      - title: Some questions
        questions:
          - {key: name_of_group, type: short_text, title: Group name, max_length: 20}
          - {key: story, type: long_text, title: Tell us more}
          - {key: count, type: number, title: How many, minimum: 0, maximum: 10}
          - {key: when, type: month_year, title: When}
      - title: Choices
        questions:
          - key: colour
            type: single_choice
            title: Colour
            options: [{value: red, label: Red}, {value: blue, label: Blue}]
          - key: fruits
            type: multiple_choice
            title: Fruits
            other_label: Something else
            options: [{value: apple, label: Apple}, {value: pear, label: Pear}]
          - {key: mood, type: rating, title: Mood, scale: satisfaction}
          - key: grid
            type: rating_grid
            title: Grid
            scale: satisfaction
            rows: [{value: bus, label: Bus}, {value: train, label: Train}]
          - {key: words, type: three_words, title: Three words}
"""


async def load_all_types(settings: Settings, slug: str = "all-types") -> str:
    """An open consultation whose survey has one question of every type."""
    from surveys.definition import load_definition, survey_to_dict
    from surveys.store.versions import publish_version

    async with db_session(settings) as db:
        consultation = Consultation(
            slug=slug, title="All types", public_title="Test survey", status="open"
        )
        db.add(consultation)
        await db.flush()
        await db.run_sync(
            lambda s: publish_version(
                s.connection(), consultation.id, survey_to_dict(load_definition(ALL_TYPES_YAML))
            )
        )
        await db.commit()
    return f"/c/{slug}"
