"""Save and return, delete my answers, withdrawal, and the idle timeout's two routes."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template

from consult.accounts.passwords import hash_password
from consult.security import THROTTLED
from consult.settings import Settings
from surveys.codes import new_code
from surveys.controllers.common import (
    SESSION_KEY,
    Visit,
    forget_draft,
    load_visit,
    page,
    remember_draft,
    respondent_session,
    to,
)
from surveys.controllers.questions import onward, page_url
from surveys.definition import PageRef, is_on_route, next_page
from surveys.store import drafts, responses
from surveys.store.database import SurveyStore

MAX_CODE_LENGTH = 40

RESUME_MESSAGES = {
    drafts.ResumeProblem.UNKNOWN: "We could not find answers saved with that code. Check the code and try again.",
    drafts.ResumeProblem.EXPIRED: "Answers saved with that code have expired and were deleted. You can start again.",
    drafts.ResumeProblem.LOCKED: "Too many wrong passphrases were entered, so these saved answers are locked. You can start again.",
    drafts.ResumeProblem.WRONG_PASSPHRASE: "The passphrase does not match. Check it and try again.",
}  # fmt: skip


def survey_url(visit: Visit) -> str:
    """Where "Back to the survey" leads from the save page: the page last saved, when it is
    still on the respondent's route, else the first page of the route."""
    current = PageRef.from_slug(visit.draft.current_page or "") if visit.draft else None
    if current is not None and is_on_route(visit.survey, current, visit.answers, visit.skipped):
        return page_url(visit, current)
    first = next_page(visit.survey, None, visit.answers, visit.skipped)
    return page_url(visit, first) if first is not None else visit.url("/check")


