"""Workspace results worked out by background jobs and stored, so a page load reads them.

A result is identified by a hash of what it is worked out from: its kind (question counts,
breakdown counts, word clouds), its parameters (question, group, filters, threshold) and the
responses' data version (:attr:`research.frames.Header.data_version`). A page looks its key up:

- stored: it renders the payload;
- not stored yet: it queues one job for the key (the unique key means two requests for the
  same result share one job) and shows the job's progress; the page never waits;
- responses changed: the data version, and so the key, is new, and the result is worked out
  again; a job that stores a result removes its consultation's results of older data versions,
  so the table holds at most the current version's results.

The job handler is idempotent (it stores the payload for its key, or does nothing when it is
already stored), so a job re-queued after its worker stopped (`consult.jobs`) is harmless.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from advanced_alchemy.types import JsonB
from sqlalchemy import (
    Connection,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from consult.consultations.models import Consultation
from consult.db import UUIDv7AuditBase
from consult.errors import Invalid, NotFound
from consult.jobs import Job, JobContext, JobHandler, JobRunner, JobStatus
from research.filters import Selection, read_selection, respondent_type_options
from research.frames import ResponseData, ResponseFrames

JOB_KIND = "analysis_result"
Payload = dict[str, Any]
# (responses, filters already checked, the kind's own parameters) -> a JSON-able payload.
Computer = Callable[[ResponseData, Selection, dict[str, Any]], Payload]
# The same, with the kind named first (raises the error tree with a message for the page).
Compute = Callable[[str, ResponseData, Selection, dict[str, Any]], Payload]


class AnalysisResult(UUIDv7AuditBase):
    """One stored result; ``payload`` is empty until its job has run."""

    __tablename__ = "analysis_result"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    data_version: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("background_job.id", ondelete="SET NULL"), nullable=True, default=None
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonB, nullable=True, default=None)


def result_key(kind: str, params: Mapping[str, Any], data_version: str) -> str:
    canonical = json.dumps([kind, params, data_version], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What a page shows: the payload once stored, else the job working it out."""

    payload: Payload | None
    job: Job | None
    started: uuid.UUID | None = None  # a job this request queued: dispatch it after commit

    @property
    def failed(self) -> bool:
        return self.payload is None and self.job is not None and self.job.status == "failed"


async def _find(db: AsyncSession, consultation_id: uuid.UUID, key: str) -> AnalysisResult | None:
    return await db.scalar(
        select(AnalysisResult).where(
            AnalysisResult.consultation_id == consultation_id, AnalysisResult.key == key
        )
    )


async def stored_or_started(
    db: AsyncSession,
    jobs: JobRunner,
    consultation_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    data_version: str,
    requested_by: uuid.UUID | None,
) -> Outcome:
    """The stored result for these inputs, or the job working it out (queued if none is)."""
    key = result_key(kind, params, data_version)
    row = await _find(db, consultation_id, key)
    if row is not None and row.payload is not None:
        return Outcome(row.payload, None)
    job = await db.get(Job, row.job_id) if row is not None and row.job_id else None
    if job is not None:
        return Outcome(None, job)
    job = jobs.enqueue(
        db,
        JOB_KIND,
        consultation_id=consultation_id,
        params={"key": key, "kind": kind, "params": params, "data_version": data_version},
        requested_by=requested_by,
    )
    try:
        async with db.begin_nested():
            await db.flush([job])
            if row is None:
                db.add(
                    AnalysisResult(
                        consultation_id=consultation_id,
                        kind=kind,
                        key=key,
                        data_version=data_version,
                        job_id=job.id,
                    )
                )
            else:  # its job failed and was removed, or was cleared: work it out again
                row.job_id = job.id
    except IntegrityError:
        # Another request queued the same result a moment ago: show that job instead.
        row = await _find(db, consultation_id, key)
        found = await db.get(Job, row.job_id) if row is not None and row.job_id else None
        return Outcome(row.payload if row else None, found)
    return Outcome(None, job, job.id)


