"""The retention job while the app runs: every ``CONSULT_RETENTION_INTERVAL`` hours (default
24; 0 turns it off, e.g. when cron runs ``python -m surveys retention`` instead).

The first run waits one full interval, so starting the app (or a test) never deletes anything.
Several workers may each run it; a run is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger("consult")
TASK_KEY = "retention_task"


async def _run_forever(alchemy: Any, seconds: float, data_dir: Path) -> None:
    from surveys.retention import apply_retention

    while True:
        await asyncio.sleep(seconds)
        try:
            async with alchemy.get_session() as db:
                report = await apply_retention(
                    db, datetime.now(UTC), dry_run=False, data_dir=data_dir
                )
                await db.commit()
            for line in report.lines():
                logger.info("retention: %s", line)
        except Exception:  # keep the schedule alive; the next run tries again
            logger.exception("retention run failed")


def start_retention(app: Any) -> None:
    settings = app.state["settings"]
    hours = settings.retention_interval_hours
    if hours == 0:
        return
    task = asyncio.get_running_loop().create_task(
        _run_forever(app.state["alchemy"], hours * 3600, settings.data_dir)
    )
    app.state[TASK_KEY] = task


async def stop_retention(app: Any) -> None:
    task = app.state.get(TASK_KEY)
    if task is not None:
        task.cancel()
