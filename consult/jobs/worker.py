"""`python -m consult worker`: run background jobs from Redis with SAQ, on any number of
machines. The job rows stay the source of truth: SAQ only carries "run job N" messages, and
`JobRunner.run` claims the row, so a message delivered twice runs the job once."""

from __future__ import annotations

import uuid
from typing import Any

from saq import Queue, Worker

from consult.jobs.runner import SAQ_QUEUE, JobRunner


def build_worker(runner: JobRunner, concurrency: int = 1) -> Worker[Any]:
    if not runner.redis_url:
        raise ValueError("the SAQ worker needs CONSULT_REDIS_URL")
    queue = Queue.from_url(runner.redis_url, name=SAQ_QUEUE)

    async def run_job(_: Any, *, job_id: str) -> None:
        await runner.run(uuid.UUID(job_id))

    async def startup(_: Any) -> None:
        # Jobs a stopped worker left, or queued while no worker ran, are dispatched again.
        await runner.requeue_stale()

    return Worker(
        queue,
        functions=[("run_job", run_job)],
        concurrency=concurrency,
        startup=startup,
    )
