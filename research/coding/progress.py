"""How far coding of each text question has got: answers coded by a person, with suggestions
only, or not coded yet; and the newest coding job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select
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
    """Counts over the answers the last coding run saw (one suggestion row per answer)."""

    def of(model: type[Decision] | type[Resolution] | type[Suggestion]) -> Select[tuple[uuid.UUID]]:
        return select(model.response_id).where(
            model.consultation_id == consultation_id, model.question_key == question_key
        )

    answers = await db.scalar(select(func.count()).select_from(of(Suggestion).subquery()))
    by_person = set(await db.scalars(of(Decision))) | set(await db.scalars(of(Resolution)))
    suggested = set(await db.scalars(of(Suggestion).where(Suggestion.labels != "|")))
    return Progress(int(answers or 0), len(by_person), len(suggested - by_person))


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
