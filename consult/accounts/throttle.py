"""Sign-in throttling: failed attempts are counted per account name in the shared store.

The count is kept for any name typed, existing or not, so the response never tells whether an
account exists. The framework's rate limiter separately caps requests per client address.
"""

from __future__ import annotations

import hashlib

from litestar.stores.base import Store


def _key(kind: str, name: str) -> str:
    digest = hashlib.sha256(name.strip().lower().encode()).hexdigest()
    return f"{kind}:{digest}"


class LoginThrottle:
    def __init__(self, store: Store, *, attempts: int, window_seconds: int) -> None:
        self.store = store
        self.attempts = attempts
        self.window = window_seconds

    async def is_locked(self, name: str, kind: str = "login") -> bool:
        raw = await self.store.get(_key(kind, name))
        return raw is not None and int(raw) >= self.attempts

    async def record_failure(self, name: str, kind: str = "login") -> None:
        key = _key(kind, name)
        raw = await self.store.get(key)
        count = int(raw) + 1 if raw is not None else 1
        await self.store.set(key, str(count), expires_in=self.window)

    async def reset(self, name: str, kind: str = "login") -> None:
        await self.store.delete(_key(kind, name))
