"""Names for survey objects in the audit log (see ``consult.audit.readable``): a survey version
by its survey's title and number, a response by its consultation, never by an id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.audit import names, uuids
from consult.consultations.models import Consultation
from surveys.models import Response, SurveyVersion
from surveys.models import Survey as SurveyRow


@names("survey_version")
async def survey_version_names(db: AsyncSession, ids: list[str]) -> dict[str, str]:
    rows = await db.execute(
        select(SurveyVersion.id, SurveyRow.title, SurveyVersion.number)
        .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
        .where(SurveyVersion.id.in_(uuids(ids)))
    )
    return {str(key): f"Survey '{title}', version {number}" for key, title, number in rows.all()}


@names("response")
async def response_names(db: AsyncSession, ids: list[str]) -> dict[str, str]:
    rows = await db.execute(
        select(Response.id, Consultation.title)
        .join(Consultation, Consultation.id == Response.consultation_id)
        .where(Response.id.in_(uuids(ids)))
    )
    return {str(key): f"A response to '{title}'" for key, title in rows.all()}
