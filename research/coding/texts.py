"""The answers to one text question as a table for the `analysis` package, and how a quote is
attributed. The survey data comes through `surveys.store`; this module only shapes it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from consult.errors import NotFound
from surveys.definition import QuestionType, Survey
from surveys.store import versions
from surveys.store.answers import submitted_answers

# Short attributions in the style of a findings report ("Survivor survey respondent").
ATTRIBUTION = {
    "victim_survivor": "Survivor",
    "on_behalf": "Answering for a survivor",
    "professional": "Professional",
    "public": "Member of the public",
}
TEXT_COLUMNS = ["id", "text", "respondent_type", "submitted_at"]


def attribution(respondent_type: str | None, method: str = "survey") -> str:
    who = ATTRIBUTION.get(respondent_type or "", "Other")
    return f"{who} {method} respondent"


@dataclass(frozen=True)
class TextQuestion:
    key: str
    title: str
    type_name: str


def text_questions(survey: Survey | None) -> list[TextQuestion]:
    if survey is None:
        return []
    return [
        TextQuestion(q.key, q.title, q.type_name) for q in survey.questions() if q.holds_free_text
    ]


async def current_survey(db: AsyncSession, consultation: Consultation) -> Survey | None:
    parse = versions.definitions_of(db)
    return await db.run_sync(
        lambda s: versions.current_survey(s.connection(), consultation.id, parse)
    )


async def text_question(db: AsyncSession, consultation: Consultation, key: str) -> QuestionType:
    """The text question `key` of the consultation's current survey, or a 404."""
    survey = await current_survey(db, consultation)
    for question in survey.questions() if survey else []:
        if question.key == key and question.holds_free_text:
            return question
    raise NotFound("That question is not a free-text question of this consultation")


async def job_question(
    db: AsyncSession, consultation_id: uuid.UUID | None, key: str
) -> tuple[Consultation, QuestionType]:
    """A background job's consultation and its text question `key`: a job can outlive either
    (the consultation deleted, the survey changed), and then fails with a clear message."""
    consultation = await db.get(Consultation, consultation_id) if consultation_id else None
    if consultation is None:
        raise NotFound("The consultation no longer exists")
    return consultation, await text_question(db, consultation, key)


def answer_table(
    conn: Connection,
    consultation_id: uuid.UUID,
    question: QuestionType,
    also: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per submitted response that answered `question`: id, text, respondent type,
    submission time, and the answers to the questions in `also` (for grouping and filters).
    Blank answers are left out (they have nothing to code)."""
    rows = []
    for item in submitted_answers(conn, consultation_id, [question.key, *also]):
        text = question.free_text(item.answers.get(question.key))
        if text:
            extra = [item.answers.get(key) for key in also]
            rows.append(
                (str(item.response_id), text, item.respondent_type, item.submitted_at, *extra)
            )
    return pd.DataFrame(rows, columns=[*TEXT_COLUMNS, *also])


async def load_answers(
    db: AsyncSession, consultation_id: uuid.UUID, question: QuestionType
) -> pd.DataFrame:
    return await db.run_sync(lambda s: answer_table(s.connection(), consultation_id, question))
