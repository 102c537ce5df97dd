"""Liveness and readiness.

`/livez` says the process answers HTTP and touches nothing else: a supervisor restarts a worker
only when this fails. `/healthz` says whether this worker can take answers now: the database
answers and commits a write, the disk holding SQLite has room, and Redis answers when sessions
live there. A load balancer stops sending respondents to a worker while it is 503.

Each check has a time limit, so an unreachable server makes readiness fail rather than hang,
and the result is kept for a second per worker, so frequent probes add no load.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, get
from litestar.response import Response
from sqlalchemy import Connection, delete

from consult.db import StoreItem
from consult.direct import DirectDatabase
from consult.outages import RETRY_AFTER_SECONDS, describe, outage_kind, outage_log
from consult.settings import Settings

CHECK_TIMEOUT = 5.0
KEEP_RESULT_FOR = 1.0
_ITEMS: Any = StoreItem.__table__
_PROBE = {"namespace": "health", "key": "probe"}


def _write_probe(connection: Connection) -> None:
    """A committed write of one small row: the cheapest proof that writes are accepted."""
    connection.execute(
        delete(_ITEMS).where(_ITEMS.c.namespace == "health", _ITEMS.c.key == "probe")
    )
    connection.execute(
        _ITEMS.insert().values(
            **_PROBE, value=b"ok", expires_at=datetime.now(UTC) + timedelta(days=1)
        )
    )


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)
    failure: BaseException | None = None

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())


class HealthCheck:
    """One per app (`app.state["health"]`)."""

    def __init__(self, settings: Settings, direct: DirectDatabase) -> None:
        self.settings = settings
        self.direct = direct
        self._last: tuple[float, Readiness] | None = None
        self.keep_for = KEEP_RESULT_FOR

    async def readiness(self, stores: Any) -> Readiness:
        if self._last is not None and time.monotonic() - self._last[0] < self.keep_for:
            return self._last[1]
        result = Readiness()
        result.checks["database"] = await self._check(result, self.direct.write(_write_probe))
        if self.settings.is_sqlite:
            result.checks["disk"] = self._disk()
        if self.settings.redis_url:
            result.checks["redis"] = await self._check(result, self._store_probe(stores))
        self._last = (time.monotonic(), result)
        return result

    @staticmethod
    async def _check(result: Readiness, probe: Any) -> str:
        try:
            await asyncio.wait_for(probe, CHECK_TIMEOUT)
        except Exception as error:
            result.failure = result.failure or error
            kind = outage_kind(error)
            return f"unavailable: {describe(error)}" if kind else f"error: {type(error).__name__}"
        return "ok"

    @staticmethod
    async def _store_probe(stores: Any) -> None:
        store = stores.get("sessions")
        await store.set("health-probe", b"1", expires_in=60)
        await store.get("health-probe")

    def _disk(self) -> str:
        free_mb = shutil.disk_usage(self.settings.data_dir).free // (1024 * 1024)
        if free_mb < self.settings.min_free_disk_mb:
            return f"low: {free_mb} MB free, needs {self.settings.min_free_disk_mb} MB"
        return "ok"


@get("/livez", name="livez", include_in_schema=True)
async def livez() -> Response[dict[str, str]]:
    return Response({"status": "alive"})


@get("/healthz", name="healthz", include_in_schema=True)
async def healthz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    health: HealthCheck = request.app.state["health"]
    result = await health.readiness(request.app.stores)
    log = outage_log(request.app)
    if result.ready:
        log.up()
        return Response({"status": "ok", **result.checks})
    if result.failure is not None and (kind := outage_kind(result.failure)):
        log.down(kind, result.failure)
    elif result.checks.get("disk", "ok") != "ok":
        log.down("disk", result.checks["disk"])
    return Response(
        {"status": "unavailable", **result.checks},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
