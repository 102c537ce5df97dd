"""Fixtures for staff response tools: an open consultation whose survey has every question type,
and responses written straight to the database (the journey has its own tests)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from consult.audit import AuditEvent
from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.codes import hash_code
from surveys.models import Response, SurveyVersion
from tests.conftest import db_session
from tests.surveys.conftest import load_all_types

FULL_ANSWERS: dict[str, Any] = {
    "consent": "yes",
    "name_of_group": "Women's group",
    "story": "It took a long time to be believed.",
    "count": 3,
    "when": "2024-05",
    "colour": "red",
    "fruits": {"selected": ["apple", "other"], "other": "Quince"},
    "mood": "satisfied",
    "grid": {"bus": "very_satisfied"},
    "words": ["safe", "", "heard"],
}


async def consultation_id(settings: Settings, slug: str = "all-types") -> uuid.UUID:
    async with db_session(settings) as db:
        found = await db.scalar(select(Consultation.id).where(Consultation.slug == slug))
        assert found is not None
        return found


async def add_responses(
    settings: Settings,
    answers: list[dict[str, Any]],
    *,
    slug: str = "all-types",
    respondent_type: str | None = None,
    submitted_at: datetime | None = None,
    version_number: int | None = None,
) -> list[uuid.UUID]:
    """Insert submitted responses to the consultation's newest (or given) version."""
    cid = await consultation_id(settings, slug)
    async with db_session(settings) as db:
        from surveys.models import Survey as SurveyRow

        statement = (
            select(SurveyVersion)
            .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
            .where(SurveyRow.consultation_id == cid)
            .order_by(SurveyVersion.number.desc())
        )
        if version_number is not None:
            statement = statement.where(SurveyVersion.number == version_number)
        version = (await db.scalars(statement)).first()
        assert version is not None
        rows = [
            Response(
                consultation_id=cid,
                version_id=version.id,
                respondent_type=respondent_type,
                answers=item,
                submitted_at=submitted_at or datetime.now(UTC),
                withdrawal_code_hash=hash_code(secrets.token_hex(10)),
            )
            for item in answers
        ]
        db.add_all(rows)
        await db.commit()
        return [row.id for row in rows]


async def audit_events(settings: Settings, action: str) -> list[AuditEvent]:
    async with db_session(settings) as db:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        return list(await db.scalars(statement))


@pytest.fixture
async def survey(settings: Settings) -> str:
    """The staff base URL of the responses pages of the all-types consultation."""
    await load_all_types(settings)
    return f"/staff/consultations/{await consultation_id(settings)}/responses"


async def export(
    client: Any, survey: str, form: str = "all", *, page: str | None = None, **choices: str
) -> Any:
    """Download an export with the list page's form ("all", or "filtered" on a filtered list
    opened at ``page``), choosing format and headings as staff do."""
    from tests.forms import open_page

    listing = await open_page(client, page or survey)
    return await listing.form(id=f"export-{form}").fill(choices).submit(client)


def unzip_csv(response: Any) -> tuple[list[list[str]], dict[str, Any], list[str]]:
    """The rows of the CSV in a CSV export's ZIP, its data dictionary, and the member names."""
    import csv
    import io
    import json
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    [csv_name] = [n for n in names if n.endswith(".csv")]
    [dictionary_name] = [n for n in names if n.endswith("-dictionary.json")]
    text = archive.read(csv_name).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows, json.loads(archive.read(dictionary_name)), names
