"""The builder's data: a consultation's survey, its versions and its one draft, and duplicating
a consultation. Plain functions over a `Connection` (Core statements); the builder's pages run
them inside the request's transaction (``store.run(db_session, fn)``), so each change commits,
or rolls back, with the page's audit record.

A version with ``published_at IS NULL`` is the editable draft; at most one exists per survey
(the builder only ever makes one, and the unique ``(survey_id, number)`` turns a race into a
conflict). Publishing sets ``published_at`` and the version is never edited again (every write
here is also conditioned on ``published_at IS NULL``). The respondent journey serves the newest
*published* version (:func:`surveys.store.versions.newest_published`), so a draft is invisible
to respondents until it is published.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Connection, Table, delete, select, update

from consult.consultations.models import Consultation, Status, SupportService
from consult.errors import Conflict, NotFound
from surveys.builder.service import Definition, key_from, new_definition
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion
from surveys.store.versions import Version, numbered_version, survey_versions

_S: Table = SurveyRow.__table__  # type: ignore[assignment]
_V: Table = SurveyVersion.__table__  # type: ignore[assignment]
_C: Table = Consultation.__table__  # type: ignore[assignment]
_SS: Table = SupportService.__table__  # type: ignore[assignment]
MAX_SLUG = 80


@dataclass(frozen=True)
class SurveyRecord:
    """A consultation's survey: what the builder shows of it (its versions come separately)."""

    id: uuid.UUID
    key: str
    title: str


def survey_of(connection: Connection, consultation_id: uuid.UUID) -> SurveyRecord | None:
    """The consultation's survey: the one created last, when (unusually) there are several."""
    row = connection.execute(
        select(_S.c.id, _S.c.key, _S.c.title)
        .where(_S.c.consultation_id == consultation_id)
        .order_by(_S.c.created_at.desc())
        .limit(1)
    ).first()
    return SurveyRecord(*row) if row is not None else None


def survey_and_versions(
    connection: Connection, consultation_id: uuid.UUID
) -> tuple[SurveyRecord | None, list[Version]]:
    survey = survey_of(connection, consultation_id)
    return survey, survey_versions(connection, survey.id) if survey else []


def draft_of(versions: list[Version]) -> Version | None:
    return next((v for v in versions if v.published_at is None), None)


def latest_published(versions: list[Version]) -> Version | None:
    published = [v for v in versions if v.published_at is not None]
    return published[-1] if published else None


# Version numbers are 32-bit integers in the database; a longer number in an address is no
# version (and would overflow the query).
MAX_VERSION_NUMBER = 2**31 - 1


def version_or_404(connection: Connection, survey_id: uuid.UUID, number: int) -> Version:
    found = None
    if 1 <= number <= MAX_VERSION_NUMBER:
        found = numbered_version(connection, survey_id, number)
    if found is None:
        raise NotFound("This survey has no version with that number")
    return found


def create_survey(
    connection: Connection, consultation_id: uuid.UUID, definition: Definition
) -> Version:
    """A new survey for the consultation, with ``definition`` as its draft version 1."""
    if survey_of(connection, consultation_id) is not None:
        raise Conflict("This consultation already has a survey")
    survey_id: uuid.UUID = connection.execute(
        _S.insert()
        .values(consultation_id=consultation_id, key=definition["key"], title=definition["title"])
        .returning(_S.c.id)
    ).scalar_one()
    return _add_version(connection, survey_id, 1, definition)


def _add_version(
    connection: Connection, survey_id: uuid.UUID, number: int, definition: Definition
) -> Version:
    kept = copy.deepcopy(definition)
    version_id: uuid.UUID = connection.execute(
        _V.insert().values(survey_id=survey_id, number=number, definition=kept).returning(_V.c.id)
    ).scalar_one()
    return Version(version_id, survey_id, number, kept, None)


