"""Writing an import's rows in batches of ``IMPORT_BATCH``, each committed with its own audit
record, so a long import never holds the database's write lock for long and respondents saving
pages are not kept waiting (on SQLite a respondent's write waits at most 10 s for the lock).
Should the database refuse a batch, that batch and those after it are not written (the batch
rolls back with its audit record) and the batches before it stay."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from litestar import Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from surveys.codes import unheld_code_hash
from surveys.definition import Survey
from surveys.store.database import SurveyStore
from surveys.store.responses import insert_responses, new_response
from surveys.store.versions import Version

logger = logging.getLogger("consult")
IMPORT_BATCH = 500


@dataclass
class Batches:
    """An import written batch by batch; ``stopped`` names the batch the database refused."""

    imported: int = 0
    stopped: str = ""


async def write_batches(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    store: SurveyStore,
    consultation_id: uuid.UUID,
    version: Version,
    survey: Survey,
    rows: list[dict[str, Any]],
    chosen_type: str,
    columns: dict[str, str],
) -> Batches:
    """Each batch commits with its audit record (the request's session, committed per batch),
    so respondents' saves get the write lock between batches."""
    done, now = Batches(), datetime.now(UTC)
    for start in range(0, len(rows), IMPORT_BATCH):
        batch = [
            new_response(
                survey,
                answers,
                consultation_id=consultation_id,
                version_id=version.id,
                # No one holds a withdrawal code for an imported row: a random one's hash.
                withdrawal_code_hash=unheld_code_hash(),
                chosen_type=chosen_type,
                submitted_at=now,
            )
            for answers in rows[start : start + IMPORT_BATCH]
        ]
        try:
            await store.run(db, partial(insert_responses, rows=batch))
            audit.record(
                db,
                "responses_imported",
                actor=request.user,
                object_type="consultation",
                object_id=consultation_id,
                detail={"rows": len(batch), "first_row": start + 2, "columns": columns},
            )
            await db.commit()
        except DBAPIError as error:
            await db.rollback()
            # The error's text may quote the answers: only its kind is logged.
            logger.warning("import stopped at row %d: %s", start + 2, type(error).__name__)
            done.stopped = (
                f"The database refused rows {start + 2} to {start + 1 + len(batch)} of the "
                f"file, so the import stopped there. {done.imported} rows before them were "
                "imported. The upload now holds only the rows not imported: import again to "
                "continue, or cancel."
            )
            return done
        done.imported += len(batch)
    return done