@get("/c/{slug:str}/save", name="survey_save")
async def save(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if visit.draft is None:
        return to(visit.url())
    return page(
        visit, "surveys/save.html", "Save your answers and come back later", back=survey_url(visit)
    )


@post("/c/{slug:str}/save", name="survey_save_post")
async def save_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    form: FormMultiDict,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    if visit.draft is None:
        return to(visit.url())
    passphrase = str(form.get("passphrase") or "")
    if len(passphrase) > drafts.MAX_PASSPHRASE_LENGTH:
        return page(
            visit,
            "surveys/save.html",
            "Save your answers and come back later",
            errors={
                "passphrase": f"Passphrase must be {drafts.MAX_PASSPHRASE_LENGTH} characters or fewer"
            },
            status_code=422,
            back=survey_url(visit),
        )
    code, draft = new_code(), visit.draft
    passphrase_hash = hash_password(passphrase) if passphrase else None
    await store.write(lambda c: drafts.set_resume_code(c, draft, code, passphrase_hash))
    # Leaving now ends the session: the code is the only way back to these answers.
    forget_draft(request)
    visit.draft = None
    return page(
        visit,
        "surveys/saved.html",
        "Your answers are saved",
        code=code,
        has_passphrase=bool(passphrase),
        expires_at=None,
        expiry_days=visit.consultation.draft_expiry_days,
    )


@get("/c/{slug:str}/resume", name="survey_resume")
async def resume(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    return page(visit, "surveys/resume.html", "Continue where you left off")


@post("/c/{slug:str}/resume", name="survey_resume_post", opt=THROTTLED)
async def resume_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    form: FormMultiDict,
) -> Template | Redirect:
    visit = await load_visit(request, store, settings, slug)
    code = str(form.get("code") or "")[:MAX_CODE_LENGTH]
    passphrase = str(form.get("passphrase") or "")[: drafts.MAX_PASSPHRASE_LENGTH]
    heading = "Continue where you left off"
    if not code.strip():
        return page(
            visit,
            "surveys/resume.html",
            heading,
            errors={"code": "Enter the code you were given"},
            status_code=422,
        )
    consultation_id = visit.consultation.id
    found = await store.write(lambda c: drafts.find_saved(c, consultation_id, code))
    if isinstance(found, drafts.Saved):
        result = drafts.check_passphrase(found, passphrase)
        if result.draft is not None and found.passphrase_hash:  # the attempt was counted
            saved_draft = result.draft
            await store.write(lambda c: drafts.reset_attempts(c, saved_draft))
    else:
        result = drafts.ResumeResult(None, found)
    if result.draft is None:
        assert result.problem is not None
        field = "passphrase" if result.problem is drafts.ResumeProblem.WRONG_PASSPHRASE else "code"
        message = RESUME_MESSAGES[result.problem]
        if result.problem is drafts.ResumeProblem.WRONG_PASSPHRASE:
            message += f" You have {result.attempts_left} more {'try' if result.attempts_left == 1 else 'tries'}."
        return page(
            visit,
            "surveys/resume.html",
            heading,
            errors={field: message},
            status_code=422,
            code=code,
        )
    visit.draft = result.draft
    remember_draft(request, visit, result.draft)
    current = PageRef.from_slug(result.draft.current_page or "")
    return (
        onward(visit, current, visit.answers, visit.skipped) if current else to(visit.url("/check"))
    )


@post("/c/{slug:str}/delete", name="survey_delete")
async def delete_answers(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    if visit.draft is not None:
        draft_id = visit.draft.id
        await store.write(lambda c: drafts.delete_draft(c, draft_id))
    forget_draft(request)
    visit.draft = None
    return page(visit, "surveys/deleted.html", "Your answers have been deleted")


@get("/c/{slug:str}/withdraw", name="survey_withdraw")
async def withdraw(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    return page(
        visit,
        "surveys/withdraw.html",
        "Withdraw your answers",
        withdrawal_open=responses.withdrawal_open(visit.consultation),
    )


@post("/c/{slug:str}/withdraw", name="survey_withdraw_post", opt=THROTTLED)
async def withdraw_post(
    request: Request[Any, Any, Any],
    store: SurveyStore,
    settings: Settings,
    slug: str,
    form: FormMultiDict,
) -> Template:
    visit = await load_visit(request, store, settings, slug)
    code = str(form.get("code") or "")[:MAX_CODE_LENGTH]
    heading = "Withdraw your answers"
    if not code.strip():
        return page(
            visit,
            "surveys/withdraw.html",
            heading,
            errors={"code": "Enter your withdrawal code"},
            status_code=422,
            withdrawal_open=True,
        )
    consultation = visit.consultation
    outcome = await store.write(lambda c: responses.withdraw(c, consultation, code))
    if outcome is responses.Withdrawal.UNKNOWN:
        return page(
            visit,
            "surveys/withdraw.html",
            heading,
            errors={"code": "We could not find answers with that code. Check it and try again."},
            status_code=422,
            withdrawal_open=True,
        )
    if outcome is responses.Withdrawal.ALREADY_WITHDRAWN:
        # Says only what the code holder already knows: they withdrew these answers before.
        return page(
            visit, "surveys/withdrawn.html", "Your answers were already withdrawn", already=True
        )
    if outcome is responses.Withdrawal.TOO_LATE:
        return page(
            visit,
            "surveys/withdraw.html",
            "Answers can no longer be withdrawn",
            status_code=409,
            withdrawal_open=False,
            too_late=True,
        )
    return page(visit, "surveys/withdrawn.html", "Your answers have been withdrawn")


@get("/keep-alive", name="survey_keep_alive")
async def keep_alive(request: Request[Any, Any, Any], settings: Settings) -> Response[None]:
    """The idle warning's "Stay on this page": reading the session refreshes its clock."""
    alive = respondent_session(request, settings.respondent_idle_timeout) is not None
    return Response(None, status_code=204 if alive else 410)


@get("/timed-out", name="survey_timed_out")
async def timed_out(request: Request[Any, Any, Any]) -> Template:
    """Where the idle timer sends the browser: the session ends, the page says nothing personal."""
    had_answers = bool(request.session and request.session.get(SESSION_KEY))
    request.clear_session()
    return page(
        None,
        "surveys/timed_out.html",
        "You have been away for a while",
        idle=False,
        had_answers=had_answers,
    )