def kept(
    conn: Connection,
    consultation_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    data_version: str,
    compute: Callable[[], Payload],
) -> Payload:
    """A result worked out on the caller's connection the first time it is asked for and
    stored, then read (the report's word clouds: every preview, download and sign-off of a
    report would otherwise redact and draw them again). Older data versions' are removed."""
    key = result_key(kind, params, data_version)
    table: Table = AnalysisResult.__table__  # type: ignore[assignment]
    mine = table.c.consultation_id == consultation_id
    found = conn.scalar(select(table.c.payload).where(mine, table.c.key == key))
    if found is not None:
        return dict(found)
    payload = compute()
    conn.execute(
        delete(table).where(mine, table.c.kind == kind, table.c.data_version != data_version)
    )
    try:
        with conn.begin_nested():
            conn.execute(
                insert(AnalysisResult).values(
                    consultation_id=consultation_id, kind=kind, key=key,
                    data_version=data_version, payload=payload,
                )
            )  # fmt: skip
    except IntegrityError:
        pass  # worked out at the same moment by another request: the same payload
    return payload


async def again(
    db: AsyncSession, jobs: JobRunner, consultation_id: uuid.UUID, job_id: uuid.UUID
) -> uuid.UUID:
    """Queue a failed result's job again (a person asked to)."""
    row = await db.scalar(
        select(AnalysisResult).where(
            AnalysisResult.consultation_id == consultation_id, AnalysisResult.job_id == job_id
        )
    )
    old = await db.get(Job, job_id)
    if row is None or old is None or row.payload is not None:
        raise NotFound("There is no failed result to work out again")
    if old.active:
        return old.id
    job = jobs.enqueue(
        db, JOB_KIND, consultation_id=consultation_id, params=dict(old.params),
        requested_by=old.requested_by,
    )  # fmt: skip
    await db.flush([job])
    row.job_id = job.id
    return job.id


class ResultJobs:
    """The job handler: works out any kind of stored result from the responses' frame, which
    it keeps in the app's (or the SAQ worker's) bounded frame cache between jobs."""

    def __init__(self, frames: ResponseFrames, compute: Compute, kinds: Collection[str]) -> None:
        self.frames = frames
        self.compute = compute
        self.kinds = frozenset(kinds)

    def handlers(self) -> dict[str, JobHandler]:
        return {JOB_KIND: self.run}

    async def run(self, ctx: JobContext) -> None:
        key, kind = str(ctx.params.get("key", "")), str(ctx.params.get("kind", ""))
        if ctx.consultation_id is None or kind not in self.kinds:
            raise Invalid(f"There is no kind of workspace result named {kind[:40]!r}")
        async with ctx.session() as db:
            consultation = await db.get(Consultation, ctx.consultation_id)
            row = await _find(db, ctx.consultation_id, key)
            if consultation is None or row is None:
                raise NotFound("The consultation or the result is no longer there")
            if row.payload is not None:
                await ctx.report(100, "Already worked out")
                return
            fallback_types = list(consultation.respondent_types)
        await ctx.report(5, "Reading the responses")
        head, data = await self.frames.load_in_job(ctx.alchemy, ctx.consultation_id)
        if head.data_version != row.data_version:
            await self._forget(ctx, key)
            await ctx.report(100, "The responses changed since this was asked for; reload the page")
            return
        params = dict(ctx.params.get("params") or {})
        types = respondent_type_options(data.survey, fallback_types)
        selection = read_selection(
            data.survey, types, params.get("respondent_type"), params.get("answer")
        )
        if selection.errors:
            raise Invalid(next(iter(selection.errors.values())))
        await ctx.report(30, f"Working it out from {len(data.frame):,} responses")
        payload = await anyio.to_thread.run_sync(self.compute, kind, data, selection, params)
        await self._store(ctx, key, head.data_version, payload)
        await ctx.report(100, "Done")

    @staticmethod
    async def _store(ctx: JobContext, key: str, data_version: str, payload: Payload) -> None:
        assert ctx.consultation_id is not None
        mine = AnalysisResult.consultation_id == ctx.consultation_id
        async with ctx.session() as db:
            await db.execute(
                update(AnalysisResult)
                .where(mine, AnalysisResult.key == key)
                .values(payload=payload)
            )
            # Results of older data versions can never be asked for again.
            await db.execute(
                delete(AnalysisResult).where(mine, AnalysisResult.data_version != data_version)
            )
            await db.commit()

    @staticmethod
    async def _forget(ctx: JobContext, key: str) -> None:
        async with ctx.session() as db:
            await db.execute(
                delete(AnalysisResult).where(
                    AnalysisResult.consultation_id == ctx.consultation_id,
                    AnalysisResult.key == key,
                )
            )
            await db.commit()


def job_view(job: Job) -> dict[str, Any]:
    """A job's progress as the status route and the page show it (never answer text)."""
    return {
        "id": str(job.id),
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
    }
