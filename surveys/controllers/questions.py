"""Question pages, section interstitials and the consent page: parse, save, route onwards.

Every POST saves the page's parsed answers to the draft row before redirecting (post/redirect/
get), so a crash loses at most the page in hand. Where to go next is always computed by the
routing functions of :mod:`surveys.definition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from consult.errors import NotFound
from consult.outages import RETRY_AFTER_SECONDS, noted_outage
from consult.settings import Settings
from surveys.controllers.common import (
    Visit,
    consent_ref,
    load_visit,
    page,
    page_heading,
    refuse_if_closed,
    remember_draft,
    to,
)
from surveys.controllers.rendering import parse_page, rendered
from surveys.definition import (
    Answers,
    PageRef,
    QuestionType,
    next_page,
    previous_page,
    visible_pages,
    visible_question_count,
    visible_questions,
)
from surveys.store import drafts
from surveys.store.database import SurveyStore


def page_url(visit: Visit, ref: PageRef) -> str:
    return (
        visit.url("/consent") if ref == consent_ref(visit.survey) else visit.url(f"/p/{ref.slug}")
    )


def onward(
    visit: Visit, current: PageRef | None, answers: Answers, skipped: frozenset[str]
) -> Redirect:
    """Next page on the route; a new section starts with its interstitial; the end is check."""
    following = next_page(visit.survey, current, answers, skipped)
    if following is None:
        return to(visit.url("/check"))
    if current is None or following.section != current.section:
        return to(visit.url(f"/s/{visit.survey.sections[following.section].key}"))
    return to(page_url(visit, following))


def back_url(visit: Visit, ref: PageRef | None) -> str:
    earlier = previous_page(visit.survey, ref, visit.answers, visit.skipped)
    return page_url(visit, earlier) if earlier else visit.url("/safety")


def question_page(
    request: Request[Any, Any, Any],
    visit: Visit,
    ref: PageRef,
    questions: list[QuestionType],
    answers: Mapping[str, Any],
    summary: dict[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    *,
    action: str,
    return_to: str = "",
    not_saved: bool = False,
) -> Template:
    """The page; `not_saved` re-renders what was just posted during an outage (503) with a
    notice, so the respondent can send it again."""
    return page(
        visit,
        "surveys/question_page.html",
        page_heading(visit.survey, ref, questions),
        errors=summary,
        status_code=503 if not_saved else 422 if summary else 200,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if not_saved else None,
        not_saved=not_saved,
        questions_html=rendered(request, questions, answers, errors or {}, visit.blank_renders),
        # A page of several questions is headed by its title, or its section's title when it
        # has none (every page has one h1; a lone question is the h1 itself).
        page_title_heading=(visit.survey.page(ref).title or visit.survey.section_of(ref).title)
        if len(questions) > 1
        else None,
        section=visit.survey.section_of(ref),
        action=action,
        back=back_url(visit, ref),
        return_to=return_to,
    )


def resolve(visit: Visit, page_slug: str) -> PageRef:
    ref = PageRef.from_slug(page_slug)
    if ref is None or ref not in visit.survey.page_refs():
        raise NotFound("We could not find that page.")
    return ref


@get("/c/{slug:str}/consent", name="survey_consent")
async def consent(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    ref = consent_ref(visit.survey)
    if ref is None:
        # A survey published without a consent question (the builder no longer allows it) still
        # needs a page that starts the draft: redirecting onwards would come straight back here.
        return page(visit, "surveys/begin.html", "Start the survey", back=visit.url("/safety"))
    questions = list(visit.survey.page(ref).questions)
    return question_page(
        request, visit, ref, questions, visit.answers, action=visit.url("/consent")
    )


@post("/c/{slug:str}/consent", name="survey_consent_post")
async def consent_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    form: FormMultiDict,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if (closed := refuse_if_closed(visit)) is not None:
        return closed
    ref = consent_ref(visit.survey)
    questions = list(visit.survey.page(ref).questions) if ref is not None else []
    answers, summary, errors = parse_page(questions, form)
    if summary and ref is not None:
        return question_page(
            request, visit, ref, questions, answers, summary, errors, action=visit.url("/consent")
        )
    if visit.preview:
        return onward(visit, ref, answers, frozenset())
    draft = visit.draft
    try:
        if draft is None:
            consultation, version_id = visit.consultation, visit.version.id
            draft = await store.write(lambda c: drafts.start(c, consultation, version_id, answers))
            visit.draft = draft
        elif ref is not None:
            saving, slug_ = draft, ref.slug
            await store.write(
                lambda c: drafts.save_answers(c, saving, answers, slug_), one_statement=True
            )
    except Exception as error:
        if not noted_outage(request.app, error) or ref is None:
            raise
        return question_page(
            request, visit, ref, questions, answers, action=visit.url("/consent"), not_saved=True
        )
    remember_draft(request, visit, draft)
    return onward(visit, ref, visit.answers, visit.skipped)


@get("/c/{slug:str}/p/{page_slug:str}", name="survey_page")
async def question(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    page_slug: str,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    ref = resolve(visit, page_slug)
    if visit.draft is None and not visit.preview:
        return to(visit.url("/consent"))
    if ref == consent_ref(visit.survey):
        return to(visit.url("/consent"))
    questions = visible_questions(visit.survey, ref, visit.answers, visit.skipped)
    if not questions:
        # Off the route now (or a hand-typed address): carry on from there instead.
        return onward(visit, ref, visit.answers, visit.skipped)
    return_to = "check" if request.query_params.get("return") == "check" else ""
    return question_page(
        request,
        visit,
        ref,
        questions,
        visit.answers,
        action=visit.url(f"/p/{ref.slug}"),
        return_to=return_to,
    )


@post("/c/{slug:str}/p/{page_slug:str}", name="survey_page_post")
async def question_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    page_slug: str,
    form: FormMultiDict,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if (closed := refuse_if_closed(visit)) is not None:
        return closed
    ref = resolve(visit, page_slug)
    if visit.draft is None and not visit.preview:
        return to(visit.url("/consent"))
    questions = visible_questions(visit.survey, ref, visit.answers, visit.skipped)
    if not questions:
        return onward(visit, ref, visit.answers, visit.skipped)
    answers, summary, errors = parse_page(questions, form)
    return_to = "check" if form.get("return_to") == "check" else ""
    if summary:
        shown = {**visit.answers, **answers}
        return question_page(
            request, visit, ref, questions, shown, summary, errors,
            action=visit.url(f"/p/{ref.slug}"), return_to=return_to,
        )  # fmt: skip
    if visit.preview or visit.draft is None:
        return onward(visit, ref, answers, frozenset())
    draft = visit.draft
    try:
        await store.write(
            lambda c: drafts.save_answers(c, draft, answers, ref.slug), one_statement=True
        )
    except Exception as error:
        if not noted_outage(request.app, error):
            raise
        return question_page(
            request, visit, ref, questions, {**visit.answers, **answers},
            action=visit.url(f"/p/{ref.slug}"), return_to=return_to, not_saved=True,
        )  # fmt: skip
    if form.get("action") == "save":
        return to(visit.url("/save"))
    if return_to:
        return to(visit.url("/check"))
    return onward(visit, ref, visit.answers, visit.skipped)


def section_index(visit: Visit, key: str) -> int:
    for index, section in enumerate(visit.survey.sections):
        if section.key == key:
            return index
    raise NotFound("We could not find that part of the survey.")


@get("/c/{slug:str}/s/{key:str}", name="survey_section")
async def section(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str, key: str
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    index = section_index(visit, key)
    if visit.draft is None and not visit.preview:
        return to(visit.url("/consent"))
    unskipped = visit.skipped - {key}
    refs = [r for r in visible_pages(visit.survey, visit.answers, unskipped) if r.section == index]
    if not refs:
        return onward(
            visit,
            PageRef(index, len(visit.survey.sections[index].pages)),
            visit.answers,
            visit.skipped,
        )
    this = visit.survey.sections[index]
    return page(
        visit,
        "surveys/section.html",
        this.title,
        section=this,
        question_count=visible_question_count(visit.survey, key, visit.answers, visit.skipped),
        back=back_url(visit, refs[0]),
    )


@post("/c/{slug:str}/s/{key:str}", name="survey_section_post")
async def section_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    key: str,
    form: FormMultiDict,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if (closed := refuse_if_closed(visit)) is not None:
        return closed
    index = section_index(visit, key)
    this = visit.survey.sections[index]
    end_of_section = PageRef(index, len(this.pages))
    action = form.get("action")
    if visit.draft is None:
        if visit.preview:
            return onward(visit, PageRef(index, -1), {}, frozenset())
        return to(visit.url("/consent"))
    if action == "save":
        return to(visit.url("/save"))
    draft = visit.draft
    if action == "skip" and this.skippable:
        await store.write(lambda c: drafts.set_skipped(c, draft, key, True))
        return onward(visit, end_of_section, visit.answers, visit.skipped)
    await store.write(lambda c: drafts.set_skipped(c, draft, key, False))
    refs = [
        r for r in visible_pages(visit.survey, visit.answers, visit.skipped) if r.section == index
    ]
    return (
        to(page_url(visit, refs[0]))
        if refs
        else onward(visit, end_of_section, visit.answers, visit.skipped)
    )
