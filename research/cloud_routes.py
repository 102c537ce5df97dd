"""The word-cloud page (one or two text questions side by side, overall and per group, each
cloud with its frequency table) and its downloads. Viewing clouds is audited: they are drawn
from respondents' free text."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pandas as pd
from litestar import Controller, Request, get
from litestar.background_tasks import BackgroundTasks
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.errors import Invalid
from consult.jobs import JobRunner
from research import clouds as c
from research.breakdown_routes import _groups
from research.breakdowns import GroupQuestion
from research.computed import Outcome
from research.frames import response_data
from research.kinds import CLOUD, worked_out
from research.tables import csv_text
from research.workspace import BASE, DOWNLOAD_TYPES, GUARD, Workspace, download, open_workspace
from surveys.definition import QuestionType

if TYPE_CHECKING:
    from analysis.wordclouds import WordCloudResult

MAX_QUESTIONS = 2
MAX_MIN_RESPONDENTS = 1000


def _read(
    workspace: Workspace, question: list[str], group: str, min_respondents: str
) -> tuple[list[QuestionType], GroupQuestion | None, int]:
    errors = workspace.selection.errors
    offered = {q.key: q for q in c.text_questions(workspace.survey)}
    chosen = []
    for key in [k for k in question if k][:MAX_QUESTIONS]:
        if key[:100] in offered:
            chosen.append(offered[key[:100]])
        else:
            errors["question"] = f"'{key[:60]}' is not a text question of this survey"
    groups = {g.key: g for g in _groups(workspace)}
    found = groups.get(group[:100]) if group else None
    if group and found is None:
        errors["group"] = f"'{group[:60]}' is not a group question of this survey"
    threshold = c.DEFAULT_MIN_RESPONDENTS
    if min_respondents.strip():
        raw = min_respondents.strip()[:20]
        if not raw.isdigit() or not c.DEFAULT_MIN_RESPONDENTS <= int(raw) <= MAX_MIN_RESPONDENTS:
            errors["min_respondents"] = (
                f"The minimum number of respondents per word must be a whole number from "
                f"{c.DEFAULT_MIN_RESPONDENTS} to {MAX_MIN_RESPONDENTS}"
            )
        else:
            threshold = int(raw)
    return chosen, found, threshold


async def _clouds(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    jobs: JobRunner,
    workspace: Workspace,
    question: QuestionType,
    group: GroupQuestion | None,
    threshold: int,
) -> Outcome:
    params = {"question": question.key, "group": group.key if group else "", "threshold": threshold}
    return await worked_out(request, db, jobs, workspace, CLOUD, params)


class CloudController(Controller):
    path = BASE + "/clouds"
    include_in_schema = False
    guards = GUARD

    @get("/", name="analysis_clouds")
    async def clouds_page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        question: list[str] | None = None,
        group: str = "",
        min_respondents: str = "",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Template:
        workspace = await open_workspace(
            request, db_session, consultation_id, respondent_type, answer
        )
        chosen, found, threshold = _read(workspace, question or [], group, min_respondents)
        text_options = [(q.key, q.title) for q in c.text_questions(workspace.survey)]
        context = workspace.context(
            "clouds",
            text_options=text_options,
            group_options=[(g.key, g.title) for g in _groups(workspace)],
            chosen_questions=[q.key for q in chosen] + [""] * (MAX_QUESTIONS - len(chosen)),
            chosen_group=group,
            threshold=threshold,
            rows=[],
            outcome=None,
        )
        if workspace.selection.errors:
            return Template("research/clouds.html", context=context, status_code=400)
        outcomes = [
            await _clouds(request, db_session, jobs, workspace, q, found, threshold) for q in chosen
        ]
        # The first cloud still being drawn shows its progress; the clouds show once all are.
        context["outcome"] = next((o for o in outcomes if o.payload is None), None)
        started = [o.started for o in outcomes if o.started]
        background = BackgroundTasks([jobs.dispatch(job) for job in started]) if started else None
        if chosen and context["outcome"] is None:
            drawn = {q.key: o.payload or {} for q, o in zip(chosen, outcomes, strict=True)}
            labels = [c.ALL, *sorted({g for d in drawn.values() for g in d} - {c.ALL})]
            context["rows"] = [
                (
                    label,
                    [
                        c.panel(label, q, drawn[q.key][label]) if label in drawn[q.key] else None
                        for q in chosen
                    ],
                    _query(
                        workspace,
                        group=found.key if found else "",
                        value=label,
                        threshold=threshold,
                    ),
                )
                for label in labels
            ]
            audit.record(
                db_session,
                "analysis_word_cloud_viewed",
                actor=request.user,
                object_type="consultation",
                object_id=consultation_id,
                detail={
                    "questions": [q.key for q in chosen],
                    "group": found.key if found else None,
                    "filters": [v for _, v in workspace.selection.params()],
                },
            )
        return Template("research/clouds.html", context=context, background=background)

    @get("/download", name="analysis_cloud_download")
    async def cloud_download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        question: str = "",
        group: str = "",
        value: str = c.ALL,
        format: str = "png",
        min_respondents: str = "",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Response[bytes]:
        workspace = await open_workspace(
            request, db_session, consultation_id, respondent_type, answer
        )
        chosen, found, threshold = _read(workspace, [question], group, min_respondents)
        if workspace.selection.errors:
            raise Invalid(next(iter(workspace.selection.errors.values())))
        if not chosen:
            raise Invalid("Choose a text question to download its word cloud")
        if format not in DOWNLOAD_TYPES:
            raise Invalid("Choose a download format: csv, svg or png")
        k = workspace.consultation.disclosure_k
        responses = await response_data(request, db_session, consultation_id)
        frame = workspace.selection.apply(responses.frame, c.columns_for(chosen[0], found))
        data = c.respondent_texts(frame, workspace.survey, chosen[0], found)
        if value != c.ALL:
            if found is None:
                raise Invalid("Choose the group question the group belongs to")
            data = data[data[c.GROUP] == value]
        if len(data) < k:
            raise Invalid(
                f"Fewer than {k} respondents answered in this group, so its word cloud cannot "
                "be downloaded (the workspace's threshold for anything that leaves it)"
            )
        # Words leave the workspace only when at least k respondents used them.
        result = c.draw(data, False, max(threshold, k))[c.ALL]
        content = _content(result, format, chosen[0], value)
        return download(
            request, db_session, workspace, what=f"wordcloud-{chosen[0].key}-{value}",
            format=format, content=content, detail={"group": group or None},
        )  # fmt: skip


def _content(
    result: WordCloudResult, format: str, question: QuestionType, value: str
) -> bytes | str:
    if format == "png":
        return result.png
    if format == "svg":
        return result.svg
    frame = result.frequencies.set_index("word")
    frame["share"] = (frame["share"] * 100).round(1)
    frame.columns = pd.Index(["Respondents", "% of respondents"])
    title = f"{question.title} ({value}): words by respondents using them"
    return csv_text([(title, frame)], [*result.notes, f"respondents: {result.respondents}"])


def _query(workspace: Workspace, *, group: str, value: str, threshold: int) -> str:
    params = [("group", group), ("value", value), ("min_respondents", str(threshold))]
    return urlencode([*params, *workspace.selection.params()])
