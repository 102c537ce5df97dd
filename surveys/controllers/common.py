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
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy import Connection

from consult.auth import staff_user
from consult.consultations.models import Consultation, Status
from consult.errors import NotFound
from consult.permissions import Permission, role_can
from consult.settings import Settings
from surveys.definition import PageRef, QuestionType, Survey
from surveys.models import SurveyVersion
from surveys.store import drafts
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


def respondent_session(request: Request[Any, Any, Any], timeout: int) -> dict[str, Any] | None:
    """The respondent's session entry, purging the whole session when it sat idle longer than
    ``timeout`` seconds (``settings.respondent_idle_timeout``, from the handler's injected
    settings)."""
    entry = request.session.get(SESSION_KEY) if request.session else None
    if not isinstance(entry, dict):
        return None
    now = time.time()
    idle = now - float(entry.get("seen", 0))
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


@dataclass
class _Found:
    consultation: Consultation | None = None
    version: tuple[SurveyVersion, Survey] | None = None
    draft: DraftState | None = None


def _find(
    store: SurveyStore, connection: Connection, slug: str, draft_id: uuid.UUID | None
) -> _Found:
    snapshots = store.snapshots
    consultation, version_id = snapshots.consultation_by_slug(connection, slug)
    found = _Found(consultation)
    if consultation is None or version_id is None:
        return found
    found.version = snapshots.published_version(connection, version_id)
    if draft_id is None or consultation.status == Status.DRAFT.value or found.version is None:
        return found
    found.draft = drafts.live(connection, draft_id, consultation.id)
    if found.draft is not None and found.draft.version_id != version_id:
        # A draft keeps answering the version it started on.
        older = snapshots.published_version(connection, found.draft.version_id)
        found.version = older or found.version
    return found


def session_draft_id(
    request: Request[Any, Any, Any], settings: Settings, slug: str
) -> uuid.UUID | None:
    entry = respondent_session(request, settings.respondent_idle_timeout)
    if not entry or entry.get("c") != slug:
        return None
    try:
        return uuid.UUID(str(entry.get("draft")))
    except ValueError:
        return None


async def load_visit(
    request: Request[Any, Any, Any], store: SurveyStore, settings: Settings, slug: str
) -> Visit:
    """The consultation behind ``slug`` with its survey; 404 for anything the public may not see.

    A draft consultation is shown only to signed-in staff who may edit it (a live session, not
    past the staff idle timeout), as a preview that records nothing.
    """
    draft_id = session_draft_id(request, settings, slug)
    found = await store.read(lambda connection: _find(store, connection, slug, draft_id))
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
