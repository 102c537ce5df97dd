"""Reading and changing a report: its sections in order, building the draft, signing a version
off, and the latest signed-off version for the public page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation
from consult.errors import Invalid, NotFound
from research.report.build import build_document, gather
from research.report.document import SECTION_KINDS, ReportDocument
from research.report.models import Report, ReportSection, ReportVersion

MAX_SECTIONS = 200


async def report_of(db: AsyncSession, consultation: Consultation) -> Report:
    """The consultation's report, started empty the first time it is asked for."""
    report = await db.scalar(select(Report).where(Report.consultation_id == consultation.id))
    if report is None:
        report = Report(
            consultation_id=consultation.id,
            title=f"{consultation.public_title}: findings report",
            draft_number=1,
            summary="",
            published=False,
        )
        db.add(report)
        await db.flush()
    return report


async def sections_of(db: AsyncSession, report: Report) -> list[ReportSection]:
    return list(
        await db.scalars(
            select(ReportSection)
            .where(ReportSection.report_id == report.id)
            .order_by(ReportSection.position, ReportSection.created_at)
        )
    )


async def section_of(db: AsyncSession, report: Report, section_id: uuid.UUID) -> ReportSection:
    section = await db.get(ReportSection, section_id)
    if section is None or section.report_id != report.id:
        raise NotFound("That section is not part of this report")
    return section


async def latest_version(db: AsyncSession, report: Report) -> ReportVersion | None:
    return await db.scalar(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id)
        .order_by(ReportVersion.number.desc())
        .limit(1)
    )


async def begin_edit(db: AsyncSession, report: Report) -> None:
    """An edit after a sign-off starts the next draft version; the signed one stays frozen."""
    signed = await latest_version(db, report)
    if signed is not None and signed.number >= report.draft_number:
        report.draft_number = signed.number + 1


async def add_section(db: AsyncSession, report: Report, kind: str) -> ReportSection:
    if kind not in SECTION_KINDS:
        raise Invalid("Choose a kind of section from the list")
    count = await db.scalar(
        select(func.count()).select_from(ReportSection).where(ReportSection.report_id == report.id)
    )
    if int(count or 0) >= MAX_SECTIONS:
        raise Invalid(f"A report can have up to {MAX_SECTIONS} sections")
    await begin_edit(db, report)
    section = ReportSection(
        report_id=report.id, position=int(count or 0), kind=kind, title="", body="", params={}
    )
    db.add(section)
    await db.flush()
    return section


async def move_section(db: AsyncSession, report: Report, section_id: uuid.UUID, step: int) -> None:
    sections = await sections_of(db, report)
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        raise NotFound("That section is not part of this report")
    other = index + step
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
    await begin_edit(db, report)
    for position, section in enumerate(sections):
        section.position = position


async def remove_section(db: AsyncSession, report: Report, section_id: uuid.UUID) -> None:
    section = await section_of(db, report, section_id)
    await begin_edit(db, report)
    await db.delete(section)
    await db.flush()
    for position, kept in enumerate(await sections_of(db, report)):
        kept.position = position


async def draft_document(
    db: AsyncSession, consultation: Consultation, report: Report
) -> ReportDocument:
    inputs = await gather(db, consultation)
    sections = await sections_of(db, report)
    return await db.run_sync(
        lambda s: build_document(s.connection(), inputs, report, sections, report.draft_number)
    )


async def sign_off(
    db: AsyncSession, consultation: Consultation, report: Report, user_id: uuid.UUID
) -> ReportVersion:
    signed = await latest_version(db, report)
    if signed is not None and signed.number >= report.draft_number:
        raise Invalid(f"Version {signed.number} is already signed off; edit the report first")
    document = await draft_document(db, consultation, report)
    now = datetime.now(UTC)
    document.signed_off = True
    document.signed_off_at = now.strftime("%d %B %Y")
    version = ReportVersion(
        report_id=report.id,
        number=report.draft_number,
        model=document.to_json(),
        signed_off_by=user_id,
        signed_off_at=now,
    )
    db.add(version)
    await db.flush()
    return version


def signed_document(version: ReportVersion) -> ReportDocument:
    return ReportDocument.from_json(version.model)
