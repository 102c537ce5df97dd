"""Liveness and readiness: `/livez` answers while the process runs; `/healthz` is 503 while the
database refuses writes, the disk under SQLite is short of space or Redis does not answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from consult.settings import Settings
from tests.conftest import service_reachable, skip_or_fail
from tests.faults import free_port, sqlite_disk_full

only_sqlite = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


async def app_client(settings: Settings) -> AsyncTestClient[Any]:
    from app import create_app

    app = create_app(settings)
    app.state["health"].keep_for = 0  # every probe checks afresh
    return AsyncTestClient(app=app, base_url="http://testserver.local")


async def test_readiness_is_ok_when_the_database_takes_a_write(client, settings) -> None:
    client.app.state["health"].keep_for = 0
    response = await client.get("/healthz")
    assert response.status_code == 200, response.text
    expected = {"status": "ok", "database": "ok"}
    if settings.is_sqlite:
        expected["disk"] = "ok"
    assert response.json() == expected
    live = await client.get("/livez")
    assert live.status_code == 200 and live.json() == {"status": "alive"}


@only_sqlite
async def test_readiness_fails_while_the_disk_is_full_and_recovers_when_freed(client) -> None:
    client.app.state["health"].keep_for = 0
    with sqlite_disk_full(client.app):
        full = await client.get("/healthz")
        assert full.status_code == 503 and full.headers["retry-after"] == "30"
        assert full.json()["status"] == "unavailable"
        assert full.json()["database"].startswith("unavailable: OperationalError")
        assert (await client.get("/livez")).status_code == 200  # alive, just not ready
    assert (await client.get("/healthz")).status_code == 200


@only_sqlite
async def test_readiness_fails_when_free_space_is_below_the_threshold(settings) -> None:
    async with await app_client(replace(settings, min_free_disk_mb=10**12)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["disk"].startswith("low: ")
    assert response.json()["database"] == "ok"


async def test_readiness_fails_when_the_configured_redis_does_not_answer(settings) -> None:
    nowhere = replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/15")
    async with await app_client(nowhere) as client:
        response = await client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["redis"].startswith("unavailable: ")
        assert (await client.get("/livez")).status_code == 200


async def test_readiness_reports_a_reachable_redis(settings) -> None:
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    async with await app_client(replace(settings, redis_url="redis://127.0.0.1:6379/15")) as c:
        response = await c.get("/healthz")
    assert response.status_code == 200 and response.json()["redis"] == "ok"
