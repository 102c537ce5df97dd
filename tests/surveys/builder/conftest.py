"""Helpers for survey builder tests: a consultation made directly in the database, the builder's
base address, and reading versions and audit events back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from consult.audit import AuditEvent
from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.models import Draft, Response, SurveyVersion
from surveys.models import Survey as SurveyRow
from tests.conftest import db_session
from tests.forms import open_page, submit, submit_page

COMPLETE_DATA_PROTECTION: dict[str, Any] = {
    "controller": "A County Council",
    "article6_basis": "6(1)(e) public task",
    "article9_condition": "9(2)(g) substantial public interest",
    "retention_days": 365,
    "analysis_cutoff": date(2099, 6, 30),
    "dpia_reference": "DPIA-42",
}

GOOD_YAML = """
key: spring_views
title: Spring views
sections:
  - key: start
    title: Before you start
    pages:
      - questions:
          - {key: consent, type: consent, title: Taking part, label: I agree}
      - questions:
          - {key: colour, type: single_choice, title: Favourite colour,
             options: [{value: red, label: Red}, {value: blue, label: Blue}]}
"""


async def make_consultation(
    settings: Settings, slug: str = "spring-survey", *, complete: bool = True, **changes: Any
) -> str:
    async with db_session(settings) as db:
        consultation = Consultation(
            slug=slug,
            title="Spring Call for Evidence",
            public_title="Spring community survey",
            **(COMPLETE_DATA_PROTECTION if complete else {}),
            **changes,
        )
        db.add(consultation)
        await db.commit()
        return f"/staff/consultations/{consultation.id}/survey"


async def versions(settings: Settings, base: str) -> list[SurveyVersion]:
    consultation_id = uuid.UUID(base.split("/")[3])
    async with db_session(settings) as db:
        rows = await db.scalars(
            select(SurveyVersion)
            .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
            .where(SurveyRow.consultation_id == consultation_id)
            .order_by(SurveyVersion.number)
        )
        return list(rows)


async def draft_definition(settings: Settings, base: str) -> dict[str, Any]:
    draft = [v for v in await versions(settings, base) if v.published_at is None]
    assert len(draft) == 1
    return draft[0].definition


async def count(settings: Settings, model: Any) -> int:
    async with db_session(settings) as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def row_counts(settings: Settings) -> tuple[int, int]:
    return await count(settings, Draft), await count(settings, Response)


async def audit_actions(settings: Settings) -> list[str]:
    async with db_session(settings) as db:
        rows = await db.scalars(select(AuditEvent.action).order_by(AuditEvent.at))
        return list(rows)


async def press(
    client: AsyncTestClient[Any],
    url: str,
    button: str | None = None,
    data: dict[str, Any] | None = None,
    *,
    action: str | None = None,
    follow_redirects: bool = True,
) -> Any:
    """Open a builder page and submit the form with that button (or ``action``), as staff do."""
    return await submit(client, url, button, data, action=action, follow_redirects=follow_redirects)


async def question_form(
    client: AsyncTestClient[Any], base: str, section: str, page: int, kind: str
) -> Any:
    """The "Add a question to page N" choice on the survey page: the new question's form."""
    builder = await open_page(client, base)
    form = builder.form(action=f"/sections/{section}/pages/{page}/questions/new")
    response = await form.fill(kind=kind).submit(client, follow_redirects=True)
    assert response.status_code == 200, response.text
    return response


async def add_question(
    client: AsyncTestClient[Any],
    base: str,
    section: str,
    page: int,
    kind: str,
    fields: dict[str, Any],
    **kwargs: Any,
) -> Any:
    form_page = await question_form(client, base, section, page, kind)
    return await submit_page(client, form_page, "Add question", fields, **kwargs)


async def upload(client: AsyncTestClient[Any], base: str, text: str, name: str = "s.yaml") -> Any:
    """Import a definition file through the survey page's upload form."""
    form = (await open_page(client, base)).form("Import")
    form.attach("definition", name, text.encode("utf-8"), "application/yaml")
    return await form.submit(client, follow_redirects=True)


@pytest.fixture
async def respondent(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """A second browser: a respondent, whose session is not the signed-in staff member's."""
    from app import create_app

    async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as c:
        yield c
