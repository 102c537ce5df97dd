"""How far coding of each text question has got: answers coded by a person, with suggestions
only, or not coded yet; and the newest coding job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from consult.jobs import Job
from research.coding.models import Decision, Resolution, Suggestion, Tally


@dataclass(frozen=True)
class Progress:
    answers: int
    by_person: int
    suggested_only: int

    @property
    def not_coded(self) -> int:
        return max(0, self.answers - self.by_person - self.suggested_only)


async def progress(db: AsyncSession, consultation_id: uuid.UUID, question_key: str) -> Progress:
    """Counts over the answers the last coding run saw. The queue shows them on every page, so
    the run's own totals are read from its tally (written with the suggestions), and only the
    answers people have coded (a few thousand at most) are counted here."""
    tally = await db.scalar(
        select(Tally).where(
            Tally.consultation_id == consultation_id, Tally.question_key == question_key
        )
    )
    mine = (Suggestion.consultation_id == consultation_id) & (
        Suggestion.question_key == question_key
    )
    if tally is not None:
        answers, with_themes = tally.answers, tally.with_themes
    else:  # suggestions written before runs kept a tally: counted, until the next run
        answers = int(await db.scalar(select(func.count()).where(mine)) or 0)
        with_themes = int(
            await db.scalar(select(func.count()).where(mine, Suggestion.labels != "|")) or 0
        )
    people = union(
        select(Decision.response_id).where(
            Decision.consultation_id == consultation_id, Decision.question_key == question_key
        ),
        select(Resolution.response_id).where(
            Resolution.consultation_id == consultation_id,
            Resolution.question_key == question_key,
        ),
    ).subquery()
    by_person = await db.scalar(select(func.count()).select_from(people))
    coded_with_themes = await db.scalar(
        select(func.count())
        .select_from(people)
        .join(
            Suggestion,
            (Suggestion.question_key == question_key)
            & (Suggestion.response_id == people.c.response_id),
        )
        .where(mine, Suggestion.labels != "|")
    )
    return Progress(answers, int(by_person or 0), max(0, with_themes - int(coded_with_themes or 0)))


async def latest_job(
    db: AsyncSession, consultation_id: uuid.UUID, kind: str, question_key: str
) -> Job | None:
    jobs = await db.scalars(
        select(Job)
        .where(Job.consultation_id == consultation_id, Job.kind == kind)
        .order_by(Job.created_at.desc())
        .limit(20)
    )
    return next((job for job in jobs if job.params.get("question_key") == question_key), None)
