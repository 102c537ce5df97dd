"""Fixtures for the respondent journey: the demo consultation with its published survey, and
small helpers to walk pages over HTTP the way a browser does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from tests.conftest import db_session, post_form

DEMO = "/c/community-survey"


async def load_demo(settings: Settings, **changes: Any) -> str:
    """Load the demo consultation and survey; ``changes`` are set on the consultation."""
    from consult import demo
    from surveys import demo_loader

    async with db_session(settings) as db:
        consultation = await demo.load(db)
        await demo_loader.load(db, consultation)
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


async def send(client: AsyncTestClient[Any], url: str, data: dict[str, Any] | None = None) -> Any:
    """POST a form with its CSRF token and follow the redirect (post/redirect/get)."""
    return await post_form(client, url, data or {}, follow_redirects=True)


async def begin(client: AsyncTestClient[Any], base: str = DEMO) -> Any:
    """Read the start and safety pages, then consent: the survey's first question page."""
    assert (await client.get(base)).status_code == 200
    assert (await client.get(f"{base}/safety")).status_code == 200
    return await send(client, f"{base}/consent", {"q-consent": "yes"})


def yesterday() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)
