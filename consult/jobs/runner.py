"""Running background jobs: enqueue in the caller's transaction, dispatch after commit, claim
atomically, report progress, and queue again what a stopped worker left unfinished."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.background_tasks import BackgroundTask
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import ConsultError
from consult.jobs.models import Job, JobStatus

log = logging.getLogger("consult.jobs")

SAQ_QUEUE = "consult-jobs"
HEARTBEAT_SECONDS = 10.0
# A running job whose heartbeat is older than this was left by a worker that stopped.
STALE_AFTER = timedelta(seconds=60)
# How long shutdown waits for a running in-process job. A job in a worker thread cannot be
# interrupted (and anyio's thread calls absorb the cancellation), so after this the job is
# left: its heartbeat stops and the next start re-queues it.
STOP_SECONDS = 10.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class JobContext:
    """What a job handler gets: its parameters, the database, and a way to report progress."""

    job_id: uuid.UUID
    kind: str
    consultation_id: uuid.UUID | None
    params: dict[str, Any]
    requested_by: uuid.UUID | None
    alchemy: SQLAlchemyAsyncConfig

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of the job's own; commit what you write."""
        async with self.alchemy.get_session() as db:
            yield db

    async def save_result(self, result: dict[str, Any]) -> None:
        async with self.session() as db:
            await db.execute(update(Job).where(Job.id == self.job_id).values(result=result))
            await db.commit()

    async def report(self, progress: int, message: str) -> None:
        async with self.session() as db:
            await db.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(
                    progress=max(0, min(100, progress)), message=message[:300], updated_at=_now()
                )
            )
            await db.commit()


JobHandler = Callable[[JobContext], Awaitable[None]]


