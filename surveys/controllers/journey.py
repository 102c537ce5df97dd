"""The journey's fixed pages: start, safety, check your answers, submit, confirmation, support.

Submission deletes the draft and inserts the response (with its sealed withdrawal code) in one
transaction, so a replayed POST finds no draft and records nothing more.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from litestar import Litestar, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import Redirect, Template

from consult.outages import noted_outage
from consult.settings import Settings
from surveys.controllers.common import (
    consent_ref,
    forget_draft,
    load_visit,
    page,
    refuse_if_closed,
    session_draft_id,
    to,
)
from surveys.controllers.questions import page_url
from surveys.definition import NOT_ANSWERED, QuestionType, visible_pages, visible_questions
from surveys.definition.timing import estimate
from surveys.store import drafts, receipts
from surveys.store.database import SurveyStore
from surveys.store.responses import withdrawal_open


@get("/c/{slug:str}", name="survey_start")
async def start(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    return page(
        visit,
        "surveys/start.html",
        visit.consultation.public_title,
        status_code=200 if visit.accepting else 410,
        # From the questions on each route through this survey (surveys.definition.timing).
        takes=str(estimate(visit.survey)),
    )


@get("/c/{slug:str}/safety", name="survey_safety")
async def safety(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    if not visit.accepting:
        return refuse_if_closed(visit) or page(visit, "surveys/closed.html", "Closed")
    return page(visit, "surveys/safety.html", "Staying safe while you answer")


@get("/c/{slug:str}/check", name="survey_check")
async def check(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if visit.draft is None and not visit.preview:
        return to(visit.url("/consent"))
    survey, answers, skipped = visit.survey, visit.answers, visit.skipped
    sections: list[dict[str, Any]] = []
    consent_page = consent_ref(survey)
    for ref in visible_pages(survey, answers, skipped):
        change = page_url(visit, ref) + ("" if ref == consent_page else "?return=check")
        rows = [
            row
            for q in visible_questions(survey, ref, answers, skipped)
            for row in summary_rows(q, answers.get(q.key), change)
        ]
        title = survey.section_of(ref).title
        if sections and sections[-1]["title"] == title:
            sections[-1]["rows"].extend(rows)
        else:
            sections.append({"title": title, "rows": rows})
    for key in sorted(skipped):
        for s in survey.sections:
            if s.key == key:
                sections.append({
                    "title": s.title,
                    "rows": [{"question": "This section", "answer": NOT_ANSWERED + " (you skipped it)", "change": visit.url(f"/s/{key}")}],
                })  # fmt: skip
    return page(
        visit,
        "surveys/check.html",
        "Check your answers before sending them",
        sections=sections,
        withdrawal_open=withdrawal_open(visit.consultation),
    )


def summary_rows(question: QuestionType, value: Any, change: str) -> list[dict[str, Any]]:
    """ "Check your answers" rows for one question: one row, or one per answered row of a
    rating grid (each item rated is a row of its own)."""
    return [
        {"question": asked, "answer": answer, "change": change}
        for asked, answer in question.summary_rows(value)
    ]


@post("/c/{slug:str}/submit", name="survey_submit")
async def submit(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template | Redirect:
    """The session is left as it is: the confirmation page finds the withdrawal code through
    the draft id it holds (surveys.receipts), so a session store failing after this commit, or
    a retried submit, still leads to the code."""
    visit = await load_visit(request, store, settings, slug)
    if (closed := refuse_if_closed(visit)) is not None:
        return closed
    if visit.preview:
        return page(
            visit, "surveys/preview_submit.html", "Preview: nothing was sent", status_code=409
        )
    if visit.draft is None:
        return to(visit.url("/done"))
    draft, survey = visit.draft, visit.survey
    secret_key = settings.secret_key
    await store.write(lambda c: drafts.submit(c, draft, survey, secret_key))
    return to(visit.url("/done"))


@get("/c/{slug:str}/done", name="survey_done")
async def done(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    """Shows the withdrawal code once. The session ends with this page; the sealed code is
    removed only after the page has gone out, so a failure before then (the session store
    down) leaves it for the next try."""
    visit = await load_visit(request, store, settings, slug)
    draft_id = session_draft_id(request, settings, slug)
    code = None
    if draft_id is not None:
        secret_key = settings.secret_key
        code = await store.read(lambda c: receipts.find(c, secret_key, draft_id))
    shown = page(
        visit,
        "surveys/done.html",
        "Your answers have been sent" if code else "Your answers were already sent",
        code=code,
    )
    if code and draft_id is not None:
        forget_draft(request)
        shown.background = BackgroundTask(_forget_receipt, request.app, store, draft_id)
    return shown


async def _forget_receipt(app: Litestar, store: SurveyStore, draft_id: uuid.UUID) -> None:
    try:
        await store.write(partial(receipts.forget, draft_id=draft_id))
    except Exception as error:
        # The code stays sealed for one more showing; the outage is logged once.
        if not noted_outage(app, error):
            raise


@get("/c/{slug:str}/support", name="survey_support")
async def support(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    """Where "stop and see support" leads: help first, never a "why are you leaving" form."""
    visit = await load_visit(request, store, settings, slug)
    return page(visit, "surveys/support.html", "Support is available")
