"""The "suggest new themes" page: run the search, read its stored result, and turn a phrase or
a group into a codebook theme with one action (the form posts to the codebook)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.service import consultation_or_404
from consult.jobs import JobRunner
from research.coding.discovery import JOB_KIND
from research.coding.pages import BASE, CODE, base_url
from research.coding.progress import latest_job
from research.coding.texts import text_question


class DiscoveryPages(Controller):
    path = BASE
    include_in_schema = False
    guards = CODE

    @get("/{key:str}/new-themes")
    async def show(
        self, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        question = await text_question(db_session, consultation, key)
        job = await latest_job(db_session, consultation_id, JOB_KIND, key)
        return Template(
            "research/coding/new_themes.html",
            context={
                "consultation": consultation,
                "question": question,
                "job": job,
                "result": job.result if job is not None and job.status == "done" else None,
                "base": base_url(consultation_id),
            },
        )

    @post("/{key:str}/new-themes")
    async def run(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        jobs: JobRunner,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        current = await latest_job(db_session, consultation_id, JOB_KIND, key)
        url = f"{base_url(consultation_id)}/{key}/new-themes"
        if current is not None and current.active:
            return Redirect(url, status_code=303)
        job = jobs.enqueue(
            db_session,
            JOB_KIND,
            consultation_id=consultation_id,
            params={"question_key": key},
            requested_by=request.user.id,
        )
        await db_session.flush()
        return Redirect(url, status_code=303, background=jobs.dispatch(job.id))
