"""Breakdown pages: a rating by a group, and cross-tabs of two groups, each with a chart, its
table, a chi-square test, and downloads suppressed at the consultation's ``k``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.errors import AnalysisError
from consult.errors import Invalid
from consult.jobs import JobRunner
from research import breakdowns as b
from research.charts import ChartRenderer, Figure, percent_bars, renderer_of
from research.computed import Outcome
from research.filters import respondent_type_options
from research.kinds import BREAKDOWN, CROSSTAB, worked_out
from research.results import frame_from_json
from research.results_routes import not_ready
from research.tables import RAW, csv_text
from research.workspace import BASE, DOWNLOAD_TYPES, GUARD, Workspace, download, open_workspace

if TYPE_CHECKING:
    from analysis.breakdown import Breakdown

Choice = dict[str, str]


@dataclass
class Chosen:
    target: b.RatingTarget | None = None
    rows: b.GroupQuestion | None = None
    columns: b.GroupQuestion | None = None


def _groups(workspace: Workspace) -> list[b.GroupQuestion]:
    types = respondent_type_options(workspace.survey, workspace.consultation.respondent_types)
    return b.group_questions(workspace.survey, types)


def _pick(options: dict[str, Any], raw: str, field: str, what: str, errors: Choice) -> Any:
    if not raw:
        return None
    found = options.get(raw[:200])
    if found is None:
        errors[field] = f"'{raw[:60]}' is not {what} of this survey"
    return found


def _figure(renderer: ChartRenderer, breakdown: Breakdown, title: str) -> Figure | None:
    data = b.chart_data(breakdown)
    if data.empty:
        return None
    return renderer.figure(
        percent_bars, data, title, True, title=title,
        alt="Stacked bar chart of row percentages for each group; the figures are in the table "
        "below.",
    )  # fmt: skip


def _run(compute: Any) -> Breakdown:
    try:
        return compute()  # type: ignore[no-any-return]
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc


class BreakdownController(Controller):
    path = BASE
    include_in_schema = False
    guards = GUARD

    async def _open(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        consultation_id: uuid.UUID,
        respondent_type: list[str] | None,
        answer: list[str] | None,
        picks: dict[str, str],
    ) -> tuple[Workspace, Chosen]:
        workspace = await open_workspace(request, db, consultation_id, respondent_type, answer)
        groups = {group.key: group for group in _groups(workspace)}
        targets = {t.token: t for t in b.rating_targets(workspace.survey)}
        errors = workspace.selection.errors
        chosen = Chosen(
            _pick(targets, picks.get("rating", ""), "rating", "a rating question", errors),
            _pick(groups, picks.get("rows", ""), "rows", "a group question", errors),
            _pick(groups, picks.get("columns", ""), "columns", "a group question", errors),
        )
        return workspace, chosen

    @get("/breakdowns", name="analysis_breakdowns")
    async def breakdown_page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        rating: str = "",
        group: str = "",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Template:
        workspace, chosen = await self._open(
            request, db_session, consultation_id, respondent_type, answer,
            {"rating": rating, "rows": group},
        )  # fmt: skip
        context = workspace.context(
            "breakdowns",
            rating_options=[(t.token, t.title) for t in b.rating_targets(workspace.survey)],
            group_options=[(g.key, g.title) for g in _groups(workspace)],
            chosen_rating=rating,
            chosen_group=group,
            result=None,
            outcome=None,
        )
        if workspace.selection.errors:
            return Template("research/breakdown.html", context=context, status_code=400)
        outcome = None
        if chosen.target and chosen.rows:
            outcome = await _rating_counts(request, db_session, jobs, workspace, chosen)
            context["outcome"] = outcome
        if chosen.target and chosen.rows and outcome and outcome.payload is not None:
            target, rows, payload = chosen.target, chosen.rows, outcome.payload
            found = _run(lambda: b.rating_by_group(b.rating_counts_of(payload), RAW))
            title = f"{target.title} by {rows.title.lower()}"
            context["result"] = {
                "title": title,
                "table": b.breakdown_table(f"{title}: number (row %)", found, rows.title),
                "net": b.net_table(f"{title}: net good and net poor", found, rows.title),
                "figure": _figure(renderer_of(request), found, title),
                "notes": [found.base, *found.notes, *([found.test.note] if found.test else [])],
                "query": _query(workspace, rating=target.token, group=rows.key),
            }
        return Template(
            "research/breakdown.html",
            context=context,
            background=_dispatch(jobs, outcome),
        )

    @get("/breakdowns/download", name="analysis_breakdown_download")
    async def breakdown_download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        rating: str = "",
        group: str = "",
        format: str = "csv",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Response[bytes]:
        workspace, chosen = await self._open(
            request, db_session, consultation_id, respondent_type, answer,
            {"rating": rating, "rows": group},
        )  # fmt: skip
        _check(workspace, format)
        if not (chosen.target and chosen.rows):
            raise Invalid("Choose a rating and a group to download a breakdown")
        target, rows = chosen.target, chosen.rows
        outcome = await _rating_counts(request, db_session, jobs, workspace, chosen)
        payload = outcome.payload
        if payload is None:
            raise not_ready(outcome, "breakdown")
        k = workspace.consultation.disclosure_k
        found = _run(lambda: b.rating_by_group(b.rating_counts_of(payload), k))
        title = f"{target.title} by {rows.title.lower()}"
        content = _content(request, workspace, found, title, format)
        return download(
            request, db_session, workspace, what=f"breakdown-{target.token}-by-{rows.key}",
            format=format, content=content,
        )  # fmt: skip

    @get("/crosstab", name="analysis_crosstab")
    async def crosstab_page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        rows: str = "",
        columns: str = "",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Template:
        workspace, chosen = await self._open(
            request, db_session, consultation_id, respondent_type, answer,
            {"rows": rows, "columns": columns},
        )  # fmt: skip
        context = workspace.context(
            "crosstab", group_options=[(g.key, g.title) for g in _groups(workspace)],
            chosen_rows=rows, chosen_columns=columns, result=None, outcome=None,
        )  # fmt: skip
        if workspace.selection.errors:
            return Template("research/crosstab.html", context=context, status_code=400)
        outcome = None
        if chosen.rows and chosen.columns:
            outcome = await _cross_counts(request, db_session, jobs, workspace, chosen)
            context["outcome"] = outcome
        if chosen.rows and chosen.columns and outcome and outcome.payload is not None:
            first, second, payload = chosen.rows, chosen.columns, outcome.payload
            found = _run(lambda: b.groups_crossed(frame_from_json(payload["counts"]), RAW))
            title = f"{first.title} by {second.title.lower()}"
            context["result"] = {
                "title": title,
                "table": b.breakdown_table(f"{title}: number (row %)", found, first.title),
                "figure": _figure(renderer_of(request), found, title),
                "notes": [found.base, *([found.test.note] if found.test else [])],
                "query": _query(workspace, rows=first.key, columns=second.key),
            }
        return Template(
            "research/crosstab.html",
            context=context,
            background=_dispatch(jobs, outcome),
        )

    @get("/crosstab/download", name="analysis_crosstab_download")
    async def crosstab_download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        jobs: JobRunner,
        rows: str = "",
        columns: str = "",
        format: str = "csv",
        respondent_type: list[str] | None = None,
        answer: list[str] | None = None,
    ) -> Response[bytes]:
        workspace, chosen = await self._open(
            request, db_session, consultation_id, respondent_type, answer,
            {"rows": rows, "columns": columns},
        )  # fmt: skip
        _check(workspace, format)
        if not (chosen.rows and chosen.columns):
            raise Invalid("Choose two group questions to download a cross-tab")
        first, second = chosen.rows, chosen.columns
        outcome = await _cross_counts(request, db_session, jobs, workspace, chosen)
        payload = outcome.payload
        if payload is None:
            raise not_ready(outcome, "cross-tab")
        k = workspace.consultation.disclosure_k
        found = _run(lambda: b.groups_crossed(frame_from_json(payload["counts"]), k))
        title = f"{first.title} by {second.title.lower()}"
        content = _content(request, workspace, found, title, format)
        return download(
            request, db_session, workspace, what=f"crosstab-{first.key}-by-{second.key}",
            format=format, content=content,
        )  # fmt: skip


def _dispatch(jobs: JobRunner, outcome: Outcome | None) -> Any:
    return jobs.dispatch(outcome.started) if outcome and outcome.started else None


async def _rating_counts(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    jobs: JobRunner,
    workspace: Workspace,
    chosen: Chosen,
) -> Outcome:
    assert chosen.target is not None and chosen.rows is not None
    picks = {"rating": chosen.target.token, "group": chosen.rows.key}
    return await worked_out(request, db, jobs, workspace, BREAKDOWN, picks)


async def _cross_counts(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    jobs: JobRunner,
    workspace: Workspace,
    chosen: Chosen,
) -> Outcome:
    assert chosen.rows is not None and chosen.columns is not None
    picks = {"rows": chosen.rows.key, "columns": chosen.columns.key}
    return await worked_out(request, db, jobs, workspace, CROSSTAB, picks)


def _check(workspace: Workspace, format: str) -> None:
    if workspace.selection.errors:
        raise Invalid(next(iter(workspace.selection.errors.values())))
    if format not in DOWNLOAD_TYPES:
        raise Invalid("Choose a download format: csv, svg or png")


def _content(
    request: Request[Any, Any, Any],
    workspace: Workspace,
    found: Breakdown,
    title: str,
    format: str,
) -> bytes | str:
    if format == "csv":
        filters = [f"filter: {d}" for d in workspace.selection.describe()]
        return csv_text(b.download_sections(found), [*found.all_notes(), *filters])
    renderer, data = renderer_of(request), b.chart_data(found)
    if format == "svg":
        return renderer.svg_of(percent_bars, data, title, True)
    return renderer.png_of(percent_bars, data, title, True)


def _query(workspace: Workspace, **picks: str) -> str:
    from urllib.parse import urlencode

    return urlencode([*picks.items(), *workspace.selection.params()])
