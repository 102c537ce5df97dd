"""What a respondent page reads: its consultation, the survey version it shows and the
session's draft, in one statement.

Every respondent request needs the consultation's stamp (surveys.store.snapshots) and, once the
respondent has consented, their draft row. Read as two statements they cost two round trips to
PostgreSQL on every request; an outer join on the draft's id gives both in one row (the draft's
columns are NULL when there is none), and costs SQLite nothing extra. Published versions come
from the app's snapshots, so the usual request runs this one statement and nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Table, bindparam, select

from consult.consultations.models import Consultation, Status
from consult.direct import PreparedQuery
from surveys.definition import Survey
from surveys.models import Draft, SurveyVersion
from surveys.store import drafts
from surveys.store.drafts import DraftState
from surveys.store.snapshots import STAMP, Snapshots

_C: Table = Consultation.__table__  # type: ignore[assignment]
_D: Table = Draft.__table__  # type: ignore[assignment]
_PAGE = PreparedQuery(
    select(*STAMP, *drafts.COLUMNS)
    .select_from(_C.outerjoin(_D, _D.c.id == bindparam("draft_id")))
    .where(_C.c.slug == bindparam("slug"))
)


@dataclass
class Found:
    """What a page read found: each part None when there is none (or the public may not see
    it: `load_visit` decides)."""

    consultation: Consultation | None = None
    version: tuple[SurveyVersion, Survey] | None = None
    draft: DraftState | None = None


def find(
    snapshots: Snapshots, connection: Connection, slug: str, draft_id: uuid.UUID | None
) -> Found:
    """The consultation behind ``slug``, the version a respondent answers and, when
    ``draft_id`` (from the session) is given, that draft if it is still live."""
    row = _PAGE.first(connection, slug=slug, draft_id=draft_id)
    if row is None:
        return Found()
    consultation, version_id = snapshots.consultation(connection, row[: len(STAMP)])
    found = Found(consultation)
    if consultation is None or version_id is None:
        return found
    found.version = snapshots.published_version(connection, version_id)
    if draft_id is None or consultation.status == Status.DRAFT.value or found.version is None:
        return found
    found.draft = drafts.live(row[len(STAMP) :], consultation.id)
    if found.draft is not None and found.draft.version_id != version_id:
        # A draft keeps answering the version it started on.
        older = snapshots.published_version(connection, found.draft.version_id)
        found.version = older or found.version
    return found
