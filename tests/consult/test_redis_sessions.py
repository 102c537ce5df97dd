"""With CONSULT_REDIS_URL set, sessions live in Redis, shared by every worker."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

from litestar.testing import AsyncTestClient

from tests.conftest import create_user, service_reachable, sign_in, skip_or_fail


async def test_staff_sessions_are_kept_in_redis_when_configured(settings) -> None:
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    import redis.asyncio as redis

    from app import create_app

    app = create_app(replace(settings, redis_url="redis://127.0.0.1:6379/15"))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        account = await create_user(client, "researcher")
        await sign_in(client, account)
        session_id = client.cookies.get("session")
        server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        try:
            keys = [key.decode() async for key in server.scan_iter(match="*")]
        finally:
            await server.aclose()
        # The store holds a keyed hash of the session ID, never the ID itself.
        stored = hmac.new(
            settings.secret_key.encode(), session_id.encode(), hashlib.sha256
        ).hexdigest()
        assert any(stored in key and "sessions" in key for key in keys), keys
        assert not any(session_id in key for key in keys), keys
        assert (await client.get("/staff/consultations")).status_code == 200
