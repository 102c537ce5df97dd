"""Demo data for the coding workspace: the starting codebook applied to every free-text
question's answers, and some answers coded by the demo administrator, so a newcomer sees a
working queue, theme results and agreement pages at once. Runs after the survey demo."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from consult.accounts.models import User
from consult.consultations.models import Consultation
from consult.demo import DEMO_ADMIN_EMAIL
from research.coding.codebooks import codebook_of, codebook_row
from research.coding.decisions import Choice, decide
from research.coding.suggestions import replace_suggestions, suggest
from research.coding.texts import answer_table, current_survey
from surveys.definition import QuestionType

HAND_CODED = 20


async def load(db: AsyncSession, consultation: Consultation) -> None:
    survey = await current_survey(db, consultation)
    admin = await db.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    first = True
    for question in survey.questions() if survey else []:
        if not question.holds_free_text:
            continue
        answers = await db.run_sync(_answers, consultation.id, question)
        if answers.empty:
            continue
        book = codebook_of(await codebook_row(db, consultation.id, question.key))
        rows, _ = suggest(answers, book, {})
        await db.run_sync(_store, consultation.id, question.key, rows)
        if first and admin is not None:
            await _hand_code(db, consultation, question.key, rows, admin)
            first = False


def _answers(session: Session, consultation_id: uuid.UUID, question: QuestionType) -> pd.DataFrame:
    return answer_table(session.connection(), consultation_id, question)


def _store(
    session: Session, consultation_id: uuid.UUID, key: str, rows: list[dict[str, Any]]
) -> None:
    replace_suggestions(session.connection(), consultation_id, key, rows)


async def _hand_code(
    db: AsyncSession,
    consultation: Consultation,
    key: str,
    rows: list[dict[str, object]],
    admin: User,
) -> None:
    """Accept most suggestions and change every fourth, as a person working through the queue."""
    for n, row in enumerate(rows[:HAND_CODED]):
        suggested = [str(t["theme"]) for t in row["themes"]]  # type: ignore[attr-defined]
        themes = suggested[:-1] if n % 4 == 3 else suggested
        await decide(
            db,
            consultation_id=consultation.id,
            question_key=key,
            response_id=row["response_id"],  # type: ignore[arg-type]
            coder_id=admin.id,
            choice=Choice(themes=themes, memo="", flagged=n == 7),
            suggested=suggested,
        )
