"""A workspace result's background job: its progress for the page's script, and "try again"
after a failure."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from consult.jobs import Job, JobRunner
from research.computed import JOB_KIND, again, job_view
from research.workspace import BASE, GUARD


async def result_job(db: AsyncSession, consultation_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    job = await db.get(Job, job_id)
    if job is None or job.consultation_id != consultation_id or job.kind != JOB_KIND:
        raise NotFound("There is no such job in this consultation's workspace")
    return job


class ResultJobPages(Controller):
    path = BASE + "/jobs"
    include_in_schema = False
    guards = GUARD

    @get("/{job_id:uuid}", name="analysis_job_status", media_type="application/json")
    async def status(
        self, consultation_id: uuid.UUID, job_id: uuid.UUID, db_session: AsyncSession
    ) -> dict[str, Any]:
        return job_view(await result_job(db_session, consultation_id, job_id))

    @post("/{job_id:uuid}/again", name="analysis_job_again")
    async def try_again(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        job_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        form: FormMultiDict,
    ) -> Redirect:
        await result_job(db_session, consultation_id, job_id)
        queued = await again(db_session, jobs, consultation_id, job_id)
        workspace = f"/staff/consultations/{consultation_id}/analysis"
        back = str(form.get("back") or "")
        # Only back into this workspace: the field comes from the page, but is still input.
        if not back.startswith(workspace + "/") or "//" in back or "\\" in back:
            back = workspace + "/"
        return Redirect(back, status_code=303, background=jobs.dispatch(queued))
