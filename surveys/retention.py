"""Retention: what the platform deletes on its own, and when.

- **Drafts** are deleted once ``Draft.expires_at`` is before *now* (the respondent's saved
  answers have expired; the journey already refuses them).
- **Free text** of submitted responses is removed once the consultation's retention period has
  passed: ``closes_at + retention_days < now``. A consultation without a closing date or a
  retention period keeps its text (it cannot open without a retention period; the closing date
  is when the clock starts). Free text is what each question type's ``without_free_text``
  removes: short_text, long_text and three_words answers (and any type that ``holds_free_text``)
  and the "other" text of multiple choice questions; codes, ratings and numbers stay. Rows
  other tables derived from that text (the workspace's sentence vectors, tables flagged
  ``DERIVED_FROM_FREE_TEXT``) are deleted in the same transaction.

- **Withdrawal codes never shown** (the confirmation page was not reached) are dropped from
  their responses a day after submission (:mod:`surveys.store.receipts`); the code's hash stays.

- **Abandoned import uploads** (response tables uploaded for import, then neither imported
  nor cancelled) are deleted once more than 24 hours old; they are personal data.

Each run writes one audit record per consultation touched, with counts and never the text,
and one ``import_uploads_deleted`` record with the number of uploads deleted (never names).
Free text is stripped ``BATCH_SIZE`` responses at a time, each batch committed on its own, so
the run never holds the database's write lock for long: a respondent saving a page waits for
one batch at most (on SQLite a write waits at most 10 s for the lock). A run stopped half way
has stripped some responses and not others; the next run finishes the job.
``dry_run`` reports the same counts and changes nothing. Running twice is harmless: a second
run finds nothing left to remove.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from surveys.definition import Survey
from surveys.imports import uploads
from surveys.store import receipts
from surveys.store import retention as stored
from surveys.store.database import run
from surveys.store.versions import definitions_of, surveys_by_version

BATCH_SIZE = 500


@dataclass
class ConsultationReport:
    consultation_id: uuid.UUID
    slug: str
    expired_drafts: int = 0
    responses_stripped: int = 0
    answers_removed: int = 0


@dataclass
class RetentionReport:
    now: datetime
    dry_run: bool
    consultations: list[ConsultationReport] = field(default_factory=list)
    # File names (random tokens, no personal data) of abandoned import uploads.
    abandoned_uploads: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        if not (self.consultations or self.abandoned_uploads):
            return [f"Nothing to remove at {self.now.isoformat()}."]
        lines = [
            f"{c.slug}: {verb} {c.expired_drafts} expired draft(s); free text {verb} from "
            f"{c.responses_stripped} response(s) ({c.answers_removed} answer(s))"
            for c in self.consultations
        ]
        if self.abandoned_uploads:
            lines.append(
                f"import uploads: {verb} {len(self.abandoned_uploads)} abandoned upload(s) older "
                f"than 24 hours: {', '.join(self.abandoned_uploads)}"
            )
        return lines


def retention_ends(consultation: Any) -> datetime | None:
    if consultation.closes_at is None or consultation.retention_days is None:
        return None
    return consultation.closes_at + timedelta(days=consultation.retention_days)


def strip_free_text(survey: Survey, answers: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The answers without free text, and how many answers lost text."""
    kept = dict(answers)
    removed = 0
    for question in survey.questions():
        value = kept.get(question.key)
        if value is None:
            continue
        # Each question type says what of its answer is free text (QuestionType.without_free_text).
        stripped = question.without_free_text(value)
        if stripped == value:
            continue
        if stripped is None:
            del kept[question.key]
        else:
            kept[question.key] = stripped
        removed += 1
    return kept, removed


async def _strip_consultation(
    db: AsyncSession,
    versions: dict[uuid.UUID, Survey],
    consultation_id: uuid.UUID,
    report: ConsultationReport,
    dry_run: bool,
) -> None:
    last: uuid.UUID | None = None
    while True:
        batch = await run(
            db,
            partial(
                stored.response_batch, consultation_id=consultation_id, after=last, size=BATCH_SIZE
            ),
        )
        if not batch:
            return
        changed = []
        for response_id, version_id, answers in batch:
            kept, removed = strip_free_text(versions[version_id], answers or {})
            if removed:
                report.responses_stripped += 1
                report.answers_removed += removed
                changed.append((response_id, kept))
        last = batch[-1][0]
        if not dry_run and changed:
            await run(db, partial(stored.set_answers, changed=changed))
            await db.commit()  # one batch at a time: respondents' saves get the lock between


def _remove_abandoned_uploads(
    db: AsyncSession, report: RetentionReport, data_dir: Path, dry_run: bool
) -> None:
    found = uploads.abandoned(data_dir, report.now)
    report.abandoned_uploads = [path.name for path in found]
    if dry_run or not found:
        return
    for path in found:
        path.unlink(missing_ok=True)
    audit.record(
        db,
        "import_uploads_deleted",
        object_type="import_upload",
        detail={"at": report.now.isoformat(), "abandoned_uploads_deleted": len(found)},
    )


async def apply_retention(
    db: AsyncSession, now: datetime, dry_run: bool, *, data_dir: Path
) -> RetentionReport:
    """Apply the retention rules as at ``now`` on the caller's session, committing batch by
    batch (a dry run writes and commits nothing). Import uploads are looked for under
    ``data_dir`` (the deployment's data folder)."""
    report = RetentionReport(now=now, dry_run=dry_run)
    _remove_abandoned_uploads(db, report, data_dir, dry_run)
    if not dry_run:
        await db.run_sync(lambda s: receipts.forget_unshown(s.connection(), now))
    versions = await run(db, partial(surveys_by_version, parse=definitions_of(db)))
    for consultation in await db.run_sync(lambda s: stored.consultations(s.connection())):
        entry = ConsultationReport(consultation.id, consultation.slug)
        mine = {"consultation_id": consultation.id, "now": now}
        entry.expired_drafts = await run(db, partial(stored.expired_drafts, **mine))
        if entry.expired_drafts and not dry_run:
            await run(db, partial(stored.delete_expired_drafts, **mine))
        ends = retention_ends(consultation)
        if ends is not None and ends < now:
            await _strip_consultation(db, versions, consultation.id, entry, dry_run)
        if not (entry.expired_drafts or entry.responses_stripped):
            continue
        report.consultations.append(entry)
        if not dry_run:
            audit.record(
                db,
                "retention_applied",
                object_type="consultation",
                object_id=consultation.id,
                detail={
                    "at": now.isoformat(),
                    "expired_drafts_deleted": entry.expired_drafts,
                    "responses_free_text_removed": entry.responses_stripped,
                    "answers_free_text_removed": entry.answers_removed,
                },
            )
            await db.commit()
    return report
