"""Sign-in throttling: attempts are counted per account name in the shared store.

Each attempt is counted *before* the password or code is checked, by one atomic increment that
returns the new count (Redis ``INCR`` in a transaction; on the database one locked unit of work,
see `consult.db.DirectStore.increment`). A read-check-write count let 24 guesses sent at once
all be checked before any was recorded (security review, finding 1); an atomic count admits
exactly ``attempts`` checks per window however the guesses arrive.

The count is kept for any name typed, existing or not, so the response never tells whether an
account exists. The framework's rate limiter separately caps requests per client address.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from consult.db import DirectStore


def _key(kind: str, name: str) -> str:
    digest = hashlib.sha256(name.strip().lower().encode()).hexdigest()
    return f"{kind}:{digest}"


async def count_attempt(store: Store, key: str, window_seconds: int) -> int:
    """Add one to the attempts under ``key`` (kept ``window_seconds`` after the latest) and
    return the new count, atomically in either kind of store."""
    if isinstance(store, RedisStore):
        # Litestar's RedisStore has no increment; its client and key prefix are the store's own.
        redis_key = store._make_key(key)
        async with store._redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window_seconds)
            count, _ = await pipe.execute()
        return int(count)
    if isinstance(store, DirectStore):
        return await store.increment(key, timedelta(seconds=window_seconds))
    raise TypeError(f"{type(store).__name__} cannot count attempts atomically")


class LoginThrottle:
    def __init__(self, store: Store, *, attempts: int, window_seconds: int) -> None:
        self.store = store
        self.attempts = attempts
        self.window = window_seconds

    async def attempt(self, name: str, kind: str = "login") -> bool:
        """Count one attempt for ``name``; False when it is over the limit (do not check it)."""
        return await count_attempt(self.store, _key(kind, name), self.window) <= self.attempts

    async def reset(self, name: str, kind: str = "login") -> None:
        await self.store.delete(_key(kind, name))
