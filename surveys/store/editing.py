"""The builder's data: a consultation's survey, its versions and its one draft.

These functions work on the request's ORM session rather than a bare connection: the builder
edits the draft version's definition as an object through several steps of one request
(:func:`save_definition`), and the change commits with the request and its audit record.

A version with ``published_at IS NULL`` is the editable draft; at most one exists per survey
(the builder only ever makes one, and the unique ``(survey_id, number)`` turns a race into a
conflict). Publishing sets ``published_at`` and the version is never edited again. The
respondent journey serves the newest *published* version (:func:`surveys.store.versions.newest_published`), so a
draft is invisible to respondents until it is published.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation, Status, SupportService
from consult.errors import Conflict, NotFound
from surveys.builder.service import Definition, key_from, new_definition
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion

MAX_SLUG = 80


async def survey_of(db: AsyncSession, consultation: Consultation) -> SurveyRow | None:
    """The consultation's survey: the one created last, when (unusually) there are several."""
    return await db.scalar(
        select(SurveyRow)
        .where(SurveyRow.consultation_id == consultation.id)
        .order_by(SurveyRow.created_at.desc())
        .limit(1)
    )


async def versions_of(db: AsyncSession, survey: SurveyRow) -> list[SurveyVersion]:
    rows = await db.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.number)
    )
    return list(rows)


def draft_of(versions: list[SurveyVersion]) -> SurveyVersion | None:
    return next((v for v in versions if v.published_at is None), None)


def latest_published(versions: list[SurveyVersion]) -> SurveyVersion | None:
    published = [v for v in versions if v.published_at is not None]
    return published[-1] if published else None


# Version numbers are 32-bit integers in the database; a longer number in an address is no
# version (and would overflow the query).
MAX_VERSION_NUMBER = 2**31 - 1


async def version_or_404(db: AsyncSession, survey: SurveyRow, number: int) -> SurveyVersion:
    if not 1 <= number <= MAX_VERSION_NUMBER:
        raise NotFound("This survey has no version with that number")
    version = await db.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.number == number
        )
    )
    if version is None:
        raise NotFound("This survey has no version with that number")
    return version


async def create_survey(
    db: AsyncSession, consultation: Consultation, definition: Definition
) -> SurveyVersion:
    """A new survey for the consultation, with ``definition`` as its draft version 1."""
    if await survey_of(db, consultation) is not None:
        raise Conflict("This consultation already has a survey")
    survey = SurveyRow(
        consultation_id=consultation.id, key=definition["key"], title=definition["title"]
    )
    db.add(survey)
    await db.flush()
    return await _add_version(db, survey, 1, definition)


async def _add_version(
    db: AsyncSession, survey: SurveyRow, number: int, definition: Definition
) -> SurveyVersion:
    version = SurveyVersion(
        survey_id=survey.id, number=number, definition=copy.deepcopy(definition)
    )
    db.add(version)
    await db.flush()
    return version


async def start_draft(
    db: AsyncSession, consultation: Consultation, source: SurveyVersion | None = None
) -> tuple[SurveyVersion, bool]:
    """The editable draft, made when missing: a copy of ``source`` (default: the latest
    published version), or an empty survey when there is none. ``(draft, created)``."""
    survey = await survey_of(db, consultation)
    if survey is None:
        definition = new_definition(key_from(consultation.slug, "survey"), consultation.title)
        return await create_survey(db, consultation, definition), True
    versions = await versions_of(db, survey)
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
    return await _add_version(db, survey, number, definition), True


def require_draft(version: SurveyVersion) -> None:
    if version.published_at is not None:
        raise Conflict("A published version is never changed; edit a new draft instead")


def save_definition(version: SurveyVersion, definition: Definition) -> None:
    require_draft(version)
    # A new object, so the JSON column sees the change.
    version.definition = copy.deepcopy(definition)


async def publish(db: AsyncSession, survey: SurveyRow, version: SurveyVersion) -> None:
    require_draft(version)
    version.published_at = datetime.now(UTC)
    survey.title = str(version.definition.get("title") or survey.title)
    await db.flush()


async def discard_draft(db: AsyncSession, version: SurveyVersion) -> None:
    require_draft(version)
    await db.delete(version)
    await db.flush()


# --- duplicating a consultation ----------------------------------------------------------------
COPIED_FIELDS = (
    "title", "public_title", "summary", "controller", "article6_basis", "article9_condition",
    "retention_days", "dpia_reference", "exit_url", "draft_expiry_days", "analysis_cutoff",
)  # fmt: skip


async def free_slug(db: AsyncSession, slug: str) -> str:
    base = f"{slug[: MAX_SLUG - 8]}-copy"
    candidate, n = base, 1
    while await db.scalar(select(Consultation.id).where(Consultation.slug == candidate)):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


async def duplicate_consultation(db: AsyncSession, original: Consultation) -> Consultation:
    """A new draft consultation: same details and support directory, a new web address, and
    the survey's latest definition (draft or published) as draft version 1."""
    fields: dict[str, Any] = {name: getattr(original, name) for name in COPIED_FIELDS}
    fields["title"] = f"Copy of {original.title}"[:300]
    copy_ = Consultation(
        **fields,
        slug=await free_slug(db, original.slug),
        status=Status.DRAFT.value,
        respondent_types=copy.deepcopy(original.respondent_types),
        areas=list(original.areas),
    )
    db.add(copy_)
    await db.flush()
    for position, entry in enumerate(original.support_services):
        db.add(
            SupportService(
                consultation_id=copy_.id,
                position=position,
                name=entry.name,
                helps_with=entry.helps_with,
                phone=entry.phone,
                text=entry.text,
                web=entry.web,
                review_date=entry.review_date,
            )
        )
    survey = await survey_of(db, original)
    if survey is not None:
        versions = await versions_of(db, survey)
        if versions:
            await create_survey(db, copy_, versions[-1].definition)
    await db.flush()
    return copy_
