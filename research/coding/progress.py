"""How far coding of each text question has got: answers coded by a person, with suggestions
only, or not coded yet; and the newest coding job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.jobs import Job
from research.coding.models import Decision, Resolution, Suggestion


@dataclass(frozen=True)
class Progress:
    answers: int
    by_person: int
    suggested_only: int

    @property
    def not_coded(self) -> int:
        return max(0, self.answers - self.by_person - self.suggested_only)


async def progress(db: AsyncSession, consultation_id: uuid.UUID, question_key: str) -> Progress:
    """Counts over the answers the last coding run saw (one suggestion row per answer), in
    SQL: the queue shows them on every page, so they must not read every row into memory."""

    def coded_by(model: type[Decision] | type[Resolution]) -> Select[tuple[uuid.UUID]]:
        return select(model.response_id).where(
            model.consultation_id == consultation_id,
            model.question_key == question_key,
            model.response_id == Suggestion.response_id,
        )

    by_person = exists(coded_by(Decision)) | exists(coded_by(Resolution))
    row = (
        await db.execute(
            select(
                func.count(),
                func.count(case((by_person, 1))),
                func.count(case((~by_person & (Suggestion.labels != "|"), 1))),
            ).where(
                Suggestion.consultation_id == consultation_id,
                Suggestion.question_key == question_key,
            )
        )
    ).one()
    return Progress(int(row[0]), int(row[1]), int(row[2]))


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
