"""Adds the demo survey to the demo consultation (``consult.demo`` entry point)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from surveys.definition import load_definition, survey_to_dict
from surveys.journey import publish_version
from surveys.models import Survey

DEMO_DEFINITION = Path(__file__).with_name("demo") / "call_for_evidence.yaml"


async def load(db: AsyncSession, consultation: Consultation) -> None:
    """Publish the demo survey as version 1, once (loading the demo twice changes nothing)."""
    survey = load_definition(DEMO_DEFINITION)  # raises DefinitionError if the file is broken
    existing = await db.scalar(
        select(Survey).where(Survey.consultation_id == consultation.id, Survey.key == survey.key)
    )
    if existing is not None:
        return
    await publish_version(db, consultation, survey_to_dict(survey))


def demo_definition() -> dict[str, object]:
    """The demo definition as plain data (tests use it)."""
    data = yaml.safe_load(DEMO_DEFINITION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
