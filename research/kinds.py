"""The workspace results a page asks for, each worked out by one function from the responses'
frame into a small JSON payload: question counts, breakdown counts, cross-tab counts and word
clouds. The same function runs on request (small consultations) or in a background job whose
payload is stored (:mod:`research.computed`), so both paths show the same numbers.

Word clouds always run as jobs: redacting and drawing take seconds even for a few hundred
answers. Counts run on request below the ``background_analysis_from`` setting (responses), where
they take milliseconds, so small consultations, the demo and the tests need no wait; above it a
request would hold the worker for the frame's build and a pass over every row.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.errors import AnalysisError
from consult.errors import Invalid
from consult.jobs import JobRunner
from research import breakdowns as b
from research import clouds as c
from research import overview
from research.computed import Computer, Outcome, stored_or_started
from research.filters import Selection
from research.frames import ResponseData, response_data
from research.results import answered_count, asked, question_columns, question_payload
from research.workspace import Workspace
from surveys.definition import Option, QuestionType, Survey

OVERVIEW, QUESTION, BREAKDOWN = "overview", "question", "breakdown"
CROSSTAB, CLOUD = "crosstab", "cloud"
ALWAYS_IN_BACKGROUND = {CLOUD}


def _question(survey: Survey, key: str) -> QuestionType:
    try:
        return survey.question(key)
    except KeyError:
        raise Invalid(f"There is no question '{key[:60]}' in this survey") from None


def _groups(survey: Survey, selection: Selection) -> dict[str, b.GroupQuestion]:
    types = [Option(value, label) for value, label in selection.type_labels.items()]
    return {group.key: group for group in b.group_questions(survey, types)}


def _group(survey: Survey, selection: Selection, key: str | None) -> b.GroupQuestion | None:
    if not key:
        return None
    found = _groups(survey, selection).get(key)
    if found is None:
        raise Invalid(f"'{key[:60]}' is not a group question of this survey")
    return found


def overview_counts(data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    """Submissions by type and week, and each question's answered and base counts."""
    frame, survey = data.frame, data.survey
    questions = []
    for q in survey.questions():
        if not q.records_consent:
            part = asked(frame[question_columns(q)], survey, q)
            questions.append([q.key, answered_count(part, q), len(part)])
    return {"submitted": overview.submissions_payload(frame), "questions": questions}


def question_counts(data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    question = _question(data.survey, str(params["question"]))
    frame = selection.apply(data.frame, question_columns(question))
    return question_payload(frame, data.survey, question)


def breakdown_counts(data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    targets = {t.token: t for t in b.rating_targets(data.survey)}
    target = targets.get(str(params["rating"]))
    group = _group(data.survey, selection, str(params["group"]))
    if target is None or group is None:
        raise Invalid("Choose a rating question and a group question of this survey")
    frame = selection.apply(data.frame, ["respondent_type", target.column, group.key])
    return b.rating_counts_to_json(b.rating_counts_by_group(frame, data.survey, target, group))


def crosstab_counts(data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    rows = _group(data.survey, selection, str(params["rows"]))
    columns = _group(data.survey, selection, str(params["columns"]))
    if rows is None or columns is None:
        raise Invalid("Choose two group questions of this survey")
    frame = selection.apply(data.frame, [rows.key, columns.key])
    return {"counts": b.frame_to_json(b.groups_counted(frame, rows, columns))}


def word_clouds(data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    question = _question(data.survey, str(params["question"]))
    group = _group(data.survey, selection, params.get("group"))
    frame = selection.apply(data.frame, c.columns_for(question, group))
    texts = c.respondent_texts(frame, data.survey, question, group)
    return c.cloud_payload(c.draw(texts, group is not None, int(params["threshold"])))


COMPUTERS: dict[str, Computer] = {
    OVERVIEW: overview_counts,
    QUESTION: question_counts,
    BREAKDOWN: breakdown_counts,
    CROSSTAB: crosstab_counts,
    CLOUD: word_clouds,
}


def compute(kind: str, data: ResponseData, selection: Selection, params: dict[str, Any]) -> Any:
    """One result worked out now; the analysis package's refusals become a clear message."""
    try:
        return COMPUTERS[kind](data, selection, params)
    except AnalysisError as exc:
        raise Invalid(str(exc)) from exc


def in_background(request: Request[Any, Any, Any], workspace: Workspace, kind: str) -> bool:
    settings = request.app.state["settings"]
    large = workspace.header.responses >= settings.background_analysis_from
    return kind in ALWAYS_IN_BACKGROUND or large


async def worked_out(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    jobs: JobRunner,
    workspace: Workspace,
    kind: str,
    params: dict[str, Any],
) -> Outcome:
    """A page's result: worked out now when small, else stored or being worked out by a job."""
    if not in_background(request, workspace, kind):
        data = await response_data(request, db, workspace.consultation.id)
        return Outcome(compute(kind, data, workspace.selection, params), None)
    selection = workspace.selection
    inputs = {
        **params,
        "respondent_type": list(selection.respondent_types),
        "answer": [choice.token for choice in selection.answers],
    }
    return await stored_or_started(
        db,
        jobs,
        workspace.consultation.id,
        kind,
        inputs,
        workspace.header.data_version,
        request.user.id,
    )
