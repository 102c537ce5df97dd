"""The retention job while the app runs: every ``CONSULT_RETENTION_INTERVAL`` hours (default
24; 0 turns it off, e.g. when cron runs ``python -m surveys retention`` instead).

The first run waits one full interval, so starting the app (or a test) never deletes anything.
Several workers may each run it; a run is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from typing import Any

from consult.settings import SettingsError

logger = logging.getLogger("consult")
TASK_KEY = "retention_task"


def interval_hours() -> float:
    raw = os.environ.get("CONSULT_RETENTION_INTERVAL", "") or "24"
    try:
        hours = float(raw)
    except ValueError as exc:
        raise SettingsError(
            f"CONSULT_RETENTION_INTERVAL must be a number of hours, got {raw!r}"
        ) from exc
    if hours < 0:
        raise SettingsError("CONSULT_RETENTION_INTERVAL cannot be negative")
    return hours


async def _run_forever(alchemy: Any, seconds: float) -> None:
    from surveys.retention import apply_retention

    while True:
        await asyncio.sleep(seconds)
        try:
            async with alchemy.get_session() as db:
                report = await apply_retention(db, datetime.now(UTC), dry_run=False)
                await db.commit()
            for line in report.lines():
                logger.info("retention: %s", line)
        except Exception:  # keep the schedule alive; the next run tries again
            logger.exception("retention run failed")


def start_retention(app: Any) -> None:
    hours = interval_hours()
    if hours == 0:
        return
    task = asyncio.get_running_loop().create_task(_run_forever(app.state["alchemy"], hours * 3600))
    app.state[TASK_KEY] = task


async def stop_retention(app: Any) -> None:
    task = app.state.get(TASK_KEY)
    if task is not None:
        task.cancel()
