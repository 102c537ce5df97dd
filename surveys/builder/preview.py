"""Preview any version as a respondent of any type, page by page, recording nothing.

No draft or response row is written and nothing goes into the session: the answers so far
travel in one hidden field (JSON) from page to page. Which page comes next is decided by the
same routing functions the journey uses, and questions render through their own partials.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Conflict
from consult.permissions import Permission, requires
from surveys.builder.choices import respondent_type_choices
from surveys.builder.context import Workspace, workspace
from surveys.builder.problems import definition_problems, plain
from surveys.controllers.rendering import parse_page, rendered
from surveys.definition import (
    PageRef,
    Survey,
    next_page,
    previous_page,
    survey_from_dict,
    visible_pages,
    visible_question_count,
    visible_questions,
)
from surveys.store.database import run
from surveys.store.editing import version_or_404

VIEW = [requires(Permission.VIEW_CONSULTATIONS)]
MAX_STATE = 200_000
Req = Request[Any, Any, Any]


@dataclass
class PreviewState:
    """What a respondent would have so far: answers, skipped sections and the page in hand."""

    answers: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    page: str = ""

    @classmethod
    def read(cls, form: FormMultiDict) -> PreviewState:
        raw = str(form.get("state", "") or "")[:MAX_STATE]
        try:
            data = json.loads(raw) if raw else {}
        except (ValueError, RecursionError):  # not JSON, or nested thousands deep
            data = {}
        if not isinstance(data, dict):
            data = {}
        answers = data.get("answers")
        skipped = data.get("skipped")
        return cls(
            answers if isinstance(answers, dict) else {},
            [str(s) for s in skipped] if isinstance(skipped, list) else [],
            str(data.get("page", "")),
        )

    def dump(self) -> str:
        return json.dumps({"answers": self.answers, "skipped": self.skipped, "page": self.page})


async def _version_survey(
    db: AsyncSession, ws: Workspace, number: int | None
) -> tuple[int, Survey | None, list[str]]:
    if ws.survey is None or ws.shown is None:
        raise Conflict("This consultation has no survey yet")
    survey_id = ws.survey.id
    version = await run(db, lambda c: version_or_404(c, survey_id, number)) if number else ws.shown
    problems = definition_problems(version.definition)
    survey = None if problems else survey_from_dict(version.definition)
    return version.number, survey, [plain(version.definition, p) for p in problems]


class SurveyPreviewController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/survey/preview"
    include_in_schema = False

    @get("/", guards=VIEW)
    async def start(
        self, consultation_id: uuid.UUID, db_session: AsyncSession, version: int | None = None
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        number, survey, problems = await _version_survey(db_session, ws, version)
        return Template(
            "builder/preview_start.html",
            context={
                "ws": ws, "c": ws.consultation, "number": number, "survey": survey,
                "problems": problems, "types": respondent_type_choices(ws.shown.definition)
                if ws.shown else [],
            },
        )  # fmt: skip

    @post("/", guards=VIEW)
    async def step(
        self, request: Req, consultation_id: uuid.UUID, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        number = _int(form.get("version"))
        number, survey, _ = await _version_survey(db_session, ws, number)
        if survey is None:
            raise Conflict("This version cannot be previewed until its problems are fixed")
        state = PreviewState.read(form)
        action = str(form.get("action", "continue"))
        current = PageRef.from_slug(state.page) if state.page else None
        skipped = frozenset(state.skipped)
        errors: dict[str, list[str]] = {}
        summary: dict[str, str] = {}
        target: PageRef | None
        if action == "start":
            state = PreviewState()
            kind = str(form.get("respondent_type", ""))
            if survey.respondent_type_question and kind:
                state.answers[survey.respondent_type_question] = kind
            target = next_page(survey, None, state.answers)
        elif action == "back":
            target = previous_page(survey, current, state.answers, skipped)
        elif action == "skip" and current is not None:
            section = survey.sections[current.section]
            state.skipped = (
                sorted({*state.skipped, section.key}) if section.skippable else state.skipped
            )
            target = next_page(survey, current, state.answers, frozenset(state.skipped))
        else:
            target = current
            if current is not None:
                questions = visible_questions(survey, current, state.answers, skipped)
                answers, summary, errors = parse_page(questions, form)
                state.answers = {**state.answers, **answers}
                if not summary:
                    target = next_page(survey, current, state.answers, skipped)
        return _page(request, ws, number, survey, state, target, summary, errors)


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def _page(
    request: Req, ws: Workspace, number: int, survey: Survey, state: PreviewState,
    ref: PageRef | None, summary: dict[str, str], errors: dict[str, list[str]],
) -> Template:  # fmt: skip
    skipped = frozenset(state.skipped)
    context: dict[str, Any] = {
        "ws": ws, "c": ws.consultation, "number": number, "errors": summary,
    }  # fmt: skip
    if ref is None:
        shown = [q for q in survey.questions() if q.key in state.answers]
        state.page = ""
        context["summary"] = [(q.title, q.summarise(state.answers[q.key])) for q in shown]
        context["state"] = state.dump()
        return Template("builder/preview_end.html", context=context)
    state.page = ref.slug
    questions = visible_questions(survey, ref, state.answers, skipped)
    section = survey.sections[ref.section]
    first_in_section = [r for r in visible_pages(survey, state.answers, skipped)
                        if r.section == ref.section][:1] == [ref]  # fmt: skip
    context.update(
        section=section,
        first_in_section=first_in_section,
        question_count=visible_question_count(survey, section.key, state.answers, skipped),
        title=(survey.page(ref).title or section.title) if len(questions) > 1 else None,
        questions_html=rendered(request, questions, state.answers, errors),
        state=state.dump(),
    )
    return Template(
        "builder/preview_page.html", context=context, status_code=422 if summary else 200
    )
