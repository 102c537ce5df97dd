"""What every respondent route shares: finding the consultation (or a staff preview), the
respondent's server-side session with its idle purge, and rendering in the respondent layout.

The session holds only ``{"draft": <id>, "c": <slug>, "seen": <unix time>}`` under one key;
answers live in the draft row. Database work goes through the app's `SurveyStore` (injected as
``store``), as direct units of work: a page view is one read, a page save one read and one write.
"""

from __future__ import annotations

import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy import Connection

from consult.auth import staff_user
from consult.consultations.models import Consultation, Status
from consult.errors import NotFound
from consult.permissions import Permission, role_can
from consult.sessions import read_with_session
from consult.settings import Settings
from surveys.definition import PageRef, QuestionType, Survey
from surveys.models import SurveyVersion
from surveys.store import visits
from surveys.store.consultations import is_accepting
from surveys.store.database import SurveyStore
from surveys.store.drafts import DraftState

SESSION_KEY = "respondent"


@dataclass
class Visit:
    """One request's view of the journey."""

    consultation: Consultation
    version: SurveyVersion
    survey: Survey
    preview: bool
    accepting: bool
    draft: DraftState | None = None
    idle_timeout: int = 0
    # The app's blank renders of questions (see surveys.controllers.questions.rendered).
    blank_renders: weakref.WeakKeyDictionary[QuestionType, tuple[Markup, Markup]] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    @property
    def slug(self) -> str:
        return self.consultation.slug

    def url(self, tail: str = "") -> str:
        return f"/c/{self.slug}{tail}"

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.draft.answers) if self.draft else {}

    @property
    def skipped(self) -> frozenset[str]:
        return self.draft.skipped if self.draft else frozenset()


SEEN_RESOLUTION = 10


def _idle(entry: dict[str, Any], now: float) -> float:
    return now - float(entry.get("seen", 0))


def respondent_session(request: Request[Any, Any, Any], timeout: int) -> dict[str, Any] | None:
    """The respondent's session entry, purging the whole session when it sat idle longer than
    ``timeout`` seconds (``settings.respondent_idle_timeout``, from the handler's injected
    settings)."""
    entry = request.session.get(SESSION_KEY) if request.session else None
    if not isinstance(entry, dict):
        return None
    now = time.time()
    idle = _idle(entry, now)
    if idle > timeout:
        request.clear_session()
        return None
    # Refreshed at most every SEEN_RESOLUTION seconds: an unchanged session is not written back
    # to the store, which saves a database write on most page saves.
    if idle > SEEN_RESOLUTION:
        entry["seen"] = now
        request.session[SESSION_KEY] = entry
    return entry


def remember_draft(request: Request[Any, Any, Any], visit: Visit, draft: DraftState) -> None:
    request.set_session(
        {SESSION_KEY: {"draft": str(draft.id), "c": visit.slug, "seen": time.time()}}
    )


def forget_draft(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


def _draft_id(entry: dict[str, Any] | None, slug: str) -> uuid.UUID | None:
    if not entry or entry.get("c") != slug:
        return None
    try:
        return uuid.UUID(str(entry.get("draft")))
    except ValueError:
        return None


def session_draft_id(
    request: Request[Any, Any, Any], settings: Settings, slug: str
) -> uuid.UUID | None:
    return _draft_id(respondent_session(request, settings.respondent_idle_timeout), slug)


@dataclass(frozen=True)
class _PageRead:
    slug: str
    draft_id: uuid.UUID | None
    found: visits.Found


def page_read_with_session(
    request: ASGIConnection[Any, Any, Any, Any], connection: Connection, session: dict[str, Any]
) -> _PageRead | None:
    """The page read, run with the session read (`consult.sessions.READ_WITH_SESSION`) so a
    respondent request is one unit of work; `load_visit` uses it when it read what
    `load_visit` would read (same page, same draft), and reads again otherwise. It runs in the
    session backend, before any handler, so it takes settings and the store from the app, where
    `create_app` put the same objects that handlers get injected."""
    slug = request.path_params.get("slug")
    if not isinstance(slug, str):
        return None  # a journey route outside one survey (keep-alive, timed out)
    entry = session.get(SESSION_KEY)
    timeout = request.app.state["settings"].respondent_idle_timeout
    if not isinstance(entry, dict) or _idle(entry, time.time()) > timeout:
        entry = None  # `respondent_session` will purge it
    draft_id = _draft_id(entry, slug)
    store: SurveyStore = request.app.state["store"]
    return _PageRead(slug, draft_id, visits.find(store.snapshots, connection, slug, draft_id))


async def _page_read(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> visits.Found:
    draft_id = session_draft_id(request, settings, slug)
    done = read_with_session(request)
    if isinstance(done, _PageRead) and done.slug == slug and done.draft_id == draft_id:
        return done.found
    return await store.read(lambda c: visits.find(store.snapshots, c, slug, draft_id))


async def load_visit(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Visit:
    """The consultation behind ``slug`` with its survey; 404 for anything the public may not see.

    A draft consultation is shown only to signed-in staff who may edit it (a live session, not
    past the staff idle timeout), as a preview that records nothing.
    """
    found = await _page_read(request, store, settings, slug)
    consultation = found.consultation
    if consultation is None:
        raise NotFound("We could not find that survey. Check the address.")
    preview = False
    if consultation.status == Status.DRAFT.value:
        async with store.session() as db:
            user = await staff_user(request, db)
        if user is None or not role_can(user.role, Permission.MANAGE_CONSULTATIONS):
            raise NotFound("We could not find that survey. Check the address.")
        preview = True
    if found.version is None:
        raise NotFound("This survey has no questions yet.")
    version, survey = found.version
    return Visit(
        consultation=consultation,
        version=version,
        survey=survey,
        preview=preview,
        accepting=is_accepting(consultation) or preview,
        idle_timeout=settings.respondent_idle_timeout,
        draft=found.draft,
        blank_renders=store.cache.weak("blank_questions"),
    )


def page(
    visit: Visit | None,
    template: str,
    heading: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    consultation: Consultation | None = None,
    idle: bool = True,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """Render a respondent page: title "<heading> - <public title>", "Error: " when errors."""
    consultation = consultation or (visit.consultation if visit else None)
    public_title = consultation.public_title if consultation else "Have your say"
    return Template(
        template,
        context={
            "consultation": consultation,
            "visit": visit,
            "heading": heading,
            "page_title": f"{heading} - {public_title}",
            "errors": errors or {},
            # Only a respondent with answers in hand has something to lose to a timeout.
            "idle_timeout": visit.idle_timeout if idle and visit and visit.draft else 0,
            **context,
        },
        status_code=status_code,
        headers=headers,
    )


def closed_page(visit: Visit, status_code: int = 410) -> Template:
    return page(visit, "surveys/closed.html", "This survey has closed", status_code=status_code)


def refuse_if_closed(visit: Visit) -> Template | None:
    """POSTs to a closed survey record nothing and say why."""
    return None if visit.accepting else closed_page(visit)


def consent_ref(survey: Survey) -> PageRef | None:
    """The page holding the survey's consent question: it is shown at ``/consent``."""
    for ref in survey.page_refs():
        if any(q.records_consent for q in survey.page(ref).questions):
            return ref
    return None


def page_heading(survey: Survey, ref: PageRef, questions: list[QuestionType]) -> str:
    shown = survey.page(ref).title
    if shown:
        return shown
    return questions[0].title if len(questions) == 1 else survey.section_of(ref).title


def to(url: str) -> Redirect:
    return Redirect(path=url, status_code=303)
