"""A consultation with submitted answers to code: the demo survey and responses written into
the database directly (as if sent), and a signed-in researcher."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.models import Response
from surveys.store.versions import current_version
from tests.conftest import db_session
from tests.forms import open_page
from tests.surveys.conftest import load_demo

# (respondent type, answer to "What more could be done to stop this happening to others?")
ANSWERS = [
    ("victim_survivor", "The police did not believe me and nobody called me back"),
    ("victim_survivor", "More refuge spaces and housing support for women leaving"),
    ("professional", "Education in schools about healthy relationships and consent"),
    ("public", "Better street lighting and more police patrols at night"),
    ("victim_survivor", "Counselling waiting lists are far too long"),
    ("professional", "Training for GPs so they spot coercive control"),
    ("public", "Teach boys about respect in schools"),
    ("victim_survivor", "The court process took two years and I felt ignored"),
]


async def add_responses(
    settings: Settings, answers: list[tuple[str, str]], key: str = "prevention"
) -> list[uuid.UUID]:
    """Submitted responses with one text answer each, a minute apart."""
    ids = []
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        version = await db.run_sync(lambda s: current_version(s.connection(), consultation.id))
        assert version is not None
        start = datetime.now(UTC) - timedelta(days=1)
        for n, (kind, text) in enumerate(answers):
            response = Response(
                consultation_id=consultation.id,
                version_id=version.id,
                respondent_type=kind,
                answers={"respondent_type": kind, key: text},
                submitted_at=start + timedelta(minutes=n),
                withdrawal_code_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            )
            db.add(response)
            await db.flush()
            ids.append(response.id)
        await db.commit()
    return ids


@pytest.fixture
async def coding(settings: Settings, client: AsyncTestClient[Any], staff: Any) -> str:
    """The demo with eight answers to code and a researcher signed in; the coding base URL."""
    await load_demo(settings)
    await add_responses(settings, ANSWERS)
    await staff("researcher")
    async with db_session(settings) as db:
        consultation = await db.scalar(select(Consultation))
        assert consultation is not None
        return f"/staff/consultations/{consultation.id}/analysis/coding"


async def wait_for_jobs(client: AsyncTestClient[Any], url: str, seconds: float = 60) -> Any:
    """Reload a page, as a person would, until no job on it is still queued or running."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        page = await open_page(client, url)
        if "Queued" not in page.text and "Running" not in page.text:
            return page
        assert asyncio.get_running_loop().time() < deadline, "the coding job did not finish"
        await asyncio.sleep(0.2)
