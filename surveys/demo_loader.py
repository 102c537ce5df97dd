"""Adds the demo survey to the demo consultation (``consult.demo`` entry point)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from surveys import demo_responses
from surveys.definition import load_definition, survey_to_dict
from surveys.store.bulk import insert_responses
from surveys.store.versions import publish_version, survey_id

DEMO_DEFINITION = Path(__file__).with_name("demo") / "call_for_evidence.yaml"


async def load(
    db: AsyncSession, consultation: Consultation, responses: int = demo_responses.DEMO_TOTAL
) -> None:
    """Publish the demo survey as version 1 with ``responses`` generated submitted responses,
    once (loading the demo twice changes nothing)."""
    survey = load_definition(DEMO_DEFINITION)  # raises DefinitionError if the file is broken
    definition = survey_to_dict(survey)

    def publish(connection: Connection) -> None:
        if survey_id(connection, consultation.id, survey.key) is not None:
            return
        version = publish_version(connection, consultation.id, definition)
        if responses:
            generated = demo_responses.generate(survey, responses)
            insert_responses(connection, consultation.id, version.id, generated)

    await db.run_sync(lambda session: publish(session.connection()))


def demo_definition() -> dict[str, object]:
    """The demo definition as plain data (tests use it)."""
    data = yaml.safe_load(DEMO_DEFINITION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
