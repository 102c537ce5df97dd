"""Adds the demo survey to the demo consultation (``consult.demo`` entry point)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from surveys import demo_responses
from surveys.definition import load_definition, survey_to_dict
from surveys.journey import publish_version
from surveys.models import Survey
from surveys.store.bulk import insert_responses

DEMO_DEFINITION = Path(__file__).with_name("demo") / "call_for_evidence.yaml"


async def load(
    db: AsyncSession, consultation: Consultation, responses: int = demo_responses.DEMO_TOTAL
) -> None:
    """Publish the demo survey as version 1 with ``responses`` generated submitted responses,
    once (loading the demo twice changes nothing)."""
    survey = load_definition(DEMO_DEFINITION)  # raises DefinitionError if the file is broken
    existing = await db.scalar(
        select(Survey).where(Survey.consultation_id == consultation.id, Survey.key == survey.key)
    )
    if existing is not None:
        return
    version = await publish_version(db, consultation, survey_to_dict(survey))
    if responses:
        generated = demo_responses.generate(survey, responses)
        await db.run_sync(
            lambda session: insert_responses(
                session.connection(), consultation.id, version.id, generated
            )
        )


def demo_definition() -> dict[str, object]:
    """The demo definition as plain data (tests use it)."""
    data = yaml.safe_load(DEMO_DEFINITION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