def start_draft(
    connection: Connection, consultation: Consultation, source: Version | None = None
) -> tuple[Version, bool]:
    """The editable draft, made when missing: a copy of ``source`` (default: the latest
    published version), or an empty survey when there is none. ``(draft, created)``."""
    survey, versions = survey_and_versions(connection, consultation.id)
    if survey is None:
        definition = new_definition(key_from(consultation.slug, "survey"), consultation.title)
        return create_survey(connection, consultation.id, definition), True
    draft = draft_of(versions)
    if draft is not None:
        if source is not None and source.id != draft.id:
            raise Conflict(
                f"Version {draft.number} is already a draft. Publish or discard it first."
            )
        return draft, False
    source = source or latest_published(versions)
    definition = source.definition if source else new_definition(survey.key, survey.title)
    number = versions[-1].number + 1 if versions else 1
    return _add_version(connection, survey.id, number, definition), True


def require_draft(version: Version) -> None:
    if version.published_at is not None:
        raise Conflict("A published version is never changed; edit a new draft instead")


def _change_draft(connection: Connection, version: Version, **values: Any) -> None:
    require_draft(version)
    changed = connection.execute(
        update(_V).where(_V.c.id == version.id, _V.c.published_at.is_(None)).values(**values)
    )
    if changed.rowcount != 1:  # published or discarded since this request read it
        raise Conflict("A published version is never changed; edit a new draft instead")


def save_definition(connection: Connection, version: Version, definition: Definition) -> Version:
    """Store ``definition`` as the draft's; the draft as it now is."""
    kept = copy.deepcopy(definition)
    _change_draft(connection, version, definition=kept)
    return replace(version, definition=kept)


def publish(connection: Connection, survey: SurveyRecord, version: Version) -> None:
    _change_draft(connection, version, published_at=datetime.now(UTC))
    title = str(version.definition.get("title") or survey.title)
    connection.execute(update(_S).where(_S.c.id == survey.id).values(title=title))


def discard_draft(connection: Connection, version: Version) -> None:
    require_draft(version)
    connection.execute(delete(_V).where(_V.c.id == version.id, _V.c.published_at.is_(None)))


# --- duplicating a consultation ----------------------------------------------------------------
COPIED_FIELDS = (
    "title", "public_title", "summary", "controller", "article6_basis", "article9_condition",
    "retention_days", "dpia_reference", "exit_url", "draft_expiry_days", "analysis_cutoff",
)  # fmt: skip
COPIED_SERVICE_FIELDS = ("name", "helps_with", "phone", "text", "web", "review_date")


def free_slug(connection: Connection, slug: str) -> str:
    base = f"{slug[: MAX_SLUG - 8]}-copy"
    candidate, n = base, 1
    while connection.scalar(select(_C.c.id).where(_C.c.slug == candidate)):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def duplicate_consultation(connection: Connection, original: Consultation) -> uuid.UUID:
    """A new draft consultation: same details and support directory, a new web address, and
    the survey's latest definition (draft or published) as draft version 1. Its id."""
    fields: dict[str, Any] = {name: getattr(original, name) for name in COPIED_FIELDS}
    fields["title"] = f"Copy of {original.title}"[:300]
    copy_id: uuid.UUID = connection.execute(
        _C.insert()
        .values(
            **fields,
            slug=free_slug(connection, original.slug),
            status=Status.DRAFT.value,
            respondent_types=copy.deepcopy(original.respondent_types),
            areas=list(original.areas),
        )
        .returning(_C.c.id)
    ).scalar_one()
    services = [
        {
            "id": uuid7(),
            "consultation_id": copy_id,
            "position": position,
            **{name: getattr(entry, name) for name in COPIED_SERVICE_FIELDS},
        }
        for position, entry in enumerate(original.support_services)
    ]
    if services:
        connection.execute(_SS.insert(), services)
    _, versions = survey_and_versions(connection, original.id)
    if versions:
        create_survey(connection, copy_id, versions[-1].definition)
    return copy_id
