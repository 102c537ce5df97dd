"""The workspace's overview (its landing page, with the navigation) and per-question results,
with their suppressed downloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Invalid, NotFound
from consult.jobs import JobRunner
from research import overview
from research.charts import percent_bars, renderer_of
from research.computed import Outcome
from research.filters import respondent_type_options
from research.kinds import OVERVIEW, QUESTION, worked_out
from research.results import counts_of, question_result, question_tables
from research.tables import csv_text, tidy
from research.workspace import BASE, DOWNLOAD_TYPES, GUARD, Workspace, download, open_workspace
from surveys.definition import QuestionType


def _question(workspace: Workspace, key: str) -> QuestionType:
    try:
        return workspace.survey.question(key)
    except KeyError:
        raise NotFound(f"There is no question '{key[:60]}' in this survey") from None


def not_ready(outcome: Outcome, what: str) -> Invalid:
    """A download asked for before its background job has stored the result."""
    if outcome.failed and outcome.job is not None:
        return Invalid(f"Working out the {what} failed: {outcome.job.message}")
    return Invalid(
        f"The {what} is not worked out yet (a background job does that on large "
        "consultations): open its page, and download once the page shows it"
    )


class ResultsController(Controller):
    path = BASE
    include_in_schema = False
    guards = GUARD

    @get("/", name="analysis_overview")
    async def overview_page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
    ) -> Template:
        workspace = await open_workspace(request, db_session, consultation_id)
        progress = await db_session.run_sync(
            lambda s: overview.read_progress(s.connection(), consultation_id, datetime.now(UTC))
        )
        outcome = await worked_out(request, db_session, jobs, workspace, OVERVIEW, {})
        survey, submitted = workspace.survey, workspace.header.responses
        renderer = renderer_of(request)
        completion, completion_data = overview.completion(survey, progress, submitted)
        context = workspace.context(
            "overview",
            outcome=outcome,
            counts={
                "submitted": submitted,
                "drafts": sum(progress.drafts_by_page.values()),
                "withdrawn": len(progress.withdrawals),
            },
            completion_table=completion,
            completion_figure=overview.completion_figure(renderer, completion_data),
            # Listed at once (they lead to the question pages); counts once worked out.
            questions=[(q, None, None) for q in survey.questions() if not q.records_consent],
            status_table=None,
        )
        if outcome.payload is not None:
            labels = {
                o.value: o.label
                for o in respondent_type_options(survey, workspace.consultation.respondent_types)
            }
            statuses, types = overview.weekly_from(outcome.payload["submitted"], progress, labels)
            by_key = {key: (answered, base) for key, answered, base in outcome.payload["questions"]}
            context |= {
                "status_table": overview.weekly_table(
                    "Responses by status, week by week", statuses
                ),
                "status_figure": overview.weekly_figure(
                    renderer, statuses, "Responses by status, week by week", "Status"
                ),
                "type_table": overview.weekly_table(
                    "Submitted responses by respondent type, week by week", types
                ),
                "type_figure": overview.weekly_figure(
                    renderer, types, "Submitted responses by respondent type", "Respondent type"
                ),
                "questions": [(q, *by_key[q.key]) for q in survey.questions() if q.key in by_key],
            }
        return Template(
            "research/overview.html",
            context=context,
            background=jobs.dispatch(outcome.started) if outcome.started else None,
        )

    @get("/questions/{key:str}", name="analysis_question")
    async def question_page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        jobs: JobRunner,
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Template:
        workspace = await open_workspace(
            request, db_session, consultation_id, respondent_type, answer
        )
        question = _question(workspace, key)
        if workspace.selection.errors:
            return Template(
                "research/question.html",
                context=workspace.context("questions", question=question, result=None),
                status_code=400,
            )
        outcome = await worked_out(
            request, db_session, jobs, workspace, QUESTION, {"question": question.key}
        )
        payload, result = outcome.payload, None
        if payload is not None:
            result = question_result(payload, workspace.survey, question, renderer_of(request))
        return Template(
            "research/question.html",
            context=workspace.context(
                "questions",
                question=question,
                result=result,
                outcome=outcome,
                selected=payload["selected"] if payload else None,
            ),
            background=jobs.dispatch(outcome.started) if outcome.started else None,
        )

    @get("/questions/{key:str}/download", name="analysis_question_download")
    async def question_download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        jobs: JobRunner,
        format: str = "csv",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Response[bytes]:
        workspace = await open_workspace(
            request, db_session, consultation_id, respondent_type, answer
        )
        question = _question(workspace, key)
        if workspace.selection.errors:
            raise Invalid(next(iter(workspace.selection.errors.values())))
        if format not in DOWNLOAD_TYPES:
            raise Invalid("Choose a download format: csv, svg or png")
        outcome = await worked_out(
            request, db_session, jobs, workspace, QUESTION, {"question": question.key}
        )
        if outcome.payload is None:
            raise not_ready(outcome, "question's results")
        found = counts_of(outcome.payload)
        if found is None:
            raise Invalid(f"'{question.title}' has no table of counts to download")
        k = workspace.consultation.disclosure_k
        _, table, pct, nets = question_tables(question, found, k)
        if format == "csv":
            sections = [("Number", table.counts), ("% of those answering", pct)]
            if nets is not None:
                sections.append(("Net good and net poor", nets))
            notes = [*table.notes(), *[f"filter: {d}" for d in workspace.selection.describe()]]
            content: bytes | str = csv_text(sections, notes)
        else:
            renderer, data = renderer_of(request), tidy(table, pct)
            chart = (question.title, found.stacked)
            if format == "svg":
                content = renderer.svg_of(percent_bars, data, *chart)
            else:
                content = renderer.png_of(percent_bars, data, *chart)
        return download(
            request,
            db_session,
            workspace,
            what=f"question-{question.key}",
            format=format,
            content=content,
        )
