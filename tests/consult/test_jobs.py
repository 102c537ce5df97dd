"""Background jobs on a real database: a job runs once however many workers reach for it,
failures are recorded with a message fit for a page, jobs a stopped worker left are run again,
and with Redis the SAQ worker runs what the app dispatches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from consult.db import build_alchemy_config, build_engine
from consult.errors import Invalid
from consult.jobs import Job, JobContext, JobRunner, JobStatus
from consult.settings import Settings
from tests.conftest import service_reachable, skip_or_fail

RAN: list[uuid.UUID] = []


async def count(ctx: JobContext) -> None:
    await asyncio.sleep(0.05)
    RAN.append(ctx.job_id)
    await ctx.report(50, "halfway")
    await ctx.save_result({"seen": ctx.params["n"]})


async def refuse(_: JobContext) -> None:
    raise Invalid("That question has no answers yet")


async def crash(_: JobContext) -> None:
    raise RuntimeError("secret answer text must not reach the page")


async def stubborn(_: JobContext) -> None:
    """Like a job in a worker thread: cancelling it does not stop it before its work is done
    (two seconds here)."""
    STARTED.set()
    done = asyncio.get_running_loop().time() + 2
    while asyncio.get_running_loop().time() < done:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            continue


STARTED = asyncio.Event()  # replaced in each test: an Event belongs to one event loop
HANDLERS = {"count": count, "refuse": refuse, "crash": crash, "stubborn": stubborn}


@pytest.fixture
async def alchemy(settings: Settings) -> AsyncIterator[Any]:
    engine = build_engine(settings, for_migrations=True)
    config = build_alchemy_config(settings, engine)
    RAN.clear()
    yield config
    await engine.dispose()


async def queued(alchemy: Any, runner: JobRunner, kind: str, **params: Any) -> uuid.UUID:
    async with alchemy.get_session() as db:
        job = runner.enqueue(db, kind, params=params)
        await db.commit()
        return job.id


async def job(alchemy: Any, job_id: uuid.UUID) -> Job:
    async with alchemy.get_session() as db:
        found = await db.get(Job, job_id)
        assert found is not None
        return found


async def test_a_job_runs_once_when_two_workers_reach_for_it(alchemy: Any) -> None:
    one, two = JobRunner(alchemy, HANDLERS), JobRunner(alchemy, HANDLERS)
    job_id = await queued(alchemy, one, "count", n=3)
    results = await asyncio.gather(one.run(job_id), two.run(job_id))
    assert sorted(results) == [False, True]
    assert [job_id] == RAN
    done = await job(alchemy, job_id)
    assert done.status == JobStatus.DONE and done.progress == 100
    assert done.result == {"seen": 3} and done.message == "halfway" and done.attempts == 1


async def test_failures_are_recorded_with_a_message_and_no_internals(alchemy: Any) -> None:
    runner = JobRunner(alchemy, HANDLERS)
    refused = await queued(alchemy, runner, "refuse")
    crashed = await queued(alchemy, runner, "crash")
    assert await runner.run_queued() == 2
    assert (await job(alchemy, refused)).message == "That question has no answers yet"
    failed = await job(alchemy, crashed)
    assert failed.status == JobStatus.FAILED
    assert "secret" not in failed.message and "server log" in failed.message


async def test_an_unknown_kind_cannot_be_queued(alchemy: Any) -> None:
    runner = JobRunner(alchemy, HANDLERS)
    async with alchemy.get_session() as db:
        with pytest.raises(ValueError, match="no job handler"):
            runner.enqueue(db, "nope")


async def test_a_job_left_running_by_a_stopped_worker_runs_again_at_start(alchemy: Any) -> None:
    runner = JobRunner(alchemy, HANDLERS, poll_seconds=0.05)
    job_id = await queued(alchemy, runner, "count", n=1)
    fresh = await queued(alchemy, runner, "count", n=2)
    async with alchemy.get_session() as db:
        stale = datetime.now(UTC) - timedelta(minutes=5)
        await db.execute(
            update(Job).where(Job.id == job_id).values(status="running", updated_at=stale)
        )
        await db.execute(update(Job).where(Job.id == fresh).values(status="running"))
        await db.commit()
    await runner.start()
    try:
        for _ in range(100):
            if (await job(alchemy, job_id)).status == JobStatus.DONE:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.stop()
    assert (await job(alchemy, job_id)).attempts == 1
    assert [job_id] == RAN, "a running job with a live heartbeat is left to its worker"
    assert (await job(alchemy, fresh)).status == JobStatus.RUNNING


async def test_with_redis_the_saq_worker_runs_what_the_app_dispatches(
    alchemy: Any, settings: Settings
) -> None:
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    from consult.jobs.worker import build_worker

    url = f"redis://127.0.0.1:6379/14?test={uuid.uuid4().hex[:6]}"
    runner = JobRunner(alchemy, HANDLERS, redis_url=url.split("?")[0])
    job_id = await queued(alchemy, runner, "count", n=5)
    await runner.dispatch_now(job_id)
    worker = build_worker(JobRunner(alchemy, HANDLERS, redis_url=url.split("?")[0]))
    task = asyncio.create_task(worker.start())
    try:
        for _ in range(200):
            if (await job(alchemy, job_id)).status == JobStatus.DONE:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        task.cancel()
        await runner.stop()
    assert (await job(alchemy, job_id)).status == JobStatus.DONE and [job_id] == RAN


async def test_stopping_does_not_wait_for_ever_on_a_job_that_ignores_cancellation(
    alchemy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    global STARTED
    monkeypatch.setattr("consult.jobs.runner.STOP_SECONDS", 0.5)
    STARTED = asyncio.Event()
    runner = JobRunner(alchemy, HANDLERS, poll_seconds=0.05)
    job_id = await queued(alchemy, runner, "stubborn")
    await runner.start()
    await asyncio.wait_for(STARTED.wait(), 10)
    await asyncio.wait_for(runner.stop(), 5)  # returns, the job left running
    assert (await job(alchemy, job_id)).status == JobStatus.RUNNING