class JobRunner:
    """Owns the job handlers of the app and runs jobs in-process or through SAQ on Redis."""

    def __init__(
        self,
        alchemy: SQLAlchemyAsyncConfig,
        handlers: Mapping[str, JobHandler],
        *,
        redis_url: str = "",
        poll_seconds: float = 1.0,
    ) -> None:
        self.alchemy = alchemy
        self.handlers = dict(handlers)
        self.redis_url = redis_url
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._queue: Any = None

    # --- asking for work --------------------------------------------------------------------
    def enqueue(
        self,
        db: AsyncSession,
        kind: str,
        *,
        consultation_id: uuid.UUID | None = None,
        params: dict[str, Any] | None = None,
        requested_by: uuid.UUID | None = None,
    ) -> Job:
        """Add a queued job to the caller's transaction; dispatch it once that commits."""
        if kind not in self.handlers:
            raise ValueError(f"no job handler named {kind!r}")
        job = Job(
            id=uuid.uuid4(),
            kind=kind,
            consultation_id=consultation_id,
            params=params or {},
            status=JobStatus.QUEUED,
            requested_by=requested_by,
        )
        db.add(job)
        return job

    def dispatch(self, job_id: uuid.UUID) -> BackgroundTask:
        """A task for the response: it runs after the response is sent, so after the commit."""
        return BackgroundTask(self.dispatch_now, job_id)

    async def dispatch_now(self, job_id: uuid.UUID) -> None:
        if self.redis_url:
            queue = await self._saq_queue()
            await queue.enqueue("run_job", job_id=str(job_id), key=str(job_id))
        else:
            self._wake.set()

    async def _saq_queue(self) -> Any:
        if self._queue is None:
            from saq import Queue

            self._queue = Queue.from_url(self.redis_url, name=SAQ_QUEUE)
            await self._queue.connect()
        return self._queue

    # --- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """App start-up: queue again what a stopped worker left, and (without Redis) poll."""
        await self.requeue_stale()
        if not self.redis_url:
            self._task = asyncio.create_task(self._poll(), name="consult-jobs")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=STOP_SECONDS)
            if not done:
                log.warning(
                    "job poller still busy after %.0f s; left to be re-queued", STOP_SECONDS
                )
            self._task = None
        if self._queue is not None:
            await self._queue.disconnect()
            self._queue = None

    async def requeue_stale(self) -> list[uuid.UUID]:
        """Running jobs without a recent heartbeat go back to the queue (handlers are
        idempotent: they replace what they write)."""
        async with self.alchemy.get_session() as db:
            rows = await db.execute(
                update(Job)
                .where(Job.status == JobStatus.RUNNING, Job.updated_at < _now() - STALE_AFTER)
                .values(status=JobStatus.QUEUED, updated_at=_now())
                .returning(Job.id)
            )
            ids = list(rows.scalars())
            queued = await db.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED))
            pending = list(queued)
            await db.commit()
        if ids:
            log.warning("re-queued %d job(s) left running by a stopped worker", len(ids))
        if self.redis_url:
            for job_id in pending:
                await self.dispatch_now(job_id)
        return ids

    async def _poll(self) -> None:
        while not self._stopping:
            try:
                await self.run_queued()
            except Exception as exc:  # a database outage must not end the poller for good
                log.warning("job poller: %s; trying again", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def run_queued(self) -> int:
        """Run every queued job, oldest first; returns how many ran here."""
        ran = 0
        while not self._stopping:
            async with self.alchemy.get_session() as db:
                job_id = await db.scalar(
                    select(Job.id)
                    .where(Job.status == JobStatus.QUEUED)
                    .order_by(Job.created_at)
                    .limit(1)
                )
            if job_id is None or not await self.run(job_id):
                return ran
            ran += 1
        return ran

    # --- running one job --------------------------------------------------------------------
    async def _claim(self, job_id: uuid.UUID) -> Job | None:
        async with self.alchemy.get_session() as db:
            claimed = await db.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                .values(
                    status=JobStatus.RUNNING,
                    attempts=Job.attempts + 1,
                    started_at=_now(),
                    updated_at=_now(),
                    progress=0,
                )
                .returning(Job.id)
            )
            if claimed.scalar() is None:
                await db.rollback()
                return None
            await db.commit()
            return await db.get(Job, job_id)

    async def _finish(self, job_id: uuid.UUID, status: JobStatus, message: str) -> None:
        """Mark a job done or failed; an empty message keeps the handler's last report."""
        async with self.alchemy.get_session() as db:
            values: dict[str, Any] = {"status": status, "finished_at": _now(), "updated_at": _now()}
            if message:
                values["message"] = message[:300]
            if status == JobStatus.DONE:
                values["progress"] = 100
            await db.execute(update(Job).where(Job.id == job_id).values(**values))
            await db.commit()

    async def _heartbeat(self, job_id: uuid.UUID) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                async with self.alchemy.get_session() as db:
                    await db.execute(update(Job).where(Job.id == job_id).values(updated_at=_now()))
                    await db.commit()
            except SQLAlchemyError as exc:
                # A busy database (the job's own write holding SQLite's lock) skips a beat;
                # the job is only taken for stopped after STALE_AFTER without any.
                log.warning("job %s: heartbeat skipped (%s)", job_id, type(exc).__name__)

    async def run(self, job_id: uuid.UUID) -> bool:
        """Claim and run one job; False when another worker has it or it is not queued."""
        job = await self._claim(job_id)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        context = JobContext(
            job_id=job.id,
            kind=job.kind,
            consultation_id=job.consultation_id,
            params=dict(job.params),
            requested_by=job.requested_by,
            alchemy=self.alchemy,
        )
        heartbeat = asyncio.create_task(self._heartbeat(job.id))
        try:
            if handler is None:
                raise ConsultError(f"this app has no handler for {job.kind!r} jobs")
            await handler(context)
        except ConsultError as exc:
            # Handlers raise the error tree with a message fit for the page.
            await self._finish(job.id, JobStatus.FAILED, str(exc))
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await self._finish(
                job.id, JobStatus.FAILED, "The job failed; the server log has details."
            )
        else:
            await self._finish(job.id, JobStatus.DONE, "")
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return True
